"""Proposals: the strict form, the refusals of issue 4, the negotiation flow through the
HTTP stack, the case-page panel (what each viewer sees, how many queries it costs), the
notifications, and the access matrix over every proposal endpoint."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from app.cases.lifecycle import today
from app.extensions import db
from app.models import AuditEvent, Case, OutboundMessage, Proposal, ProposalInstalment
from app.models.negotiation import FinancialStatement
from app.models.organisations import LicenceType
from app.models.users import Role, User
from app.negotiation import proposal_queries as queries
from app.negotiation import proposals as service
from app.negotiation.proposals import Offer
from app.negotiation.views.proposal_form import parse_offer
from app.negotiation.views.proposals import proposals_panel
from app.rules.cases import CaseState
from app.rules.errors import InvalidInput
from app.rules.proposals import ProposalRuleError, ProposalState, Side
from app.rules.schedules import Frequency, Instalment, Schedule
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    org, foreign_org = make_mediation_org(), make_mediation_org()
    creditor = make_user(Role.CREDITOR)
    people: dict[str, User] = {
        "own_creditor": creditor,
        "creditor_colleague": make_user(Role.CREDITOR, creditor_org_id=creditor.creditor_org_id),
        "other_creditor": make_user(Role.CREDITOR),
        "assigned_mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "colleague_mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "foreign_mediator": make_user(Role.MEDIATOR, mediation_org=foreign_org),
        "own_admin": make_user(Role.ADMIN, mediation_org=org),
        "the_debtor": make_user(Role.DEBTOR),
        "other_debtor": make_user(Role.DEBTOR),
    }
    case = make_case(
        creditor=creditor,
        mediator=people["assigned_mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=people["the_debtor"].id,
    )
    return {"people": people, "case": case}


def _as(app: Flask, user: User, english: bool = False) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    if english:
        browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    return browser


def _soon(days: int = 30) -> date:
    return today() + timedelta(days=days)


def _instalments(**over: str) -> dict[str, str]:
    return {
        "kind": "instalments",
        "total": "24000",
        "count": "12",
        "frequency": "monthly",
        "first_due": _soon().isoformat(),
        **over,
    }


def _post(browser: Browser, url: str, data: dict[str, str] | None = None) -> Any:
    return browser.submit(url, data or {}, page="/account/")


def _offer(**over: Any) -> Offer:
    values: dict[str, Any] = {
        "kind": "instalments",
        "total": Decimal("24000.00"),
        "first_due": _soon(),
        "count": 12,
        "frequency": Frequency.MONTHLY,
        **over,
    }
    return Offer(**values)


def _propose(user: User, case: Case, **over: Any) -> Proposal:
    return service.submit_proposal(user, case, _offer(**over))


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _fresh(proposal: Proposal) -> Proposal:
    db.session.expire_all()
    found = db.session.get(Proposal, proposal.id)
    assert found is not None
    return found


def _case_state(case: Case) -> CaseState:
    db.session.expire_all()
    return db.session.get(Case, case.id).state  # type: ignore[union-attr]


def _actions(case_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
        )
    )


# --- the form, strictly ------------------------------------------------------------------


def test_a_valid_instalment_form_becomes_an_offer() -> None:
    offer, errors = parse_offer(
        _instalments(down_payment="1,000.50", waive_penalty="yes", note=" ok "), date(2026, 1, 1)
    )
    assert errors == {}
    assert offer is not None
    assert offer.total == Decimal("24000.00") and offer.down_payment == Decimal("1000.50")
    assert offer.count == 12 and offer.frequency is Frequency.MONTHLY
    assert offer.waive_penalty and not offer.waive_interest and offer.note == "ok"


def test_a_valid_lump_sum_form_ignores_the_instalment_fields() -> None:
    form = {"kind": "lump_sum", "total": "¥20000", "due_date": "2026-02-01", "count": "x"}
    offer, errors = parse_offer(form, date(2026, 1, 1))
    assert errors == {} and offer is not None
    assert offer.first_due == date(2026, 2, 1) and offer.count is None


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"count": "0"}, "count", "instalment_count"),
        ({"count": "61"}, "count", "instalment_count"),
        ({"count": "1.5"}, "count", "number_format"),
        ({"count": "-3"}, "count", "number_format"),
        ({"count": "１２"}, "count", "number_format"),
        ({"count": ""}, "count", "required"),
        ({"total": "-100"}, "total", "money_negative"),
        ({"total": "abc"}, "total", "money_format"),
        ({"total": "1e4"}, "total", "money_format"),
        ({"total": "100.001"}, "total", "money_precision"),
        ({"total": "0"}, "total", "money_zero"),
        ({"down_payment": "-5"}, "down_payment", "money_negative"),
        ({"first_due": "2025-12-31"}, "first_due", "first_due_past"),
        ({"first_due": "9999-12-31"}, "first_due", "due_too_late"),
        ({"first_due": "2036-01-02"}, "first_due", "due_too_late"),
        ({"first_due": "2026/02/01"}, "first_due", "date_format"),
        ({"first_due": "2026-02-30"}, "first_due", "date_format"),
        ({"frequency": "daily"}, "frequency", "choice"),
        ({"kind": "barter"}, "kind", "choice"),
        ({"note": "x" * 2001}, "note", "too_long"),
    ],
)
def test_bad_form_input_is_refused_field_by_field(over: dict, field: str, code: str) -> None:
    form = _instalments(**{"first_due": "2026-02-01", **over})
    offer, errors = parse_offer(form, date(2026, 1, 1))
    assert offer is None and errors.get(field) == code


# --- refusals through the HTTP stack: nothing saved, 400 ---------------------------------


@pytest.mark.parametrize(
    "over",
    [
        pytest.param({"total": "31800.01"}, id="total-above-claim"),
        pytest.param({"total": "31800", "waive_interest": "yes"}, id="above-waived-claim"),
        pytest.param({"total": "-100"}, id="negative"),
        pytest.param({"total": "一万"}, id="non-numeric"),
        pytest.param({"count": "0"}, id="zero-instalments"),
        pytest.param({"count": "61"}, id="61-instalments"),
        pytest.param({"first_due": "2000-01-01"}, id="first-due-in-the-past"),
        pytest.param({"down_payment": "24000"}, id="down-payment-not-below-total"),
        pytest.param({"kind": "lump_sum", "due_date": "2000-01-01"}, id="lump-sum-due-in-the-past"),
    ],
)
def test_bad_proposals_are_refused_with_400_and_nothing_saved(app: Flask, world, over) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["the_debtor"])
    events = _count(AuditEvent)
    response = _post(browser, f"/cases/{case.id}/proposals/new", _instalments(**over))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="proposal-errors"' in html and 'aria-invalid="true"' in html
    # The typed values come back.
    assert f'value="{over.get("total", "24000")}"' in html
    assert _count(Proposal) == 0 and _count(ProposalInstalment) == 0
    assert _count(AuditEvent) == events and _count(OutboundMessage) == 0


def test_a_tampered_schedule_that_does_not_sum_is_refused_by_the_service(app: Flask, world):
    case, debtor = world["case"], world["people"]["the_debtor"]
    built = service.schedule_for(_offer())
    first = built.instalments[0]
    tampered = Schedule(
        (Instalment(1, first.due, first.amount - 1, first.kind), *built.instalments[1:])
    )
    with pytest.raises(InvalidInput) as refused:
        service.submit_proposal(debtor, case, _offer(), schedule=tampered)
    assert refused.value.code == "schedule_sum"
    db.session.rollback()
    assert _count(Proposal) == 0 and _count(AuditEvent) == 0


def test_a_schedule_due_in_the_past_is_refused_by_the_service(app: Flask, world) -> None:
    case, debtor = world["case"], world["people"]["the_debtor"]
    past = Schedule((Instalment(1, today() - timedelta(days=1), Decimal("24000.00"), "lump_sum"),))
    offer = _offer(kind="lump_sum", first_due=today() - timedelta(days=1))
    with pytest.raises(InvalidInput) as refused:
        service.submit_proposal(debtor, case, offer, schedule=past)
    assert refused.value.code == "first_due_past"
    assert _count(Proposal) == 0


# --- proposing ---------------------------------------------------------------------------


def test_the_debtor_proposes_twelve_monthly_instalments(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    browser = _as(app, people["the_debtor"])
    first = date(today().year + 1, 1, 31)  # month ends: Feb 28/29, Mar 31, Apr 30 …
    response = _post(
        browser,
        f"/cases/{case.id}/proposals/new",
        _instalments(total="10000", first_due=first.isoformat(), waive_penalty="yes"),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#proposals")
    proposal = db.session.scalars(select(Proposal)).one()
    assert proposal.side == Side.DEBTOR and proposal.state == ProposalState.OPEN
    assert proposal.total == Decimal("10000.00") and proposal.discount == Decimal("21800.00")
    rows = proposal.instalments
    assert len(rows) == 12 and sum(r.amount for r in rows) == Decimal("10000.00")
    assert rows[0].amount == Decimal("833.33") and rows[-1].amount == Decimal("833.37")
    assert rows[1].due.day in (28, 29) and rows[2].due.day == 31 and rows[3].due.day == 30
    assert "case:proposal:submit" in _actions(case.id)
    to = {m.recipient_key for m in db.session.scalars(select(OutboundMessage))}
    staff = {f"user:{people['own_creditor'].id}", f"user:{people['creditor_colleague'].id}"}
    assert to == staff | {f"user:{people['assigned_mediator'].id}"}  # not the debtor


def test_a_down_payment_and_fortnightly_instalments(app: Flask, world) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["own_creditor"])
    first = _soon(14)
    form = _instalments(
        total="30000",
        down_payment="3000",
        down_payment_due=_soon(7).isoformat(),
        count="9",
        frequency="fortnightly",
        first_due=first.isoformat(),
    )
    assert _post(browser, f"/cases/{case.id}/proposals/new", form).status_code == 302
    proposal = db.session.scalars(select(Proposal)).one()
    rows = proposal.instalments
    assert [r.kind for r in rows[:2]] == ["down_payment", "instalment"]
    assert rows[0].due == _soon(7) and rows[0].amount == Decimal("3000.00")
    assert rows[2].due == first + timedelta(days=14)
    assert proposal.down_payment == Decimal("3000.00") and proposal.side == Side.CREDITOR
    assert sum(r.amount for r in rows) == Decimal("30000.00")


def test_a_newer_proposal_from_the_same_side_supersedes_the_earlier(app: Flask, world) -> None:
    case, debtor = world["case"], world["people"]["the_debtor"]
    creditor = world["people"]["own_creditor"]
    first = _propose(debtor, case)
    theirs = _propose(creditor, case, total=Decimal("31800.00"))
    second = _propose(debtor, case, total=Decimal("25000.00"))
    assert _fresh(first).state == ProposalState.SUPERSEDED
    assert _fresh(second).state == ProposalState.OPEN
    assert _fresh(theirs).state == ProposalState.OPEN  # the other side's stays open


def test_the_mediator_proposes_and_both_parties_are_told(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    browser = _as(app, people["assigned_mediator"])
    assert _post(browser, f"/cases/{case.id}/proposals/new", _instalments()).status_code == 302
    proposal = db.session.scalars(select(Proposal)).one()
    assert proposal.side == Side.MEDIATOR
    to = {m.recipient_key for m in db.session.scalars(select(OutboundMessage))}
    assert f"debtor:{case.id}" in to and f"user:{people['own_creditor'].id}" in to
    assert f"user:{people['assigned_mediator'].id}" not in to


def test_notices_name_the_organisation_and_case_but_no_amounts(app: Flask, world) -> None:
    case = world["case"]
    _propose(world["people"]["own_creditor"], case, total=Decimal("27345.00"))
    message = db.session.scalars(select(OutboundMessage).where(OutboundMessage.is_debtor)).one()
    assert case.mediation_org.name in message.subject and case.reference in message.body
    for amount in ("27345", "27,345", "2280", "31800", "31,800"):
        assert amount not in message.body and amount not in message.subject


# --- counter-proposals -------------------------------------------------------------------


def test_a_counter_proposal_supersedes_the_one_it_answers(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    mine = _propose(people["the_debtor"], case)
    browser = _as(app, people["own_creditor"])
    page = browser.get(f"/cases/{case.id}/proposals/{mine.id}/counter")
    assert page.status_code == 200
    assert 'value="24000.00"' in page.get_data(as_text=True)  # starts from the answered terms
    response = _post(
        browser,
        f"/cases/{case.id}/proposals/{mine.id}/counter",
        _instalments(total="28000", count="10"),
    )
    assert response.status_code == 302
    counter = db.session.scalars(select(Proposal).where(Proposal.id != mine.id)).one()
    assert counter.replies_to_id == mine.id and counter.instalment_count == 10
    assert _fresh(mine).state == ProposalState.SUPERSEDED
    assert "case:proposal:counter" in _actions(case.id)
    templates = {m.template for m in db.session.scalars(select(OutboundMessage))}
    assert "proposal_counter" in templates


@pytest.mark.parametrize(
    ("proposer", "counterer", "status"),
    [
        ("the_debtor", "the_debtor", 403),  # own side: a revision, not a counter
        ("own_creditor", "creditor_colleague", 403),
        ("the_debtor", "assigned_mediator", 403),  # the mediator proposes afresh
    ],
)
def test_who_may_not_counter(app: Flask, world, proposer, counterer, status) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people[proposer], case)
    browser = _as(app, people[counterer])
    url = f"/cases/{case.id}/proposals/{proposal.id}/counter"
    assert browser.get(url).status_code == status
    assert _post(browser, url, _instalments(total="20000")).status_code == status
    assert _count(Proposal) == 1 and _fresh(proposal).state == ProposalState.OPEN


# --- accepting, rejecting, withdrawing ---------------------------------------------------


def test_accepting_closes_every_other_open_proposal_and_settles(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    debtors = _propose(people["the_debtor"], case)
    creditors = _propose(people["own_creditor"], case, total=Decimal("31800.00"))
    mediators = _propose(people["assigned_mediator"], case, total=Decimal("28000.00"))
    browser = _as(app, people["own_creditor"])
    response = _post(browser, f"/cases/{case.id}/proposals/{debtors.id}/accept")
    assert response.status_code == 302
    assert _fresh(debtors).state == ProposalState.ACCEPTED
    assert _fresh(debtors).accepted_by_creditor_at is not None
    assert _fresh(creditors).state == ProposalState.CLOSED
    assert _fresh(mediators).state == ProposalState.CLOSED
    assert _case_state(case) == CaseState.AGREEMENT_DRAFTING
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:proposal:accept")
    ).one()
    assert event.data["settled"] is True and event.data["closed"] == [creditors.id, mediators.id]
    debtor_notes = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.template == "proposal_settled")
    )
    assert {m.recipient_key for m in debtor_notes} >= {f"debtor:{case.id}"}


def test_a_mediators_proposal_needs_both_parties(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people["assigned_mediator"], case)
    debtor = _as(app, people["the_debtor"])
    url = f"/cases/{case.id}/proposals/{proposal.id}/accept"
    assert _post(debtor, url, {"confirmed": "yes"}).status_code == 302
    half = _fresh(proposal)
    assert half.state == ProposalState.OPEN and half.accepted_by_debtor_at is not None
    assert _case_state(case) == CaseState.NEGOTIATING
    again = _post(debtor, url, {"confirmed": "yes"})
    assert again.status_code == 409  # already accepted
    creditor = _as(app, people["own_creditor"])
    assert _post(creditor, f"/cases/{case.id}/proposals/{proposal.id}/accept").status_code == 302
    done = _fresh(proposal)
    assert done.state == ProposalState.ACCEPTED and done.accepted_by_creditor_at is not None
    assert _case_state(case) == CaseState.AGREEMENT_DRAFTING


# (who proposed, who acts, action, form, expected status, the proposal's state afterwards)
REFUSALS = [
    ("the_debtor", "the_debtor", "accept", {}, 403, ProposalState.OPEN),
    ("own_creditor", "own_creditor", "accept", {}, 403, ProposalState.OPEN),
    ("own_creditor", "creditor_colleague", "accept", {}, 403, ProposalState.OPEN),
    # A creditor cannot accept on the debtor's behalf, whatever the form claims.
    ("own_creditor", "own_creditor", "accept", {"side": "debtor"}, 403, ProposalState.OPEN),
    ("assigned_mediator", "assigned_mediator", "accept", {}, 403, ProposalState.OPEN),
    ("the_debtor", "assigned_mediator", "accept", {}, 403, ProposalState.OPEN),
    ("the_debtor", "the_debtor", "reject", {"reason": "no"}, 403, ProposalState.OPEN),
    ("the_debtor", "own_creditor", "reject", {"reason": "  "}, 400, ProposalState.OPEN),
    ("the_debtor", "own_creditor", "reject", {}, 400, ProposalState.OPEN),
    ("the_debtor", "own_creditor", "withdraw", {}, 403, ProposalState.OPEN),
    ("the_debtor", "assigned_mediator", "withdraw", {}, 403, ProposalState.OPEN),  # lawful
    ("own_creditor", "the_debtor", "withdraw", {}, 403, ProposalState.OPEN),
    ("the_debtor", "foreign_mediator", "withdraw", {}, 404, ProposalState.OPEN),
    ("the_debtor", "other_creditor", "accept", {}, 404, ProposalState.OPEN),
    ("own_creditor", "other_debtor", "accept", {}, 404, ProposalState.OPEN),
]


@pytest.mark.parametrize(("proposer", "actor", "action", "form", "status", "after"), REFUSALS)
def test_refused_decisions_change_nothing(
    app: Flask, world, proposer, actor, action, form, status, after
) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people[proposer], case)
    browser = _as(app, people[actor])
    events = _count(AuditEvent)
    response = _post(browser, f"/cases/{case.id}/proposals/{proposal.id}/{action}", form)
    assert response.status_code == status
    fresh = _fresh(proposal)
    assert fresh.state == after
    assert fresh.accepted_by_debtor_at is None and fresh.accepted_by_creditor_at is None
    assert _count(AuditEvent) == events and _case_state(case) == CaseState.NEGOTIATING


def test_a_creditor_accepting_a_mediators_proposal_never_marks_the_debtor(app: Flask, world):
    case, people = world["case"], world["people"]
    proposal = _propose(people["assigned_mediator"], case)
    browser = _as(app, people["own_creditor"])
    url = f"/cases/{case.id}/proposals/{proposal.id}/accept"
    assert (
        _post(browser, url, {"side": "debtor", "accepted_by_debtor_at": "now"}).status_code == 302
    )
    fresh = _fresh(proposal)
    assert fresh.accepted_by_creditor_at is not None and fresh.accepted_by_debtor_at is None
    assert fresh.state == ProposalState.OPEN


@pytest.mark.parametrize("action", ["accept", "reject", "withdraw", "counter"])
@pytest.mark.parametrize("ended", ["superseded", "withdrawn", "rejected"])
def test_acting_on_an_ended_proposal_is_refused(app: Flask, world, action, ended) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people["the_debtor"], case)
    if ended == "superseded":
        _propose(people["the_debtor"], case, total=Decimal("25000.00"))
    elif ended == "withdrawn":
        service.withdraw_proposal(people["the_debtor"], case, proposal)
    else:
        service.reject_proposal(people["own_creditor"], case, proposal, "too little")
    state = _fresh(proposal).state
    actor = people["the_debtor"] if action == "withdraw" else people["own_creditor"]
    form = {"reason": "x"} if action == "reject" else _instalments(total="20000")
    browser = _as(app, actor)
    events = _count(AuditEvent)
    response = _post(browser, f"/cases/{case.id}/proposals/{proposal.id}/{action}", form)
    assert response.status_code == 409
    assert 'data-code="not_open"' in response.get_data(as_text=True)
    assert _fresh(proposal).state == state and _count(AuditEvent) == events


def test_rejecting_with_a_reason(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people["own_creditor"], case, total=Decimal("31800.00"))
    browser = _as(app, people["the_debtor"])
    url = f"/cases/{case.id}/proposals/{proposal.id}/reject"
    assert _post(browser, url, {"reason": "我每月只能还一千五"}).status_code == 302
    fresh = _fresh(proposal)
    assert fresh.state == ProposalState.REJECTED and fresh.decision_reason == "我每月只能还一千五"
    assert fresh.decided_by_id == people["the_debtor"].id
    assert "case:proposal:reject" in _actions(case.id)
    templates = [m.template for m in db.session.scalars(select(OutboundMessage))]
    assert templates.count("proposal_rejected") == 3  # two creditor users and the mediator


def test_the_proposer_withdraws_their_own(app: Flask, world) -> None:
    case, debtor = world["case"], world["people"]["the_debtor"]
    proposal = _propose(debtor, case)
    browser = _as(app, debtor)
    assert _post(browser, f"/cases/{case.id}/proposals/{proposal.id}/withdraw").status_code == 302
    assert _fresh(proposal).state == ProposalState.WITHDRAWN
    assert "case:proposal:withdraw" in _actions(case.id)


@pytest.fixture
def usurious(app: Flask, world) -> Case:
    """A private loan at 24% a year: keeping all its interest breaks the 4×LPR cap."""
    people = world["people"]
    return make_case(
        creditor=people["own_creditor"],
        mediator=people["assigned_mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=people["the_debtor"].id,
        lender_kind=LicenceType.PRIVATE_LENDER,
        annual_rate=Decimal("24.0000"),
    )


def test_the_mediator_withdraws_a_proposal_that_breaks_a_rule(app: Flask, world, usurious):
    people = world["people"]
    proposal = _propose(people["own_creditor"], usurious, total=Decimal("31800.00"))
    findings = queries.Checker.for_case(usurious).findings(proposal)
    assert queries.breaks_rule(findings)
    browser = _as(app, people["assigned_mediator"])
    url = f"/cases/{usurious.id}/proposals/{proposal.id}/withdraw"
    assert _post(browser, url, {"reason": "利息超过法定上限"}).status_code == 302
    fresh = _fresh(proposal)
    assert fresh.state == ProposalState.WITHDRAWN and fresh.decision_reason == "利息超过法定上限"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:proposal:withdraw")
    ).one()
    assert event.data["breaks_rule"] is True
    assert "proposal_interest_over_cap" in event.data["findings"]
    withdrawn = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.template == "proposal_withdrawn")
    )
    assert {m.recipient_key for m in withdrawn} == {
        f"user:{people['own_creditor'].id}",
        f"user:{people['creditor_colleague'].id}",
    }


def test_waiving_the_interest_clears_the_rule(app: Flask, world, usurious) -> None:
    proposal = _propose(
        world["people"]["own_creditor"], usurious, total=Decimal("30300.00"), waive_interest=True
    )
    findings = queries.Checker.for_case(usurious).findings(proposal)
    assert not queries.breaks_rule(findings)


def test_nothing_can_be_proposed_once_the_case_is_settled(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people["the_debtor"], case)
    service.accept_proposal(people["own_creditor"], case, proposal)
    browser = _as(app, people["the_debtor"])
    response = _post(browser, f"/cases/{case.id}/proposals/new", _instalments())
    assert response.status_code == 409
    assert 'id="proposal-conflict"' in response.get_data(as_text=True)
    assert _count(Proposal) == 1


def test_the_service_refuses_a_debtor_accepting_their_own_proposal(app: Flask, world) -> None:
    case, debtor = world["case"], world["people"]["the_debtor"]
    proposal = _propose(debtor, case)
    with pytest.raises(ProposalRuleError) as refused:
        service.accept_proposal(debtor, case, proposal)
    assert refused.value.code == "own_proposal"


def test_a_proposal_of_another_case_through_this_cases_url(app: Flask, world) -> None:
    people = world["people"]
    other = make_case(
        creditor=people["own_creditor"],
        mediator=people["assigned_mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=people["other_debtor"].id,
    )
    proposal = _propose(people["other_debtor"], other)
    browser = _as(app, people["own_creditor"])
    url = f"/cases/{world['case'].id}/proposals/{proposal.id}/accept"
    assert _post(browser, url).status_code == 404
    assert _fresh(proposal).state == ProposalState.OPEN


def test_a_mediator_of_another_organisation_cannot_act(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people["the_debtor"], case)
    browser = _as(app, people["foreign_mediator"])
    events = _count(AuditEvent)
    for url, form in (
        (f"/cases/{case.id}/proposals/new", _instalments()),
        (f"/cases/{case.id}/proposals/{proposal.id}/withdraw", {}),
    ):
        assert _post(browser, url, form).status_code == 404
    assert browser.get(f"/cases/{case.id}/proposals/new").status_code == 404
    assert _count(Proposal) == 1 and _count(AuditEvent) == events


# --- the panel ---------------------------------------------------------------------------


def _page(app: Flask, user: User, case: Case, english: bool = False) -> str:
    response = _as(app, user, english).get(f"/cases/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _statement(case: Case, *, shared: bool) -> None:
    db.session.add(
        FinancialStatement(
            case_id=case.id,
            user_id=case.debtor_user_id,
            household_size=2,
            dependants=1,
            income={"wages": "6000.00"},
            spending={"housing": "2000.00", "food": "1500.00"},
            savings=Decimal("5000.00"),
            assets=Decimal("0.00"),
            shared_with_creditor=shared,
        )
    )
    db.session.commit()


def test_the_panel_shows_schedule_total_saving_and_findings(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people["the_debtor"], case, total=Decimal("24000.00"))
    html = _page(app, people["assigned_mediator"], case, english=True)
    assert 'id="proposals"' in html and f'id="proposal-{proposal.id}"' in html
    assert 'data-total="24000.00"' in html and 'data-saving="7800.00"' in html
    assert html.count("¥2,000.00") >= 12  # every instalment row
    assert 'data-finding="discount"' in html
    assert "Open proposals" in html and 'id="proposal-form"' in html


@pytest.mark.parametrize(
    ("viewer", "shared", "sees"),
    [
        ("the_debtor", False, True),
        ("assigned_mediator", False, True),
        ("own_creditor", False, False),
        ("own_creditor", True, True),
        ("own_admin", True, False),
    ],
)
def test_affordability_only_for_those_allowed_to_see_the_statement(
    app: Flask, world, viewer, shared, sees
) -> None:
    case, people = world["case"], world["people"]
    _statement(case, shared=shared)
    _propose(people["the_debtor"], case, total=Decimal("24000.00"))  # ¥2,000 a month
    html = _page(app, people[viewer], case)
    assert ('data-affordability="within"' in html) is sees
    assert ('id="affordable-band"' in html) is sees


def test_affordability_says_no_statement_yet(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    _propose(people["the_debtor"], case)
    html = _page(app, people["the_debtor"], case, english=True)
    assert 'data-affordability="none"' in html and "no statement yet" in html
    creditor_html = _page(app, people["own_creditor"], case)
    assert "data-affordability" not in creditor_html  # not even whether one exists


def test_a_stretch_and_a_down_payment_beyond_savings(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    _statement(case, shared=False)  # ¥2,500 left a month, band up to ¥2,000, savings ¥5,000
    _propose(
        people["own_creditor"],
        case,
        total=Decimal("30000.00"),
        down_payment=Decimal("6000.00"),
        count=10,
    )  # ¥2,400 a month: above the band, within what is left; ¥6,000 at once > savings
    html = _page(app, people["the_debtor"], case)
    assert 'data-affordability="stretch beyond"' in html


def _offered(html: str, proposal: Proposal) -> set[str]:
    card = html.split(f'id="proposal-{proposal.id}"', 1)[1].split("</article>", 1)[0]
    return {a for a in ("accept", "reject", "counter", "withdraw") if f'data-action="{a}"' in card}


@pytest.mark.parametrize(
    ("proposer", "viewer", "offered"),
    [
        ("the_debtor", "the_debtor", {"withdraw"}),
        ("the_debtor", "own_creditor", {"accept", "reject", "counter"}),
        ("the_debtor", "assigned_mediator", set()),
        ("own_creditor", "the_debtor", {"accept", "reject", "counter"}),
        ("assigned_mediator", "the_debtor", {"accept", "reject", "counter"}),
        ("assigned_mediator", "assigned_mediator", {"withdraw"}),
        ("the_debtor", "own_admin", set()),
    ],
)
def test_each_viewer_is_offered_only_what_they_may_do(
    app: Flask, world, proposer, viewer, offered
) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people[proposer], case)
    assert _offered(_page(app, people[viewer], case), proposal) == offered


def test_the_accepted_proposal_is_marked_and_ready_for_the_agreement(app: Flask, world):
    case, people = world["case"], world["people"]
    theirs = _propose(people["own_creditor"], case, total=Decimal("31800.00"))
    proposal = _propose(people["the_debtor"], case)
    service.accept_proposal(people["own_creditor"], case, proposal)
    html = _page(app, people["the_debtor"], case, english=True)
    box = html.split('id="accepted-proposal"', 1)[1]
    assert f'id="proposal-{proposal.id}"' in box.split("</article>", 1)[0]
    assert 'id="ready-for-agreement"' in html and "Ready for the agreement" in html
    history = html.split('id="proposal-history"', 1)[1]
    assert f'id="proposal-{theirs.id}"' in history and 'data-state="closed"' in history
    assert _offered(html, proposal) == set() and 'id="proposal-form"' not in html


def test_no_panel_before_negotiation(app: Flask, world) -> None:
    people = world["people"]
    case = make_case(creditor=people["own_creditor"], mediator=people["assigned_mediator"])
    assert 'id="proposals"' not in _page(app, people["own_creditor"], case)


def test_the_panel_costs_a_bounded_number_of_queries(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    _statement(case, shared=True)

    def queries_for_panel() -> int:
        db.session.expire_all()
        fresh = db.session.get(Case, case.id)
        viewer = db.session.get(User, people["own_creditor"].id)
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with app.test_request_context():
                shown = proposals_panel(fresh, viewer)  # type: ignore[arg-type]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert shown is not None
        return len(statements)

    _propose(people["the_debtor"], case)
    one = queries_for_panel()
    for n in range(29):
        side = people["the_debtor"] if n % 2 else people["own_creditor"]
        _propose(side, case, count=60, total=Decimal(24000 + n))
    assert len(queries.proposals_of(case)) == 30
    assert queries_for_panel() == one <= 8


# --- the access matrix -------------------------------------------------------------------

ACTORS = (
    "own_creditor",
    "creditor_colleague",
    "other_creditor",
    "assigned_mediator",
    "colleague_mediator",
    "foreign_mediator",
    "own_admin",
    "the_debtor",
    "other_debtor",
)
# (method, url, form, actors allowed). {p} is an open proposal by the debtor, {m} one by
# the mediator, {c} one by the creditor.
ENDPOINTS = [
    (
        "GET",
        "/cases/{case}/proposals/new",
        {},
        {"own_creditor", "creditor_colleague", "assigned_mediator", "the_debtor"},
    ),
    (
        "POST",
        "/cases/{case}/proposals/new",
        "offer",
        {"own_creditor", "creditor_colleague", "assigned_mediator", "the_debtor"},
    ),
    ("GET", "/cases/{case}/proposals/{p}/counter", {}, {"own_creditor", "creditor_colleague"}),
    (
        "POST",
        "/cases/{case}/proposals/{p}/counter",
        "offer",
        {"own_creditor", "creditor_colleague"},
    ),
    ("POST", "/cases/{case}/proposals/{p}/accept", {}, {"own_creditor", "creditor_colleague"}),
    ("POST", "/cases/{case}/proposals/{c}/accept", {"confirmed": "yes"}, {"the_debtor"}),
    (
        "POST",
        "/cases/{case}/proposals/{p}/reject",
        {"reason": "不行"},
        {"own_creditor", "creditor_colleague"},
    ),
    (
        "POST",
        "/cases/{case}/proposals/{m}/reject",
        {"reason": "不行"},
        {"own_creditor", "creditor_colleague", "the_debtor"},
    ),
    ("POST", "/cases/{case}/proposals/{p}/withdraw", {}, {"the_debtor"}),
    ("POST", "/cases/{case}/proposals/{m}/withdraw", {}, {"assigned_mediator"}),
]


@pytest.fixture
def offers(world) -> dict[str, int]:
    case, people = world["case"], world["people"]
    creditors = _propose(people["own_creditor"], case, total=Decimal("31800.00"))
    mediators = _propose(people["assigned_mediator"], case, total=Decimal("28000.00"))
    debtors = _propose(people["the_debtor"], case)
    return {"p": debtors.id, "m": mediators.id, "c": creditors.id}


def _events() -> int:
    return _count(AuditEvent)


@pytest.mark.parametrize(("method", "template", "form", "allowed"), ENDPOINTS)
@pytest.mark.parametrize("actor", ACTORS)
def test_proposal_endpoint_matrix(
    app: Flask, world, offers, method, template, form, allowed, actor
) -> None:
    url = template.format(case=world["case"].id, **offers)
    browser = _as(app, world["people"][actor])
    before = (_events(), _count(Proposal), _count(OutboundMessage))
    if method == "GET":
        status = browser.get(url).status_code
    else:
        data = _instalments(total="20000") if form == "offer" else form
        status = _post(browser, url, data).status_code
    if actor in allowed:
        assert status in (200, 302), (actor, url, status)
        if method == "POST":
            assert _events() > before[0]
    else:
        assert status in (403, 404), (actor, url, status)
        if actor not in ("the_debtor", "own_creditor", "creditor_colleague", "assigned_mediator"):
            assert status in (403, 404)
        assert (_events(), _count(Proposal), _count(OutboundMessage)) == before


@pytest.mark.parametrize(("method", "template", "form", "allowed"), ENDPOINTS)
def test_anonymous_is_sent_to_sign_in(app: Flask, world, offers, method, template, form, allowed):
    url = template.format(case=world["case"].id, **offers)
    browser = Browser(app.test_client())
    before = _events()
    response = browser.get(url) if method == "GET" else browser.submit(url, {}, page="/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _events() == before


def test_the_service_refuses_anything_once_the_case_left_negotiation(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    proposal = _propose(people["the_debtor"], case)
    case.state = CaseState.AGREEMENT_DRAFTING
    db.session.commit()
    attempts = (
        lambda: service.accept_proposal(people["own_creditor"], case, proposal),
        lambda: service.reject_proposal(people["own_creditor"], case, proposal, "no"),
        lambda: service.withdraw_proposal(people["the_debtor"], case, proposal),
        lambda: _propose(people["own_creditor"], case),
    )
    for attempt in attempts:
        with pytest.raises(ProposalRuleError) as refused:
            attempt()
        assert refused.value.code == "case_not_negotiating"
    assert _fresh(proposal).state == ProposalState.OPEN and _count(Proposal) == 1


@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize(
    "event_name",
    [
        "proposal_new",
        "proposal_counter",
        "proposal_accepted",
        "proposal_settled",
        "proposal_rejected",
        "proposal_withdrawn",
    ],
)
def test_every_proposal_notice_names_organisation_and_case(event_name: str, channel: str) -> None:
    from app.models.notifications import Channel
    from app.notifications.texts.negotiation import PROPOSAL_EVENTS, proposal_notice

    assert event_name in PROPOSAL_EVENTS
    org, ref = "北京市某某区人民调解委员会", "HZ-2026-000123"
    link = "https://concord.example.cn/cases/123"
    subject, body = proposal_notice(
        event_name, org, ref, "creditor", link, channel=Channel(channel)
    )
    assert ref in subject and ref in body and org in body and link in body
    if channel == "sms":
        assert len(body) <= 160 and body.startswith(f"【{org}】")


def test_a_creditors_reason_that_names_the_debtors_family_is_refused(app: Flask, world) -> None:
    """The debtor reads the reason the creditor gives (app.notifications.content)."""
    case, people = world["case"], world["people"]
    proposal = _propose(people["the_debtor"], case)
    browser = _as(app, people["own_creditor"])
    url = f"/cases/{case.id}/proposals/{proposal.id}/reject"
    typed = "金额太低，我们会通知你的家人。"
    page = _post(browser, url, {"reason": typed})
    assert page.status_code == 400 and typed in page.get_data(as_text=True)
    assert "“通知你的家人”" in page.get_data(as_text=True)
    assert _fresh(proposal).state == ProposalState.OPEN


def test_a_creditors_note_that_threatens_is_refused_with_the_terms_kept(app: Flask, world) -> None:
    """The debtor reads the note of the creditor's proposal (app.notifications.content)."""
    case, people = world["case"], world["people"]
    typed = "这是最后一次机会，否则马上起诉。"
    page = _post(
        _as(app, people["own_creditor"]),
        f"/cases/{case.id}/proposals/new",
        _instalments(note=typed),
    )
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert f">{typed}</textarea>" in html and 'id="note-error"' in html
    assert "“马上起诉”" in html
    assert _count(Proposal) == 0
