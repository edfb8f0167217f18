"""The creditor's to-do list, for every user of the creditor organisation (the cases are
the organisation's, not one employee's): answer an objection, answer an offer, give the
power of attorney of the person who acts for it, sign, confirm a payment the debtor
reported."""

from __future__ import annotations

from functools import cache

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, or_, select

from app.access import SESSION_STATES
from app.cases.papers import MISSING_ACCOUNT, MISSING_POA, missing_papers
from app.core import clock
from app.core.format import money
from app.extensions import db
from app.models.cases import Case
from app.models.evidence import PowerOfAttorneyRecord
from app.models.negotiation import Objection, ObjectionStatus, Proposal
from app.models.repayments import PaymentStatus, RepaymentPayment
from app.models.restructuring import OPEN_REQUEST_STATES, RestructuringRequest
from app.models.sessions import MediationSession
from app.models.users import User
from app.rules import todo as rules
from app.rules.cases import PERFORMANCE_STATES, CaseState
from app.rules.proposals import ProposalState, Side
from app.rules.sessions import SessionKind, SessionStatus, visible_to
from app.todo.common import (
    MAX_CASES,
    NO_ID_NUMBER,
    Entry,
    TodoItem,
    TodoList,
    case_url,
    most_pressing,
    ordered,
    select_cases,
)
from app.todo.records import records_to_sign
from app.todo.sessions import sessions_for
from app.todo.shared import (
    agreement_to_sign,
    extension_to_answer,
    offers_to_answer,
    package_to_sign,
    restructuring_steps,
)

# From the debtor joining until the application is filed: the court package needs the
# power of attorney of the employee who signs for an organisation (CPL Art. 62).
_ATTORNEY_STATES = frozenset(
    {
        CaseState.NEGOTIATING,
        CaseState.AGREEMENT_DRAFTING,
        CaseState.SIGNING,
        CaseState.IN_FORCE,
    }
)


def creditor_todo(user: User) -> TodoList:
    """What waits for ``user``'s organisation on its cases, the most urgent first."""
    if user.creditor_org_id is None:
        return TodoList()
    entries: list[Entry] = _objections(user) + _payments(user) + records_to_sign(user)
    # An institution holds thousands of open cases: the list asks the database which of
    # them may have something for the creditor, and reads the most pressing ones only.
    cases, cut = most_pressing(
        db.session.scalars(_pressing(), {"org_id": user.creditor_org_id, "now": clock.now()})
    )
    for case in cases:
        entries += extension_to_answer(case, "creditor")
        if case.state in SESSION_STATES:
            entries += sessions_for(case, "creditor")
        if case.state in PERFORMANCE_STATES:
            entries += restructuring_steps(user, case, "creditor")
        if case.state == CaseState.NEGOTIATING:
            entries += offers_to_answer(case, Side.CREDITOR)
        elif case.state == CaseState.SIGNING:
            entries += agreement_to_sign(user, case)
        elif case.state == CaseState.IN_FORCE:
            entries += package_to_sign(user, case)
        if case.state in _ATTORNEY_STATES:
            entries += _attorney(case)
    return TodoList(ordered(entries), cut)


@cache
def _pressing() -> Select[tuple[Case]]:
    """The organisation's cases that may have an item (a superset: each is then judged by
    the same per-case rules), soonest deadline first, at most :data:`MAX_CASES`."""
    return (
        select_cases()
        .where(Case.creditor_org_id == bindparam("org_id"))
        .where(Case.state.in_(_ATTORNEY_STATES | PERFORMANCE_STATES | {CaseState.INVITED}))
        .where(_may_have_an_item())
        .order_by(Case.next_deadline.asc().nulls_last(), Case.id)
        .limit(MAX_CASES + 1)  # one more: whether the list was cut
    )


