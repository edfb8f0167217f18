"""Bulk actions on the docket: the admin assigns a selection to a mediator, the mediator
(or the admin) sends new invitation links to a selection after a page that shows when
each message will go out under the contact rules. Each case is checked and done as if
alone, refusals reported per case; ids not on the user's docket are left out."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from itertools import count
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.audit import AuditAction
from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case, MediatorConflict
from app.models.invitations import Invitation
from app.models.notifications import Channel, OutboundMessage
from app.models.organisations import MediationOrganisation
from app.models.users import Role, User
from app.notifications.outbox import queue_message
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

S = CaseState
BULK = "/docket/bulk"
_n = count(1)


@pytest.fixture
def org(app: Flask) -> MediationOrganisation:
    return make_mediation_org()


@pytest.fixture
def people(org: MediationOrganisation) -> dict[str, User]:
    foreign = make_mediation_org()
    return {
        "admin": make_user(Role.ADMIN, mediation_org=org),
        "mediator": make_user(Role.MEDIATOR, mediation_org=org, name="调解员甲"),
        "colleague": make_user(Role.MEDIATOR, mediation_org=org, name="调解员乙"),
        "foreign_admin": make_user(Role.ADMIN, mediation_org=foreign),
        "foreign_mediator": make_user(Role.MEDIATOR, mediation_org=foreign),
        "creditor": make_user(Role.CREDITOR),
        "debtor": make_user(Role.DEBTOR),
    }


def _case(people: dict[str, User], who: str = "mediator", state: CaseState = S.SUBMITTED) -> Case:
    """A case of ``who``'s; each debtor with an email and a phone of their own."""
    n = next(_n)
    return make_case(
        creditor=people["creditor"],
        mediator=people[who],
        state=state,
        debtor_email=f"debtor{n}@example.com",
        debtor_phone=f"137{n:08d}",
    )


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    return browser


def _post(browser: Browser, url: str, data: dict[str, Any]) -> Any:
    return browser.submit(url, data, page="/docket", follow_refusal=False)


def _flashes(browser: Browser) -> str:
    return browser.get("/docket").get_data(as_text=True)


# --- the page -------------------------------------------------------------------------------


def test_the_docket_offers_tick_boxes_and_only_the_admin_may_assign(
    app: Flask, people: dict[str, User]
) -> None:
    mine = _case(people)
    html = _as(app, people["mediator"]).get("/docket").get_data(as_text=True)
    assert f'name="case" value="{mine.id}"' in html and "data-select-all" in html
    assert 'value="invite"' in html and 'value="assign"' not in html
    admin_html = _as(app, people["admin"]).get("/docket").get_data(as_text=True)
    assert 'value="assign"' in admin_html
    # the admin's choice of mediators: the organisation's, never another's
    assert "调解员乙" in admin_html and people["foreign_mediator"].name not in admin_html


# --- assigning ------------------------------------------------------------------------------


def test_the_admin_assigns_a_selection_refusals_reported_per_case(
    app: Flask, people: dict[str, User]
) -> None:
    one, two = _case(people), _case(people)
    conflicted_creditor = make_user(Role.CREDITOR)
    conflicted = make_case(creditor=conflicted_creditor, mediator=people["mediator"])
    db.session.add(
        MediatorConflict(
            mediator_id=people["colleague"].id,
            creditor_org_id=conflicted_creditor.creditor_org_id,
            reason="曾任该公司法律顾问",
        )
    )
    closed = _case(people, state=S.PERFORMED)
    foreign = _case(people, "foreign_mediator")
    db.session.commit()
    browser = _as(app, people["admin"])
    answer = _post(
        browser,
        BULK,
        {
            "action": "assign",
            "mediator_id": str(people["colleague"].id),
            "case": [str(c.id) for c in (one, two, conflicted, closed, foreign)],
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/docket")
    for c in (one, two, conflicted, closed, foreign):
        db.session.refresh(c)
    assert one.mediator_id == two.mediator_id == people["colleague"].id
    assert conflicted.mediator_id == closed.mediator_id == people["mediator"].id
    assert foreign.mediator_id == people["foreign_mediator"].id
    html = _flashes(browser)
    assert "2 cases were assigned to 调解员乙" in html
    assert f"{conflicted.reference}: This mediator declared a conflict" in html
    assert f"{closed.reference}: This case can no longer be reassigned" in html
    assert "1 selected case is not on your docket" in html
    assert foreign.reference not in html  # another organisation's case is never named
    reassigned = db.session.scalars(
        select(AuditEvent.case_id).where(AuditEvent.action == AuditAction.CASE_REASSIGN)
    )
    assert sorted(reassigned) == sorted([one.id, two.id])  # the refused one left no trace
    bulk_event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.DOCKET_BULK_ASSIGN)
    ).one()
    assert bulk_event.data["to"] == people["colleague"].id


