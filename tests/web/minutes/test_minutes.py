"""Session records (调解笔录) over HTTP: the mediator writes one from a held session (the
form starts from the contact record; refusals come back to the form with what was typed),
sends it, and the parties sign it on a page that shows the exact file's pages as images;
a draft is the mediator's alone; every route refuses the other debtor, another creditor
organisation, an unassigned mediator and the admin, and changes nothing for them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.documents import issued as documents
from app.extensions import db
from app.models import AuditEvent
from app.models.minutes import MediationRecord, RecordStatus
from app.models.users import User
from tests import minutes_support as support
from tests.agreement_support import last_code, people
from tests.factories import PASSWORD
from tests.helpers import Browser, refused

OUTSIDERS = ("other_creditor", "colleague_mediator", "foreign_mediator", "admin", "other_debtor")


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """A negotiating case with a held video session, a draft record of another session
    and a record sent for confirmation."""
    who = people()
    case = support.negotiating_case(who)
    contact = support.held_session(who, case)
    draft = support.written_record(who, case)
    sent = support.sent_record(who, case)
    return {"who": who, "case": case, "contact": contact, "draft": draft, "sent": sent}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _form(**over: str) -> dict[str, str]:
    values = {
        "started_at": "2026-11-30T14:00",
        "ended_at": "2026-11-30T15:10",
        "place": "本平台在线视频调解",
        "name-1": "王调解",
        "role-1": "调解员",
        "name-2": "李代理",
        "role-2": "债权人委托代理人",
        "name-3": "吉䶮𠮷",
        "role-3": "债务人",
        "creditor_statement": "要求一次性偿还。",
        "debtor_statement": "希望分期偿还。",
        "agreed": "同意分期。",
        "not_agreed": "",
    }
    values.update(over)
    return values


def _routes(world: dict[str, Any]) -> list[tuple[str, str, Any]]:
    case, sent, draft = world["case"].id, world["sent"], world["draft"]
    sha = sent.current_sha256
    return [
        ("GET", f"/cases/{case}/contacts/{world['contact'].id}/record", None),
        ("POST", f"/cases/{case}/contacts/{world['contact'].id}/record", _form()),
        ("GET", f"/cases/{case}/records/{sent.id}", None),
        ("GET", f"/cases/{case}/records/{draft.id}", None),
        ("GET", f"/cases/{case}/records/{sent.id}/edit", None),
        ("POST", f"/cases/{case}/records/{sent.id}/edit", _form()),
        ("POST", f"/cases/{case}/records/{draft.id}/submit", {}),
        ("GET", f"/cases/{case}/records/{sent.id}.pdf", None),
        ("GET", f"/cases/{case}/records/{sent.id}/pages/{sha}/1.png", None),
        ("GET", f"/cases/{case}/records/{sent.id}/sign", None),
        ("POST", f"/cases/{case}/records/{sent.id}/sign", {"password": PASSWORD}),
        ("POST", f"/cases/{case}/records/{sent.id}/code", {"channel": "email"}),
    ]


def _state() -> tuple[Any, ...]:
    return (
        db.session.scalar(select(func.count()).select_from(MediationRecord)),
        db.session.scalar(select(func.max(MediationRecord.lock_version))),
        db.session.scalar(select(func.count()).where(AuditEvent.action.like("case:minutes:%"))),
    )


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_are_refused_every_route_and_change_nothing(
    app: Flask, world: dict[str, Any], outsider: str
) -> None:
    browser = _as(app, world["who"][outsider])
    before = _state()
    for method, url, data in _routes(world):
        if method == "GET":
            status = browser.get(url).status_code
        else:
            status = browser.submit(url, data, page="/account/", follow_refusal=False).status_code
        assert status in (403, 404), (outsider, method, url, status)
    assert _state() == before


def test_a_draft_is_the_mediators_alone_and_parties_cannot_write(
    app: Flask, world: dict[str, Any]
) -> None:
    case, draft, sent = world["case"], world["draft"], world["sent"]
    for role in ("debtor", "creditor"):
        browser = _as(app, world["who"][role])
        assert browser.get(f"/cases/{case.id}/records/{draft.id}").status_code == 404
        assert browser.get(f"/cases/{case.id}/records/{sent.id}").status_code == 200
        new = f"/cases/{case.id}/contacts/{world['contact'].id}/record"
        assert browser.get(new).status_code in (403, 404)
        page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
        assert f"/records/{sent.id}" in page and f"/records/{draft.id}" not in page


def test_the_mediator_writes_the_record_from_the_session_and_sends_it(
    app: Flask, world: dict[str, Any]
) -> None:
    who, case, contact = world["who"], world["case"], world["contact"]
    browser = _as(app, who["mediator"])
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    url = f"/cases/{case.id}/contacts/{contact.id}/record"
    assert url in page  # the case page offers to write the held session's record
    form = browser.get(url).get_data(as_text=True)
    assert "本平台在线视频调解" in form and "被申请人（债务人）" in form

    answer = browser.submit(url, _form(debtor_statement=" "), page=url)
    assert refused(answer) and answer.status_code == 422
    assert "要求一次性偿还。" in answer.get_data(as_text=True)  # what was typed is kept

    done = browser.submit(url, _form(), page=url)
    assert done.status_code == 302
    record = db.session.scalar(
        select(MediationRecord).where(MediationRecord.contact_record_id == contact.id)
    )
    assert record is not None and done.headers["Location"].endswith(f"/records/{record.id}")
    assert record.status == RecordStatus.DRAFT and record.participants[2]["name"] == "吉䶮𠮷"
    assert browser.get(url).status_code == 302  # one record per session: shown, not rewritten

    submit = f"/cases/{case.id}/records/{record.id}/submit"
    assert browser.submit(submit, {}, page=done.headers["Location"]).status_code == 302
    db.session.refresh(record)
    assert record.status == RecordStatus.AWAITING
    again = browser.submit(submit, {}, page=done.headers["Location"], follow_refusal=False)
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/records/{record.id}")


def test_the_debtor_reads_the_pages_and_signs_with_password_and_code(
    app: Flask, world: dict[str, Any]
) -> None:
    who, case, sent = world["who"], world["case"], world["sent"]
    browser = _as(app, who["debtor"])
    url = f"/cases/{case.id}/records/{sent.id}/sign"
    html = browser.get(url).get_data(as_text=True)
    image = f"/cases/{case.id}/records/{sent.id}/pages/{sent.current_sha256}/1.png"
    assert image in html and sent.current_sha256 in html
    # Above the pages, the record's main points as printed in it (readable on a phone).
    summary = html.split('id="record-summary"', 1)[1].split("</section>", 1)[0]
    assert support.AGREED in summary and support.NOT_AGREED in summary and sent.place in summary
    png = browser.get(image)
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert browser.get(image.replace("/1.png", "/9.png")).status_code == 404
    pdf = browser.get(f"/cases/{case.id}/records/{sent.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    browser.submit(f"/cases/{case.id}/records/{sent.id}/code", {"channel": "email"}, page=url)
    form = {
        "seen_sha256": sent.current_sha256,
        "password": PASSWORD,
        "code": last_code(who["debtor"]),
        "method": "typed",
        "typed_name": who["debtor"].name,
    }
    assert browser.submit(url, form, page=url).status_code == 302
    db.session.refresh(sent)
    assert [s.role for s in sent.signatures] == ["debtor"]
    assert sent.current_sha256 != sent.base_sha256


def test_refused_record_signing_and_code_redirect_back_to_the_page(
    app: Flask, world: dict[str, Any]
) -> None:
    """Post/redirect/get (app.core.prg): a refused signature keeps the mark typed; a code
    asked again at once is refused on the signing page; the mediator before the parties
    is refused too."""
    case, sent = world["case"], world["sent"]
    browser = _as(app, world["who"]["debtor"])
    url = f"/cases/{case.id}/records/{sent.id}/sign"
    form = {"method": "typed", "typed_name": "吉（笔录）", "password": "x"}
    answer = browser.submit(url, form, page=url, follow_refusal=False)
    assert answer.status_code == 303 and answer.headers["Location"] == url
    assert "吉（笔录）" in browser.get(url).get_data(as_text=True)
    code = f"/cases/{case.id}/records/{sent.id}/code"
    browser.submit(code, {"channel": "email"}, page=url)
    again = browser.submit(code, {"channel": "email"}, page=url, follow_refusal=False)
    assert again.status_code == 303 and again.headers["Location"] == url

    mediator = _as(app, world["who"]["mediator"])
    early = mediator.submit(code, {"channel": "email"}, page=url, follow_refusal=False)
    assert early.status_code == 303 and early.headers["Location"] == url


def test_a_refused_edit_redirects_back_and_an_edit_after_a_signature_warns(
    app: Flask, world: dict[str, Any]
) -> None:
    who, case, sent = world["who"], world["case"], world["sent"]
    support.sign_record(case, sent, who["debtor"], typed_name=who["debtor"].name)
    browser = _as(app, who["mediator"])
    url = f"/cases/{case.id}/records/{sent.id}/edit"
    page = browser.get(url).get_data(as_text=True)
    assert "every signature must be given again" in page or "重新签名" in page
    answer = browser.submit(url, _form(ended_at="2026-11-30T13:00"), page=url, follow_refusal=False)
    assert answer.status_code == 303 and answer.headers["Location"] == url
    assert browser.submit(url, _form(), page=url).status_code == 302
    db.session.refresh(sent)
    assert sent.version == 2 and sent.status == RecordStatus.DRAFT


def test_the_contact_history_links_each_held_session_to_its_record(
    app: Flask, world: dict[str, Any]
) -> None:
    case, contact, sent, draft = world["case"], world["contact"], world["sent"], world["draft"]
    mediator = _as(app, world["who"]["mediator"]).get(f"/cases/{case.id}/contact-log")
    html = mediator.get_data(as_text=True)
    assert f"/cases/{case.id}/contacts/{contact.id}/record" in html  # still to be written
    assert f"/records/{sent.id}" in html and f"/records/{draft.id}" in html
    debtor = _as(app, world["who"]["debtor"]).get(f"/cases/{case.id}/contact-log")
    text = debtor.get_data(as_text=True)
    assert f"/records/{sent.id}" in text
    assert f"/records/{draft.id}" not in text and '/record"' not in text


def test_verify_accepts_the_confirmed_record_and_refuses_a_changed_byte(app: Flask) -> None:
    who = people()
    case = support.negotiating_case(who)
    record = support.confirmed_record(who, case)
    data = documents.read_pdf(record.current_sha256 or "")
    browser = Browser(app.test_client())
    response = browser.upload("/verify", {"file": (data, "record.pdf")}, page="/verify")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="card verify-result accepted"' in html
    assert case.reference in html and "调解笔录" in html
    changed = data[:-20] + bytes([data[-20] ^ 1]) + data[-19:]
    again = browser.upload("/verify", {"file": (changed, "r.pdf")}, page="/verify")
    assert "verify-result accepted" not in again.get_data(as_text=True)