def _may_have_an_item() -> ColumnElement[bool]:
    """In SQL, what the loop in :func:`creditor_todo` may find on a case."""
    session_waits = exists().where(
        MediationSession.case_id == Case.id,
        MediationSession.status == SessionStatus.SCHEDULED,
        MediationSession.starts_at > bindparam("now"),
        MediationSession.kind.in_([k for k in SessionKind if visible_to(k, "creditor")]),
    )
    open_offer = exists().where(Proposal.case_id == Case.id, Proposal.state == ProposalState.OPEN)
    open_restructuring = exists().where(
        RestructuringRequest.case_id == Case.id,
        RestructuringRequest.status.in_(OPEN_REQUEST_STATES),
    )
    attorney_recorded = exists().where(PowerOfAttorneyRecord.case_id == Case.id)
    return or_(
        Case.state.in_((CaseState.SIGNING, CaseState.IN_FORCE)),  # a signature to give
        and_(
            Case.extension_proposed_until.is_not(None),
            Case.extension_proposed_by_side.is_not(None),
            Case.extension_proposed_by_side != "creditor",
        ),
        and_(Case.state.in_(SESSION_STATES), session_waits),
        and_(Case.state == CaseState.NEGOTIATING, open_offer),
        and_(Case.state.in_(PERFORMANCE_STATES), open_restructuring),
        and_(
            Case.state.in_(_ATTORNEY_STATES),
            or_(Case.receiving_account_number.is_(None), ~attorney_recorded),
        ),
    )


def _objections(user: User) -> list[Entry]:
    rows = db.session.execute(
        select(Objection, Case)
        .join(Case, Case.id == Objection.case_id)
        .where(Case.creditor_org_id == user.creditor_org_id)
        .where(Case.state == CaseState.NEGOTIATING)
        .where(Objection.status == ObjectionStatus.OPEN, Objection.answer.is_(None))
        .options(NO_ID_NUMBER)
        .order_by(Objection.id)
    )
    return [
        (
            rules.Urgency(case.next_deadline, objection.raised_at),
            TodoItem(
                "objection",
                _(
                    "Case %(ref)s: the debtor objects to an item of the claim; answer "
                    "the objection.",
                    ref=case.reference,
                ),
                case.reference,
                case_url(case, f"objection-{objection.id}"),
                case.next_deadline,
            ),
        )
        for objection, case in rows
    ]


def _payments(user: User) -> list[Entry]:
    rows = db.session.execute(
        select(RepaymentPayment, Case)
        .join(Case, Case.id == RepaymentPayment.case_id)
        .where(Case.creditor_org_id == user.creditor_org_id)
        .where(RepaymentPayment.status == PaymentStatus.REPORTED)
        .options(NO_ID_NUMBER)
        .order_by(RepaymentPayment.id)
    )
    return [
        (
            rules.Urgency(None, payment.created_at),
            TodoItem(
                "payment",
                _(
                    "Case %(ref)s: the debtor reports a payment of %(amount)s; confirm "
                    "that you received it, or dispute it.",
                    ref=case.reference,
                    amount=money(payment.amount),
                ),
                case.reference,
                case_url(case, f"payment-{payment.id}"),
            ),
        )
        for payment, case in rows
    ]


def _attorney(case: Case) -> list[Entry]:
    """What the creditor has still to give (:func:`app.cases.papers.missing_papers`): the
    power of attorney of the employee who signs for an organisation (CPL Art. 62) and the
    account the debtor will pay into, which the agreement prints."""
    texts = {
        MISSING_POA: _(
            "Case %(ref)s: upload the power of attorney of the person who signs "
            "for your organisation (the court package needs it).",
            ref=case.reference,
        ),
        MISSING_ACCOUNT: _(
            "Case %(ref)s: give the account the debtor will pay into (the agreement prints it).",
            ref=case.reference,
        ),
    }
    return [
        (
            rules.Urgency(None, case.accepted_at),
            TodoItem(
                "attorney" if key == MISSING_POA else "account",
                texts[key],
                case.reference,
                case_url(case, "papers"),
            ),
        )
        for key in missing_papers(case)
    ]