def test_every_case_on_the_page_is_taken_without_ticking_each(
    app: Flask, people: dict[str, User]
) -> None:
    cases = [_case(people) for _ in range(3)]
    browser = _as(app, people["admin"])
    ids = [str(c.id) for c in cases]
    answer = _post(
        browser,
        BULK,
        {
            "action": "assign",
            "mediator_id": str(people["colleague"].id),
            "all_on_page": "1",
            "page_case": ids,
        },
    )
    assert answer.status_code == 302
    assert {db.session.get(Case, c.id).mediator_id for c in cases} == {people["colleague"].id}  # type: ignore[union-attr]


def test_a_mediator_cannot_assign_and_nothing_changes(app: Flask, people: dict[str, User]) -> None:
    mine = _case(people)
    browser = _as(app, people["mediator"])
    data = {"action": "assign", "mediator_id": str(people["colleague"].id), "case": [str(mine.id)]}
    answer = _post(browser, BULK, data)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/docket")
    shown = browser.get(answer.headers["Location"])
    assert shown.status_code == 400 and "Choose an action" in shown.get_data(as_text=True)
    db.session.refresh(mine)
    assert mine.mediator_id == people["mediator"].id


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"action": "assign", "mediator_id": "X"}, "Select at least one case."),
        ({"action": "assign", "case": ["{id}"]}, "Choose the mediator to assign the cases to."),
        ({"action": "explode", "case": ["{id}"]}, "Choose an action for the selected cases."),
    ],
)
def test_an_incomplete_form_comes_back_to_the_docket_with_why(
    app: Flask, people: dict[str, User], data: dict[str, Any], words: str
) -> None:
    mine = _case(people)
    browser = _as(app, people["admin"])
    form = {
        k: [v.format(id=mine.id) for v in vs] if isinstance(vs, list) else vs
        for k, vs in data.items()
    }
    answer = _post(browser, BULK, form)
    assert answer.status_code == 303
    shown = browser.get(answer.headers["Location"])
    assert shown.status_code == 400 and words in shown.get_data(as_text=True)
    db.session.refresh(mine)
    assert mine.mediator_id == people["mediator"].id


@pytest.mark.parametrize("who", ["creditor", "debtor"])
def test_parties_have_no_bulk_actions(app: Flask, people: dict[str, User], who: str) -> None:
    mine = _case(people, state=S.INVITED)
    browser = _as(app, people[who])
    assert _post(browser, BULK, {"action": "invite", "case": [str(mine.id)]}).status_code == 403
    assert browser.get(f"{BULK}/invitations?case={mine.id}").status_code == 403
    answer = _post(browser, f"{BULK}/invitations/send", {"case": [str(mine.id)]})
    assert answer.status_code == 403
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


# --- invitations ----------------------------------------------------------------------------


@use_case
def _already_contacted(case: Case, times: int) -> None:
    for _ in range(times):
        queue_message(
            address=case.debtor_email or "",
            channel=Channel.EMAIL,
            template="invitation",
            subject="s",
            body="b",
            case_id=case.id,
            to_debtor=True,
        )


def _schedule(html: str) -> list[tuple[str, int]]:
    return [(d, int(n)) for d, n in re.findall(r'data-day="([\d-]+)" data-messages="(\d+)"', html)]


