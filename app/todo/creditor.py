"""The creditor's to-do list, for every user of the creditor organisation (the cases are
the organisation's, not one employee's): answer an objection, answer an offer, give the
power of attorney of the person who acts for it, sign, confirm a payment the debtor
reported."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.access import SESSION_STATES
from app.cases.papers import MISSING_ACCOUNT, MISSING_POA, missing_papers
from app.core.format import money
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Objection, ObjectionStatus
from app.models.repayments import PaymentStatus, RepaymentPayment
from app.models.users import User
from app.rules import todo as rules
from app.rules.cases import PERFORMANCE_STATES, CaseState
from app.rules.proposals import Side
from app.todo.common import NO_ID_NUMBER, Entry, TodoItem, case_url, ordered, select_cases
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


def creditor_todo(user: User) -> list[TodoItem]:
    """What waits for ``user``'s organisation on its cases, the most urgent first."""
    if user.creditor_org_id is None:
        return []
    entries: list[Entry] = _objections(user) + _payments(user) + records_to_sign(user)
    for case in db.session.scalars(
        select_cases()
        .where(Case.creditor_org_id == user.creditor_org_id)
        .where(Case.state.in_(_ATTORNEY_STATES | PERFORMANCE_STATES | {CaseState.INVITED}))
        .order_by(Case.id)
    ):
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
    return ordered(entries)


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
