"""Restructuring over HTTP: the debtor's request form (refusals shown next to the inputs),
the creditor's answers, the mediator's draft, the supplementary agreement's PDF and
signing pages; every route refuses the other debtor, another creditor organisation, an
unassigned mediator and the admin, and changes nothing for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cases.lifecycle import today
from app.documents import issued as documents
from app.extensions import db
from app.models import AuditEvent
from app.models.restructuring import (
    RequestStatus,
    RestructuringRequest,
    SupplementaryAgreement,
)
from app.models.users import User
from app.restructuring import drafting, requests
from tests import restructuring_support as support
from tests.factories import PASSWORD
from tests.helpers import Browser

OUTSIDERS = ("other_creditor", "colleague_mediator", "foreign_mediator", "admin", "other_debtor")
PARTIES = {"creditor", "creditor_colleague", "debtor"}
SIGNERS = PARTIES | {"mediator"}


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """Case A: the debtor's request waits for the creditor. Case B: terms agreed, the
    supplementary agreement drafted and waiting for signatures."""
    who, asked, _ = support.partly_paid_case()
    requests.file_request(who["debtor"], asked, "失业", support.new_schedule())
    _, drafted, _ = support.partly_paid_case(who)
    support.accepted_request(who, drafted)
    supplement = drafting.draft_supplementary(who["mediator"], drafted)
    return {"who": who, "asked": asked, "drafted": drafted, "supplement": supplement}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _terms(total: str = "22500.00", count: str = "30") -> dict[str, str]:
    return {
        "kind": "instalments",
        "total": total,
        "count": count,
        "frequency": "monthly",
        "first_due": (today() + timedelta(days=40)).isoformat(),
        "reason": "失业，收入减少",
    }


def _routes(world: dict[str, Any]) -> list[tuple[str, str, Any, set[str]]]:
    a, b = world["asked"].id, world["drafted"].id
    return [
        ("GET", f"/cases/{a}/restructuring/new", None, {"debtor"}),
        ("POST", f"/cases/{a}/restructuring/new", _terms(), {"debtor"}),
        ("GET", f"/cases/{a}/restructuring/counter", None, PARTIES),
        ("POST", f"/cases/{a}/restructuring/counter", _terms(total="1"), PARTIES),
        ("GET", f"/cases/{a}/restructuring/decline", None, PARTIES),
        ("POST", f"/cases/{a}/restructuring/decline", {"reason": ""}, PARTIES),
        ("POST", f"/cases/{b}/supplementary/draft", {}, {"mediator"}),
        ("GET", f"/cases/{b}/supplementary/1.pdf", None, SIGNERS),
        ("GET", f"/cases/{b}/supplementary/1/sign", None, SIGNERS),
        ("POST", f"/cases/{b}/supplementary/1/sign", {"password": "x"}, SIGNERS),
        ("POST", f"/cases/{b}/supplementary/1/code", {}, SIGNERS),
        ("POST", f"/cases/{a}/restructuring/accept", {}, PARTIES),
    ]


def _call(browser: Browser, method: str, url: str, data: Any) -> Any:
    if method == "GET":
        return browser.get(url)
    return browser.submit(url, data, page="/account/")


def _snapshot() -> tuple[Any, ...]:
    rows = db.session.execute(
        select(RestructuringRequest.id, RestructuringRequest.status, RestructuringRequest.offers)
    ).all()
    supplements = db.session.execute(
        select(SupplementaryAgreement.id, SupplementaryAgreement.status)
    ).all()
    events = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action.like("case:restructuring:%")
            | AuditEvent.action.like("case:supplementary:%")
        )
    )
    return tuple(map(tuple, rows)), tuple(map(tuple, supplements)), events


@pytest.mark.parametrize("actor", OUTSIDERS)
def test_outsiders_are_refused_on_every_restructuring_route(
    app: Flask, world: dict[str, Any], actor: str
) -> None:
    before = _snapshot()
    browser = _as(app, world["who"][actor])
    for method, url, data, _ in _routes(world):
        response = _call(browser, method, url, data)
        assert response.status_code in (403, 404), (actor, method, url, response.status_code)
    assert _snapshot() == before
    page = browser.get(f"/cases/{world['asked'].id}")
    assert 'id="restructuring"' not in page.get_data(as_text=True)


@pytest.mark.parametrize("actor", sorted(SIGNERS))
def test_each_person_on_the_case_is_refused_the_routes_of_others(
    app: Flask, world: dict[str, Any], actor: str
) -> None:
    browser = _as(app, world["who"][actor])
    for method, url, data, allowed in _routes(world):
        response = _call(browser, method, url, data)
        if actor in allowed:
            assert response.status_code not in (403, 404), (actor, method, url)
        else:
            assert response.status_code in (403, 404), (actor, method, url, response.status_code)


def test_a_version_of_one_case_is_not_reached_through_another_case(
    app: Flask, world: dict[str, Any]
) -> None:
    browser = _as(app, world["who"]["debtor"])
    a = world["asked"].id
    assert browser.get(f"/cases/{a}/supplementary/1.pdf").status_code == 404
    assert browser.get(f"/cases/{a}/supplementary/1/sign").status_code == 404


def test_the_debtor_asks_on_the_case_page_and_a_wrong_total_is_shown_on_the_form(
    app: Flask, world: dict[str, Any]
) -> None:
    who = world["who"]
    _, case, _ = support.partly_paid_case(who)
    browser = _as(app, who["debtor"])
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/restructuring/new" in page
    form = browser.get(f"/cases/{case.id}/restructuring/new")
    assert form.status_code == 200 and "22,500.00" in form.get_data(as_text=True)
    wrong = browser.submit(
        f"/cases/{case.id}/restructuring/new", _terms(total="24000.00"), page="/account/"
    )
    assert wrong.status_code == 422
    assert "22,500.00" in wrong.get_data(as_text=True)  # the remaining balance, named
    no_reason = browser.submit(
        f"/cases/{case.id}/restructuring/new", {**_terms(), "reason": ""}, page="/account/"
    )
    assert no_reason.status_code == 422
    no_count = browser.submit(
        f"/cases/{case.id}/restructuring/new", _terms(count="0"), page="/account/"
    )
    assert no_count.status_code == 422 and "1至60" in no_count.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(RestructuringRequest)
            .where(RestructuringRequest.case_id == case.id)
        )
        == 0
    )
    sent = browser.submit(f"/cases/{case.id}/restructuring/new", _terms(), page="/account/")
    assert sent.status_code == 302
    again = browser.submit(f"/cases/{case.id}/restructuring/new", _terms(), page="/account/")
    assert again.status_code == 409  # a second open request
    shown = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "失业，收入减少" in shown


def test_the_creditor_declines_with_a_reason_and_accepts_the_next_request(
    app: Flask, world: dict[str, Any]
) -> None:
    case = world["asked"]
    browser = _as(app, world["who"]["creditor"])
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/restructuring/accept" in page
    empty = browser.submit(
        f"/cases/{case.id}/restructuring/decline", {"reason": " "}, page="/account/"
    )
    assert empty.status_code == 422
    done = browser.submit(
        f"/cases/{case.id}/restructuring/decline", {"reason": "证明不足"}, page="/account/"
    )
    assert done.status_code == 302
    request = db.session.scalar(
        select(RestructuringRequest).where(RestructuringRequest.case_id == case.id)
    )
    assert request is not None and request.status == RequestStatus.DECLINED
    assert request.decline_reason == "证明不足"


def test_accept_then_the_mediator_drafts_and_the_debtor_opens_the_signing_page(
    app: Flask, world: dict[str, Any]
) -> None:
    case, who = world["asked"], world["who"]
    creditor = _as(app, who["creditor"])
    assert (
        creditor.submit(f"/cases/{case.id}/restructuring/accept", {}, page="/account/")
    ).status_code == 302
    mediator = _as(app, who["mediator"])
    page = mediator.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/supplementary/draft" in page
    assert (
        mediator.submit(f"/cases/{case.id}/supplementary/draft", {}, page="/account/")
    ).status_code == 302
    supplement = db.session.scalar(
        select(SupplementaryAgreement).where(SupplementaryAgreement.case_id == case.id)
    )
    assert supplement is not None
    debtor = _as(app, who["debtor"])
    sign = debtor.get(f"/cases/{case.id}/supplementary/{supplement.version}/sign")
    assert sign.status_code == 200 and supplement.current_sha256 in sign.get_data(as_text=True)
    pdf = debtor.get(f"/cases/{case.id}/supplementary/{supplement.version}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["X-Content-SHA256"] == supplement.current_sha256


def test_once_in_force_the_repayment_panel_shows_the_superseded_instalments(
    app: Flask, world: dict[str, Any]
) -> None:
    who = world["who"]
    _, case, _ = support.partly_paid_case(who)
    support.supplement_in_force(who, case, count=6)
    browser = _as(app, who["creditor"])
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "badge-instalment-superseded" in page
    assert page.count("badge-instalment-superseded") == 23  # instalments 2 to 24
    assert "badge-restructuring-completed" in page


def test_verify_accepts_the_signed_supplementary_agreement_and_refuses_a_changed_byte(
    app: Flask, world: dict[str, Any]
) -> None:
    who = world["who"]
    _, case, _ = support.partly_paid_case(who)
    supplement = support.supplement_in_force(who, case, count=3)
    data = documents.read_pdf(supplement.current_sha256)
    browser = Browser(app.test_client())
    response = browser.upload("/verify", {"file": (data, "supplementary.pdf")}, page="/verify")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="card verify-result accepted"' in html
    assert case.reference in html and "补充协议" in html
    changed = data[:-20] + bytes([data[-20] ^ 1]) + data[-19:]
    html = browser.upload("/verify", {"file": (changed, "s.pdf")}, page="/verify").get_data(
        as_text=True
    )
    assert "verify-result accepted" not in html


def test_refused_supplementary_signing_and_code_redirect_back_to_the_page(
    app: Flask, world: dict[str, Any]
) -> None:
    """Post/redirect/get (app.core.prg): a refused signature keeps the mark typed; a code
    asked again at once is refused on the signing page."""
    case = world["drafted"]
    browser = _as(app, world["who"]["debtor"])
    url = f"/cases/{case.id}/supplementary/1/sign"
    form = {"method": "typed", "typed_name": "刘强（补）", "password": "x"}
    answer = browser.submit(url, form, page=url, follow_refusal=False)
    assert answer.status_code == 303 and answer.headers["Location"] == url
    assert "刘强（补）" in browser.get(url).get_data(as_text=True)
    code = f"/cases/{case.id}/supplementary/1/code"
    browser.submit(code, {"channel": "email"}, page=url)
    again = browser.submit(code, {"channel": "email"}, page=url, follow_refusal=False)
    assert again.status_code == 303 and browser.left_stash()