def test_the_schedule_is_shown_before_sending_and_the_messages_go_out_as_shown(
    app: Flask, people: dict[str, User]
) -> None:
    fresh = [_case(people, state=S.INVITED) for _ in range(2)]
    busy = _case(people, state=S.INVITED)
    _already_contacted(busy, 2)  # two outreach messages today: room for one more
    negotiating = _case(people, state=S.NEGOTIATING)
    colleagues = _case(people, "colleague", S.INVITED)
    selected = [*fresh, busy, negotiating, colleagues]
    browser = _as(app, people["mediator"])

    answer = _post(browser, BULK, {"action": "invite", "case": [str(c.id) for c in selected]})
    assert answer.status_code == 303 and "/docket/bulk/invitations?" in answer.headers["Location"]
    review = browser.get(answer.headers["Location"])
    html = review.get_data(as_text=True)
    assert review.status_code == 200
    today = clock.today()
    tomorrow = today + timedelta(days=1)
    # 2 + 2 + 1 today (10:30 Beijing time, outside quiet hours); busy's second tomorrow 08:00
    assert _schedule(html) == [(today.isoformat(), 5), (tomorrow.isoformat(), 1)]
    assert "Today" in html and "Tomorrow" in html and "08:00" in html
    assert f"{negotiating.reference}: This case is not waiting" in html
    assert "1 selected case is not on your docket" in html and colleagues.reference not in html
    assert db.session.scalar(select(func.count(Invitation.id))) == 0  # nothing sent yet

    hidden = re.findall(r'<input type="hidden" name="case" value="(\d+)">', html)
    assert sorted(map(int, hidden)) == sorted(c.id for c in (*fresh, busy))
    answer = browser.submit(f"{BULK}/invitations/send", {"case": hidden}, page="/docket")
    assert answer.status_code == 302
    assert "New invitation links were issued for 3 cases" in _flashes(browser)
    invited = db.session.scalars(select(Invitation.case_id)).all()
    assert sorted(invited) == sorted(c.id for c in (*fresh, busy))
    morning = datetime.combine(tomorrow, time(8), tzinfo=clock.legal_tz())
    due = db.session.scalars(
        select(OutboundMessage.due_at).where(
            OutboundMessage.case_id == busy.id, OutboundMessage.template == "invitation"
        )
    ).all()
    assert sorted(due)[-1] == morning  # the day's third outreach today, the fourth tomorrow
    assert (
        db.session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.case_id.in_([c.id for c in fresh]),
                OutboundMessage.due_at > clock.now(),
            )
        )
        == 0
    )
    db.session.refresh(negotiating)
    assert negotiating.state == S.NEGOTIATING


def test_in_quiet_hours_every_invitation_waits_for_the_morning(
    app: Flask, people: dict[str, User], frozen_clock: Any
) -> None:
    frozen_clock.move_to(datetime(2026, 12, 1, 22, 15, tzinfo=clock.legal_tz()))
    cases = [_case(people, state=S.INVITED) for _ in range(3)]
    browser = _as(app, people["admin"])  # the admin may send them for the organisation
    html = browser.get(f"{BULK}/invitations?" + "&".join(f"case={c.id}" for c in cases))
    assert _schedule(html.get_data(as_text=True)) == [("2026-12-02", 6)]
    assert "Tomorrow" in html.get_data(as_text=True)


def test_a_foreign_mediator_s_selection_sends_nothing(app: Flask, people: dict[str, User]) -> None:
    theirs = _case(people, state=S.INVITED)
    browser = _as(app, people["foreign_mediator"])
    answer = browser.submit(f"{BULK}/invitations/send", {"case": [str(theirs.id)]}, page="/docket")
    assert answer.status_code == 302
    assert "1 selected case is not on your docket" in _flashes(browser)
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    html = browser.get(f"{BULK}/invitations?case={theirs.id}").get_data(as_text=True)
    assert theirs.reference not in html and "None of the selected cases" in html
