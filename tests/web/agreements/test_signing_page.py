"""The agreement's signing page shows what is signed: every page of the exact PDF as an
image (phones show no PDF inline), the key terms above them, the download link and the
file's hash. The page images have the PDF's own access rule."""

from __future__ import annotations

import html as html_lib
import io
import re
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from app.core.format import money
from app.extensions import db
from app.models.agreements import Agreement
from app.rules.agreements import terms_from_json
from app.rules.numerals import rmb_capital
from app.rules.schedules import DOWN_PAYMENT
from tests import agreement_support as support
from tests.factories import PASSWORD
from tests.helpers import Browser

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
IMG = re.compile(r'<img src="([^"]+/pages/[0-9a-f]{64}/\d+\.png)" alt="([^"]+)"')
OUTSIDERS = ("other_creditor", "other_debtor", "foreign_mediator", "colleague_mediator", "admin")


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    who = support.people()
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    return {"who": who, "case": case, "agreement": agreement}


def _as(app: Flask, user) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _sign_page(browser: Browser, case_id: int) -> str:
    response = browser.get(f"/cases/{case_id}/agreement/1/sign")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _term(page: str, name: str) -> str:
    match = re.search(rf'data-term="{name}">(.*?)</', page, re.S)
    assert match, f"no {name} in the key terms box"
    return html_lib.unescape(match.group(1)).strip()


def test_the_sign_page_shows_every_page_of_the_exact_pdf_as_a_png(app: Flask, world) -> None:
    case, agreement = world["case"], world["agreement"]
    browser = _as(app, world["who"]["debtor"])
    page = _sign_page(browser, case.id)
    assert "<iframe" not in page
    assert agreement.current_sha256 in page  # the hash shown is the file's
    pdf = browser.get(f"/cases/{case.id}/agreement/1.pdf?download=1")
    assert page.count(f"/cases/{case.id}/agreement/1.pdf?download=1") == 1  # the link is kept
    pages = len(PdfReader(io.BytesIO(pdf.data)).pages)
    images = IMG.findall(page)
    assert len(images) == pages >= 2
    expected = [f"第 {n} 页，共 {pages} 页" for n in range(1, pages + 1)]
    assert [alt for _url, alt in images] == expected
    assert page.count('loading="lazy"') == pages
    for url, _alt in images:
        assert agreement.current_sha256 in url
        image = browser.get(url)
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert image.data.startswith(PNG_MAGIC)
        assert image.headers["Cache-Control"] == "no-store"  # a phone may be shared
    beyond = images[0][0].replace("/1.png", f"/{pages + 1}.png")
    assert browser.get(beyond).status_code == 404
    other_file = images[0][0].replace(agreement.current_sha256, "0" * 64)
    assert browser.get(other_file).status_code == 404


def test_the_page_images_follow_the_pdf_once_a_party_signs(app: Flask, world) -> None:
    case, agreement, who = world["case"], world["agreement"], world["who"]
    first = agreement.current_sha256
    support.sign(case, agreement, who["debtor"], typed_name=who["debtor"].name)
    assert agreement.current_sha256 != first
    browser = _as(app, who["creditor"])
    page = _sign_page(browser, case.id)
    urls = [url for url, _alt in IMG.findall(page)]
    assert urls and all(agreement.current_sha256 in url for url in urls)
    # The earlier revision is still this version's file: its pages stay viewable.
    assert browser.get(urls[0].replace(agreement.current_sha256, first)).status_code == 200


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_no_page_image(app: Flask, world, outsider: str) -> None:
    case, agreement = world["case"], world["agreement"]
    url = f"/cases/{case.id}/agreement/1/pages/{agreement.current_sha256}/1.png"
    assert _as(app, world["who"]["debtor"]).get(url).status_code == 200
    response = _as(app, world["who"][outsider]).get(url)
    assert response.status_code in (403, 404), (outsider, response.status_code)
    assert not response.data.startswith(PNG_MAGIC)


def test_anonymous_visitors_get_no_page_image(app: Flask, world) -> None:
    case, agreement = world["case"], world["agreement"]
    url = f"/cases/{case.id}/agreement/1/pages/{agreement.current_sha256}/1.png"
    response = app.test_client().get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_key_terms_box_matches_the_agreement(app: Flask, world) -> None:
    case, agreement, who = world["case"], world["agreement"], world["who"]
    db.session.refresh(agreement)
    terms = terms_from_json(db.session.get_one(Agreement, agreement.id).terms["terms"])
    regular = [row for row in terms.schedule if row.kind != DOWN_PAYMENT]
    page = _sign_page(_as(app, who["debtor"]), case.id)
    with app.test_request_context():  # the money filter in the default locale
        assert _term(page, "total") == money(terms.total) == "¥24,000.00"
        assert _term(page, "first_amount") == money(terms.schedule[0].amount)
    assert _term(page, "total_capital") == rmb_capital(terms.total) == "人民币贰万肆仟元整"
    assert _term(page, "debtor") == who["debtor"].name
    assert _term(page, "creditor") == case.creditor_org.name
    assert _term(page, "instalments") == str(len(regular)) == "24"
    first, last = terms.schedule[0].due, terms.schedule[-1].due
    assert _term(page, "first_due") == f"{first.year}年{first.month}月{first.day}日"
    assert _term(page, "last_due") == f"{last.year}年{last.month}月{last.day}日"
    assert _term(page, "account_number") == "6222 0200 1234 5678 901"
    assert _term(page, "bank") == support.ACCOUNT.bank
    assert _term(page, "account_name") == support.ACCOUNT.account_name
    grace = terms.default_rule.grace_days
    assert f"逾期超过 {grace} 天" in _term(page, "default_rule")


def test_a_refused_signature_redirects_to_the_page_with_the_mark_never_the_password(
    app: Flask, world
) -> None:
    """Post/redirect/get (app.core.prg): the signing page again, the typed name kept."""
    case = world["case"]
    browser = _as(app, world["who"]["debtor"])
    url = f"/cases/{case.id}/agreement/1/sign"
    form = {"method": "typed", "typed_name": "刘强（签）", "password": "not-the-password"}
    answer = browser.submit(url, form, page=url, follow_refusal=False)
    assert answer.status_code == 303 and answer.headers["Location"] == url
    with browser.client.session_transaction() as session:
        assert "not-the-password" not in repr(dict(session))
    shown = browser.get(url)
    assert shown.status_code >= 400 and "刘强（签）" in shown.get_data(as_text=True)
