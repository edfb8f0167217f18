"""The debtor's to-do list: confirm their identity on a new invitation, answer the claim,
state their means, answer an offer, sign the agreement and the application for judicial
confirmation, pay the next instalment. A guarantor or co-borrower (who signs in as a
debtor does) is asked for what they sign: the agreement, the application, and a
supplementary agreement that changes the agreement, and for their own ID copy, which the
court package attaches."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from app.access import SESSION_STATES, Permission, can
from app.cases import papers
from app.cases.evidence import own_party
from app.core import clock
from app.core.format import local_date, money
from app.extensions import db
from app.models.cases import Case, CaseParty
from app.models.invitations import Invitation
from app.models.negotiation import FinancialStatement, Objection, Proposal
from app.models.users import User
from app.repayments.common import performance_of
from app.rules import todo as rules
from app.rules.cases import PERFORMANCE_STATES, CaseState
from app.rules.proposals import Side
from app.todo.common import Entry, TodoItem, case_url, ordered, select_cases
from app.todo.records import records_to_sign
from app.todo.sessions import sessions_for
from app.todo.shared import (
    agreement_to_sign,
    extension_to_answer,
    offers_to_answer,
    package_to_sign,
    restructuring_steps,
    supplement_to_sign,
)


def debtor_todo(user: User, today: date) -> list[TodoItem]:
    """What waits for ``user`` on their own cases, the most urgent first."""
    entries = _invitations(user) + records_to_sign(user)
    for case in db.session.scalars(
        select_cases().where(Case.debtor_user_id == user.id).order_by(Case.id)
    ):
        entries += extension_to_answer(case, "debtor")
        if case.state in SESSION_STATES:
            entries += sessions_for(case, "debtor")
        if case.state == CaseState.NEGOTIATING:
            entries += _negotiation(user, case)
        elif case.state == CaseState.SIGNING:
            entries += agreement_to_sign(user, case)
        elif case.state == CaseState.IN_FORCE:
            entries += package_to_sign(user, case)
        if case.state in PERFORMANCE_STATES:
            entries += _instalment(case, today)
            entries += restructuring_steps(user, case, "debtor")
    for case in db.session.scalars(
        select_cases()
        .where(Case.id.in_(select(CaseParty.case_id).where(CaseParty.user_id == user.id)))
        .order_by(Case.id)
    ):
        entries += _as_extra_party(user, case)
    return ordered(entries)


def _as_extra_party(user: User, case: Case) -> list[Entry]:
    """A guarantor's or co-borrower's own ID copy for the court and their signatures
    (app.access: they sign, the debtor acts)."""
    entries: list[Entry] = _own_id_copy(user, case)
    if case.state == CaseState.SIGNING:
        entries += agreement_to_sign(user, case)
    if case.state == CaseState.IN_FORCE:
        entries += package_to_sign(user, case)
    if case.state in PERFORMANCE_STATES:
        entries += supplement_to_sign(user, case)
    return entries


def _own_id_copy(user: User, case: Case) -> list[Entry]:
    """The court checks every party's identity from a copy of the ID, both sides
    (法释〔2011〕5号 Art. 3): asked of a guarantor or co-borrower until both are on file."""
    party = own_party(user, case)
    if party is None or not can(user, Permission.IDENTITY_COPY_UPLOAD, case):
        return []
    on_file = papers.current_papers(case)
    if all((c, party.id) in on_file for c in papers.PARTY_ID_SIDES.values()):
        return []
    return [
        (
            rules.Urgency(case.next_deadline),
            TodoItem(
                "id_copy",
                _(
                    "Case %(ref)s: upload a copy of your ID card, both sides, for the court.",
                    ref=case.reference,
                ),
                case.reference,
                case_url(case, "identity-copy"),
                case.next_deadline,
            ),
        )
    ]


def _invitations(user: User) -> list[Entry]:
    """A case that invites this person (by their phone or e-mail) and that they have not
    joined yet: the identity check happens on the link sent to them, which the platform
    never stores (only its hash), so the item says where to find it."""
    keys = [k for k in (user.phone, user.email) if k]
    if not keys:
        return []
    live = exists().where(
        Invitation.case_id == Case.id,
        Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > clock.now(),
    )
    cases = db.session.scalars(
        select_cases()
        .where(Case.state == CaseState.INVITED, Case.debtor_user_id.is_(None))
        .where(or_(Case.debtor_phone.in_(keys), Case.debtor_email.in_(keys)), live)
        .order_by(Case.id)
    )
    return [
        (
            rules.Urgency(case.next_deadline),
            TodoItem(
                "verify",
                _(
                    "Case %(ref)s: confirm your identity with the invitation link we sent "
                    "you; it works until %(day)s.",
                    ref=case.reference,
                    day=local_date(case.next_deadline) if case.next_deadline else "—",
                ),
                case.reference,
                None,
                case.next_deadline,
            ),
        )
        for case in cases
    ]


def _negotiation(user: User, case: Case) -> list[Entry]:
    entries: list[Entry] = []
    if not _answered_claim(user, case):
        entries.append(
            (
                rules.Urgency(case.next_deadline),
                TodoItem(
                    "answer_claim",
                    _(
                        "Case %(ref)s: check the claim and object to any item you dispute.",
                        ref=case.reference,
                    ),
                    case.reference,
                    url_for("steps.show", case_id=case.id, name="claim"),
                    case.next_deadline,
                ),
            )
        )
    if not db.session.scalar(select(exists().where(FinancialStatement.case_id == case.id))):
        entries.append(
            (
                rules.Urgency(case.next_deadline),
                TodoItem(
                    "statement",
                    _(
                        "Case %(ref)s: tell the mediator your income and spending.",
                        ref=case.reference,
                    ),
                    case.reference,
                    url_for("steps.show", case_id=case.id, name="statement"),
                    case.next_deadline,
                ),
            )
        )
    return entries + offers_to_answer(case, Side.DEBTOR)


def _answered_claim(user: User, case: Case) -> bool:
    """The debtor answered the claim once they disputed an item or proposed terms."""
    objected = exists().where(Objection.case_id == case.id, Objection.raised_by_id == user.id)
    proposed = exists().where(Proposal.case_id == case.id, Proposal.side == Side.DEBTOR)
    return bool(db.session.scalar(select(or_(objected, proposed))))


def _instalment(case: Case, today: date) -> list[Entry]:
    perf = performance_of(case, today)
    if perf is None:
        return []
    status = perf.status
    breach = status.breach
    if breach is not None and breach.accelerated and status.payable_now > 0:
        # The agreement's default rule brought the rest forward: the whole balance is due.
        text = _(
            "Case %(ref)s: the whole unpaid balance of %(amount)s has been due since "
            "%(day)s; pay it and report the payment.",
            ref=case.reference,
            amount=money(status.payable_now),
            day=local_date(breach.on),
        )
        return [
            (
                rules.Urgency(breach.on),
                TodoItem("pay", text, case.reference, case_url(case, "report-payment"), breach.on),
            )
        ]
    nxt = next((p for p in status.positions if p.outstanding > 0), None)
    if nxt is None or not rules.instalment_to_pay(nxt.due, today):
        return []
    text = (
        _(
            "Case %(ref)s: instalment %(n)s of %(amount)s was due on %(day)s; pay it "
            "and report the payment.",
            ref=case.reference,
            n=nxt.number,
            amount=money(nxt.outstanding),
            day=local_date(nxt.due),
        )
        if nxt.due < today
        else _(
            "Case %(ref)s: pay instalment %(n)s of %(amount)s by %(day)s and report the payment.",
            ref=case.reference,
            n=nxt.number,
            amount=money(nxt.outstanding),
            day=local_date(nxt.due),
        )
    )
    return [
        (
            rules.Urgency(nxt.due),
            TodoItem("pay", text, case.reference, case_url(case, "report-payment"), nxt.due),
        )
    ]
