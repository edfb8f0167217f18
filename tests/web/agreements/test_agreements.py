"""The agreement's pages over HTTP: who may draft, view, download and sign (everyone else
is refused), the signing form with its one-time code, audited downloads, and /verify on
genuine and tampered files."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.core import clock
from app.documents import issued as documents
from app.extensions import db
from app.models import AuditEvent, OneTimeCode
from app.models.agreements import AgreementStatus
from app.models.users import User
from tests import agreement_support as support
from tests.factories import PASSWORD
from tests.helpers import Browser, refused
from tests.worlds import Worlds

OUTSIDERS = ("other_creditor", "other_debtor", "foreign_mediator", "colleague_mediator", "admin")


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    who = support.people()
    case = support.settled_case(who)
    return {"who": who, "case": case}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _urls(case_id: int, version: int = 1) -> dict[str, tuple[str, str]]:
    base = f"/cases/{case_id}/agreement"
    return {
        "draft_get": ("GET", f"{base}/draft"),
        "draft_post": ("POST", f"{base}/draft"),
        "pdf": ("GET", f"{base}/{version}.pdf"),
        "sign_get": ("GET", f"{base}/{version}/sign"),
        "sign_post": ("POST", f"{base}/{version}/sign"),
        "code": ("POST", f"{base}/{version}/code"),
    }


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_are_refused_on_every_agreement_route(app: Flask, world, outsider: str) -> None:
    case = world["case"]
    support.draft(case, world["who"])
    browser = _as(app, world["who"][outsider])
    for name, (method, url) in _urls(case.id).items():
        if method == "GET":
            response = browser.get(url)
        else:
            response = browser.submit(url, {"account_name": "x"}, page="/account/")
        assert response.status_code in (403, 404), (outsider, name, response.status_code)
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:agreement:download")
    ).all()
    assert audit == []


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, world) -> None:
    case = world["case"]
    support.draft(case, world["who"])
    client = app.test_client()
    for _name, (method, url) in _urls(case.id).items():
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_mediator_drafts_through_the_form_and_bad_input_is_kept(app: Flask, world) -> None:
    case, who = world["case"], world["who"]
    browser = _as(app, who["mediator"])
    page = f"/cases/{case.id}/agreement/draft"
    bad = browser.submit(
        page, {"account_name": "某银行", "bank": "", "account_number": "62220200"}, page=page
    )
    assert refused(bad) and bad.status_code == 422  # a 303 back to the form's page
    html = bad.get_data(as_text=True)
    assert "62220200" in html and 'aria-invalid="true"' in html
    assert "62220200" not in browser.get(page).get_data(as_text=True)  # a reload: fresh
    good = browser.submit(
        page,
        {
            "account_name": "某银行",
            "bank": "某银行北京分行",
            "account_number": "6222 0200 1234 5678",
        },
        page=page,
    )
    assert good.status_code == 302
    shown = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "agreement/1.pdf" in shown and "/agreement/1/sign" not in shown  # mediator signs last


def test_each_party_signs_over_http_and_downloads_are_audited(app: Flask, world) -> None:
    case, who = world["case"], world["who"]
    agreement = support.draft(case, who)
    for role in ("debtor", "creditor", "mediator"):
        db.session.refresh(agreement)
        browser = _as(app, who[role])
        sign_page = f"/cases/{case.id}/agreement/1/sign"
        page = browser.get(sign_page)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert agreement.current_sha256 in html
        sent = browser.submit(
            f"/cases/{case.id}/agreement/1/code", {"channel": "email"}, page=sign_page
        )
        assert sent.status_code == 302
        code = support.last_code(who[role])
        db.session.refresh(agreement)
        signed = browser.submit(
            sign_page,
            {
                "seen_sha256": agreement.current_sha256,
                "password": PASSWORD,
                "code": code,
                "method": "typed",
                "typed_name": who[role].name,
            },
            page=sign_page,
        )
        body = signed.get_data(as_text=True)
        assert signed.status_code == 302, body[body.find("<main") : body.find("<main") + 800]
        download = browser.get(f"/cases/{case.id}/agreement/1.pdf?download=1")
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/pdf"
        assert "attachment" in download.headers["Content-Disposition"]
        assert documents.sha256_of(download.data) == download.headers["ETag"].strip('"')
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.IN_FORCE
    downloads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:agreement:download")
    ).all()
    assert {e.actor_id for e in downloads} == {
        who[r].id for r in ("debtor", "creditor", "mediator")
    }


def test_a_wrong_code_re_renders_the_form_with_a_message_and_saves_nothing(
    app: Flask, world
) -> None:
    case, who = world["case"], world["who"]
    agreement = support.draft(case, who)
    browser = _as(app, who["debtor"])
    sign_page = f"/cases/{case.id}/agreement/1/sign"
    browser.submit(f"/cases/{case.id}/agreement/1/code", {"channel": "sms"}, page=sign_page)
    response = browser.submit(
        sign_page,
        {
            "seen_sha256": agreement.current_sha256,
            "password": PASSWORD,
            "code": "000000" if support.last_code(who["debtor"]) != "000000" else "111111",
            "method": "typed",
            "typed_name": "我的名字",
        },
        page=sign_page,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "我的名字" in html and 'role="alert"' in html
    db.session.refresh(agreement)
    assert agreement.signatures == []


# --- /verify ------------------------------------------------------------------------------


@pytest.fixture
def signed_pdf(world) -> bytes:
    case, who = world["case"], world["who"]
    agreement = support.draft(case, who)
    support.sign_all(case, agreement, who)
    return documents.read_pdf(agreement.current_sha256)


@pytest.fixture(scope="session")
def shared_signed_pdf(worlds: Worlds) -> bytes:
    """A signed agreement made once per session, for the tests that only damage a copy of
    its bytes."""

    def sign() -> bytes:
        who = support.people()
        case = support.settled_case(who)
        agreement = support.draft(case, who)
        support.sign_all(case, agreement, who)
        return documents.read_pdf(agreement.current_sha256)

    return worlds.capture("signed-agreement", sign).value


def _verify(app: Flask, data: bytes) -> tuple[int, str]:
    browser = Browser(app.test_client())
    response = browser.upload("/verify", {"file": (data, "doc.pdf")}, page="/verify")
    return response.status_code, response.get_data(as_text=True)


def test_verify_accepts_the_genuine_signed_agreement(app: Flask, world, signed_pdf: bytes) -> None:
    status, html = _verify(app, signed_pdf)
    assert status == 200
    assert 'class="card verify-result accepted"' in html
    assert world["case"].reference in html and world["who"]["mediator"].name in html


def _flip(data: bytes) -> bytes:
    at = data.index(b"stream") + 40  # inside the first content stream
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _with_added_page_content(data: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (PAID) Tj ET")
    ref = writer.add_object(stream)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    contents = page["/Contents"]
    items = (
        list(contents) if isinstance(contents, generic.ArrayObject) else [page.raw_get("/Contents")]
    )
    page["/Contents"] = generic.ArrayObject([*items, ref])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _foreign_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>Not ours</p>").write_pdf()


@pytest.mark.parametrize(
    ("name", "tamper"),
    [
        ("one byte flipped", _flip),
        ("truncated", lambda d: d[: len(d) // 2]),
        ("incremental update adding page content", _with_added_page_content),
        ("bytes appended after the end", lambda d: d + b"\n% appended\n"),
        ("a PDF we never signed", lambda d: _foreign_pdf()),
        ("a malformed file", lambda d: b"%PDF-1.7\n garbage \x00\x01"),
        ("not a PDF at all", lambda d: b"<html>hello</html>"),
    ],
)
def test_verify_refuses_tampered_and_foreign_files(
    app: Flask, shared_signed_pdf: bytes, name, tamper
) -> None:
    status, html = _verify(app, tamper(shared_signed_pdf))
    assert status == 200, name
    assert 'class="card verify-result refused"' in html, name
    assert "verify-result accepted" not in html


def test_verify_refuses_a_50_mb_file_with_a_clear_message(app: Flask) -> None:
    status, html = _verify(app, b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024))
    assert status == 413
    assert "MB" in html


def test_verify_without_a_file_says_so(app: Flask) -> None:
    browser = Browser(app.test_client())
    response = browser.submit("/verify", {}, page="/verify")
    assert response.status_code == 400


def test_a_drawing_that_is_not_a_png_is_refused_in_words(app: Flask, world) -> None:
    case, who = world["case"], world["who"]
    agreement = support.draft(case, who)
    browser = _as(app, who["debtor"])
    sign_page = f"/cases/{case.id}/agreement/1/sign"
    browser.submit(f"/cases/{case.id}/agreement/1/code", {"channel": "sms"}, page=sign_page)
    response = browser.submit(
        sign_page,
        {
            "seen_sha256": agreement.current_sha256,
            "password": PASSWORD,
            "code": support.last_code(who["debtor"]),
            "method": "drawn",
            "drawing": "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        },
        page=sign_page,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请在框内手写签名" in html
    db.session.refresh(agreement)
    assert agreement.signatures == []


def test_a_signing_code_is_sent_at_most_once_a_minute_and_five_times_an_hour(
    app: Flask, world, frozen_clock
) -> None:
    case, who = world["case"], world["who"]
    support.draft(case, who)
    browser = _as(app, who["debtor"])
    sign_page = f"/cases/{case.id}/agreement/1/sign"

    def ask() -> str:
        """A refusal comes back on the signing page (post/redirect/get, followed)."""
        url = f"/cases/{case.id}/agreement/1/code"
        return browser.submit(url, {"channel": "email"}, page=sign_page).get_data(as_text=True)

    def codes() -> int:
        return len(db.session.scalars(select(OneTimeCode)).all())

    ask()
    assert "验证码刚刚已发送" in ask() and codes() == 1  # the refusal says from when
    for _ in range(4):
        frozen_clock.move_to(clock.now() + timedelta(seconds=61))
        ask()
    assert codes() == 5
    frozen_clock.move_to(clock.now() + timedelta(seconds=61))
    assert "验证码刚刚已发送" in ask() and codes() == 5  # five an hour
