"""The package's signing page shows what is signed: every page of the package's current
file as an image, the agreement's key terms, the download link and the file's hash, and
states its consent once. The page images have the PDF's own access rule."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from pypdf import PdfReader

from app.extensions import db
from tests.web.confirmation.test_confirmation import (
    OUTSIDERS,
    _as,
    _release,
    support_sign_package,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
IMG = re.compile(r'<img src="([^"]+/pages/[0-9a-f]{64}/\d+\.png)" alt="([^"]+)"')


def test_the_package_sign_page_shows_its_pages_and_the_key_terms(app: Flask, world) -> None:
    case, who = world["case"], world["who"]
    package = _release(app, world)
    browser = _as(app, who["debtor"])
    sign_url = f"/cases/{case.id}/package/{package.number}/sign"
    page = browser.get(sign_url).get_data(as_text=True)
    assert "<iframe" not in page
    assert package.current_sha256 in page
    pdf = browser.get(f"/cases/{case.id}/package/{package.number}.pdf?download=1")
    pages = len(PdfReader(io.BytesIO(pdf.data)).pages)
    images = IMG.findall(page)
    assert len(images) == pages > 3
    assert images[-1][1] == f"第 {pages} 页，共 {pages} 页"
    for url, _alt in images:
        image = browser.get(url)
        assert image.status_code == 200 and image.data.startswith(PNG_MAGIC)
    # The key terms are the agreement's (the package asks the court to confirm it).
    assert 'data-term="total">¥24,000.00<' in page
    assert 'data-term="total_capital">人民币贰万肆仟元整<' in page


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_package_sign_page_states_its_consent_once(app: Flask, world, locale: str) -> None:
    case, who = world["case"], world["who"]
    package = _release(app, world)
    browser = _as(app, who["creditor"])
    if locale == "en":
        browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/")
    page = browser.get(f"/cases/{case.id}/package/{package.number}/sign").get_data(as_text=True)
    sentence = {"zh": "签署即表示", "en": "By signing you confirm"}[locale]
    assert page.count(sentence) == 1
    recorded = {"zh": "一并记录", "en": "are recorded with"}[locale]
    assert page.count(recorded) == 1


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_no_package_page_image(app: Flask, world, outsider: str) -> None:
    case, who = world["case"], world["who"]
    package = _release(app, world)
    url = f"/cases/{case.id}/package/{package.number}/pages/{package.current_sha256}/1.png"
    assert _as(app, who["debtor"]).get(url).status_code == 200
    response = _as(app, who[outsider]).get(url)
    assert response.status_code in (403, 404), (outsider, response.status_code)
    assert not response.data.startswith(PNG_MAGIC)
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_pages_follow_the_package_once_a_party_signs(app: Flask, world) -> None:
    case, who = world["case"], world["who"]
    package = _release(app, world)
    released = package.current_sha256
    support_sign_package(case, package, who["debtor"])
    db.session.refresh(package)
    assert package.current_sha256 != released
    browser = _as(app, who["creditor"])
    page = browser.get(f"/cases/{case.id}/package/{package.number}/sign").get_data(as_text=True)
    urls = [url for url, _alt in IMG.findall(page)]
    assert urls and all(package.current_sha256 in url for url in urls)
    # A page opened before the debtor signed still loads its images (the released file).
    assert browser.get(urls[0].replace(package.current_sha256, released)).status_code == 200
    assert browser.get(urls[0].replace(package.current_sha256, "0" * 64)).status_code == 404


def test_refused_package_actions_redirect_back_to_a_page(app: Flask, world) -> None:
    """Post/redirect/get (app.core.prg): a refused signature, a code asked again at once
    and a retry of a package that did not fail each answer 303 back to a page."""
    case, who = world["case"], world["who"]
    package = _release(app, world)
    base = f"/cases/{case.id}/package/{package.number}"
    debtor = _as(app, who["debtor"])
    sign = debtor.submit(
        f"{base}/sign", {"password": "x"}, page=f"{base}/sign", follow_refusal=False
    )
    assert sign.status_code == 303 and sign.headers["Location"] == f"{base}/sign"
    debtor.submit(f"{base}/code", {"channel": "email"}, page=f"{base}/sign")
    again = debtor.submit(
        f"{base}/code", {"channel": "email"}, page=f"{base}/sign", follow_refusal=False
    )
    assert again.status_code == 303 and debtor.left_stash()
    mediator = _as(app, who["mediator"])
    retry = mediator.submit(f"{base}/retry", {}, page=f"/cases/{case.id}", follow_refusal=False)
    assert retry.status_code == 303 and mediator.left_stash()
