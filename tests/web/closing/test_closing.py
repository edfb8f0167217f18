"""Ending a mediation and extending its period over HTTP: the case page shows the deadline
and the ways to act; ending asks for a reason and a confirmation on a page of its own (no
one-tap close) and re-renders with the message when either is missing; the extension is
proposed by one party and agreed by the other. Every route refuses everyone else (another
creditor organisation, another debtor, an unassigned mediator, the admin) and changes
nothing for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.closing.facts import mediation_end
from app.core import clock
from app.extensions import db
from app.models import AuditEvent
from app.models.users import User
from app.rules.cases import CaseState
from tests import agreement_support as support
from tests.closing_support import END_REASON, negotiating_case
from tests.factories import PASSWORD
from tests.helpers import Browser, refused

ACTORS = (
    "creditor",
    "creditor_colleague",
    "other_creditor",
    "mediator",
    "colleague_mediator",
    "foreign_mediator",
    "admin",
    "debtor",
    "other_debtor",
)
PARTIES = {"creditor", "creditor_colleague", "debtor"}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _events(case: Any) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action.like("case:mediation:%"))
    )


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    who = support.people()
    case = negotiating_case(who, clock.now() - timedelta(days=5))
    return {"who": who, "case": case, "end": mediation_end(case)}


def _requests(w: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, str]]]:
    cid, end = w["case"].id, w["end"]
    ending = {"reason": END_REASON, "confirm": "1"}
    return {
        "end_page": ("GET", f"/cases/{cid}/end", {}),
        "end": ("POST", f"/cases/{cid}/end", ending),
        "terminate_page": ("GET", f"/cases/{cid}/terminate", {}),
        "terminate": ("POST", f"/cases/{cid}/terminate", ending),
        "extension": ("POST", f"/cases/{cid}/extension", {"until": str(end + timedelta(days=9))}),
        "answer": ("POST", f"/cases/{cid}/extension/answer", {"answer": "accept"}),
    }


ALLOWED = {
    "end_page": PARTIES,
    "end": PARTIES,
    "terminate_page": {"mediator"},
    "terminate": {"mediator"},
    "extension": PARTIES,
    "answer": PARTIES,
}


@pytest.mark.parametrize("route", sorted(ALLOWED))
@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_parties_or_the_assigned_mediator_reach_each_route(
    app: Flask, world: dict[str, Any], route: str, actor: str
) -> None:
    case = world["case"]
    method, url, data = _requests(world)[route]
    browser = _as(app, world["who"][actor])
    before = _events(case)
    get = method == "GET"
    response = browser.get(url) if get else browser.submit(url, data, page="/account/")
    db.session.expire_all()
    if actor in ALLOWED[route]:  # reached: done, or refused back to its page (a 303)
        assert response.status_code in (200, 302) or refused(response), (actor, response)
        return
    assert response.status_code in (403, 404), (actor, response.status_code)
    assert case.state == CaseState.NEGOTIATING
    assert case.extension_proposed_until is None
    assert _events(case) == before


def test_the_case_page_shows_the_deadline_and_the_way_to_end(
    app: Flask, world: dict[str, Any]
) -> None:
    case = world["case"]
    page = _as(app, world["who"]["debtor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="mediation"' in page
    assert f'/cases/{case.id}/end"' in page and f"/cases/{case.id}/extension" in page
    mediator = _as(app, world["who"]["mediator"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'/cases/{case.id}/terminate"' in mediator
    assert f"/cases/{case.id}/extension" not in mediator  # the parties extend, not the mediator


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "", "confirm": "1"}, "请说明终结调解的理由"),
        ({"reason": END_REASON}, "请勾选确认"),
    ],
)
def test_ending_without_reason_or_confirmation_shows_the_form_again(
    app: Flask, world: dict[str, Any], data: dict[str, str], message: str
) -> None:
    case = world["case"]
    browser = _as(app, world["who"]["debtor"])
    form = browser.get(f"/cases/{case.id}/end")
    assert form.status_code == 200 and 'name="confirm"' in form.get_data(as_text=True)
    response = browser.submit(f"/cases/{case.id}/end", data, page=f"/cases/{case.id}/end")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    db.session.expire_all()
    assert case.state == CaseState.NEGOTIATING and _events(case) == 0


def test_the_mediator_ends_the_mediation_and_the_page_says_why(
    app: Flask, world: dict[str, Any]
) -> None:
    case = world["case"]
    browser = _as(app, world["who"]["mediator"])
    response = browser.submit(
        f"/cases/{case.id}/terminate",
        {"reason": END_REASON, "confirm": "1"},
        page=f"/cases/{case.id}/terminate",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert case.state == CaseState.CLOSED_NOT_MEDIATED and case.failure_ground == "no_agreement"
    page = _as(app, world["who"]["creditor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "调解员终结了调解：双方无法达成协议。" in page
    assert f"/cases/{case.id}/certificate.pdf" in page
    # Closed: the routes refuse now.
    again = browser.submit(
        f"/cases/{case.id}/terminate", {"reason": "x", "confirm": "1"}, page="/account/"
    )
    assert again.status_code == 404


def test_one_party_proposes_an_extension_and_the_other_agrees(
    app: Flask, world: dict[str, Any]
) -> None:
    case, end = world["case"], world["end"]
    until = end + timedelta(days=9)
    creditor = _as(app, world["who"]["creditor"])
    response = creditor.submit(
        f"/cases/{case.id}/extension", {"until": until.isoformat()}, page=f"/cases/{case.id}"
    )
    assert response.status_code == 302
    creditor_page = creditor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已发送给另一方当事人" in creditor_page
    assert f"/cases/{case.id}/extension/answer" not in creditor_page  # not its own proposal
    debtor = _as(app, world["who"]["debtor"])
    page = debtor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "债权人提议将调解期限延长至" in page and f"/cases/{case.id}/extension/answer" in page
    debtor.submit(
        f"/cases/{case.id}/extension/answer", {"answer": "accept"}, page=f"/cases/{case.id}"
    )
    db.session.expire_all()
    assert case.mediation_extended_until == until and case.next_deadline == until
    page = debtor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "经双方当事人同意延长" in page


@pytest.mark.parametrize(
    ("until", "message"),
    [("not-a-date", "YYYY-MM-DD"), ("2026-12-02", "请选择晚于当前调解期限届满日的日期")],
)
def test_a_bad_extension_date_is_refused_in_words(
    app: Flask, world: dict[str, Any], until: str, message: str
) -> None:
    case = world["case"]
    browser = _as(app, world["who"]["debtor"])
    response = browser.submit(
        f"/cases/{case.id}/extension", {"until": until}, page=f"/cases/{case.id}"
    )
    assert refused(response) and response.status_code in (400, 409)
    page = response.get_data(as_text=True)  # the case page after the 303, once
    assert message in page and f'value="{until}"' in page
    assert message not in browser.get(f"/cases/{case.id}").get_data(as_text=True)
    db.session.expire_all()
    assert case.extension_proposed_until is None
