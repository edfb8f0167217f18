"""The mediator's to-do list, on their own cases only: new assignments to accept, offers
waiting for an answer, agreements to draft, signatures outstanding, disputed payments to
resolve, and every deadline
within seven days (the invitation, the 30-day mediation period, the 30-day window to
apply for judicial confirmation: CPL Art. 205)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from functools import cache
from typing import TypeVar

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, or_, select

from app.agreements.common import current_agreement, extra_signers
from app.agreements.signing import signed_roles
from app.confirmation.common import current_package
from app.confirmation.signing import package_signed_roles, package_signers
from app.core import clock
from app.core.format import local_date, money
from app.extensions import db
from app.models.agreements import AgreementStatus
from app.models.cases import Case
from app.models.confirmation import PackageStatus
from app.models.negotiation import Proposal
from app.models.repayments import PaymentStatus, RepaymentPayment
from app.models.restructuring import (
    OPEN_REQUEST_STATES,
    RestructuringRequest,
    SupplementaryAgreement,
    SupplementaryStatus,
)
from app.models.users import Role, User
from app.negotiation.proposal_queries import proposal_number
from app.restructuring.signing import signed_roles as supplement_signed_roles
from app.rules import todo as rules
from app.rules.cases import OPEN_STATES, PERFORMANCE_STATES, CaseState
from app.rules.proposals import ProposalState
from app.todo.common import (
    MAX_CASES,
    Entry,
    TodoItem,
    TodoList,
    case_url,
    most_pressing,
    ordered,
    probe,
    select_cases,
)
from app.todo.records import (
    awaiting_records,
    held_unrecorded,
    records_to_sign,
    records_to_write,
    unsent_records,
)
from app.todo.sessions import answers_to_consider, declined_sessions
from app.todo.shared import agreement_to_sign, open_restructuring, restructuring_steps

# What the case's ``next_deadline`` is the last day of, in each state that has one.
DEADLINE_LABELS = {
    CaseState.INVITED: _l("the debtor's time to answer the invitation"),
    CaseState.NEGOTIATING: _l("the mediation period"),
    CaseState.AGREEMENT_DRAFTING: _l("the mediation period"),
    CaseState.SIGNING: _l("the mediation period"),
    CaseState.IN_FORCE: _l("the application for judicial confirmation"),
}
T = TypeVar("T")
_PARTY_LABELS = {"debtor": _l("the debtor"), "creditor": _l("the creditor")}


def mediator_todo(user: User, today: date) -> TodoList:
    """What waits for ``user`` on the cases assigned to them, the most urgent first."""
    # Sessions and their records: one statement asks which kinds wait (most often none),
    # then only those are read.
    now = clock.now()
    waiting = db.session.execute(
        _waiting_kinds(), {"mediator_id": user.id, "owner": user.id, "now": now}
    ).one()
    entries: list[Entry] = []
    if waiting.answers:
        entries += answers_to_consider(user)  # upcoming sessions a party cannot make
    if waiting.to_sign:
        entries += records_to_sign(user)  # session records both parties confirmed
    if waiting.to_write:
        entries += records_to_write(user)  # held sessions without a sent record
    soon = today + timedelta(days=rules.DEADLINE_SOON_DAYS)
    cases, cut = most_pressing(
        db.session.scalars(_pressing(), {"mediator_id": user.id, "soon": soon})
    )
    # One query per kind for all the cases listed (none when no case is at that stage),
    # not one per case.
    negotiating = [c.id for c in cases if c.state == CaseState.NEGOTIATING]
    performing = [c.id for c in cases if c.state in PERFORMANCE_STATES]
    offers = _by_case(_open_offers(), negotiating)
    disputes = _by_case(_disputed_payments(), performing)
    for case in cases:
        entries += _case_entries(
            user, case, today, offers.get(case.id, []), disputes.get(case.id, [])
        )
    return TodoList(ordered(entries), cut)


def _by_case(query: Select[tuple[T]], case_ids: list[int]) -> dict[int, list[T]]:
    """Rows that carry a ``case_id``, grouped by it, in the query's order (no statement
    for no case)."""
    grouped: dict[int, list[T]] = defaultdict(list)
    for row in db.session.scalars(query, {"case_ids": case_ids}) if case_ids else ():
        grouped[row.case_id].append(row)  # type: ignore[attr-defined]
    return grouped


# The to-do list is built on every visit of the docket (the mediator's home): its
# statements are built once (building one costs more than its cached compilation), the
# mediator, the day and the cases bound per call.
@cache
def _waiting_kinds() -> Select[tuple[bool, bool, bool]]:
    return select(
        probe(declined_sessions()).label("answers"),
        probe(awaiting_records(Role.MEDIATOR)).label("to_sign"),
        or_(probe(held_unrecorded()), probe(unsent_records())).label("to_write"),
    )


@cache
def _open_offers() -> Select[tuple[Proposal]]:
    return (
        select(Proposal)
        .where(
            Proposal.case_id.in_(bindparam("case_ids", expanding=True)),
            Proposal.state == ProposalState.OPEN,
        )
        .order_by(Proposal.id)
    )


@cache
def _disputed_payments() -> Select[tuple[RepaymentPayment]]:
    return (
        select(RepaymentPayment)
        .where(
            RepaymentPayment.case_id.in_(bindparam("case_ids", expanding=True)),
            RepaymentPayment.status == PaymentStatus.DISPUTED,
        )
        .order_by(RepaymentPayment.id)
    )


@cache
def _pressing() -> Select[tuple[Case]]:
    """The mediator's open cases that may have an item, the most pressing first."""
    return (
        select_cases()
        .where(Case.mediator_id == bindparam("mediator_id"), Case.state.in_(OPEN_STATES))
        .where(_may_have_an_item())
        # Soonest first, no deadline last: NULLS LAST is the (mediator_id,
        # next_deadline, id) index's own order, read from it, never sorted.
        .order_by(Case.next_deadline.asc().nulls_last(), Case.id)
        .limit(MAX_CASES + 1)  # one more: whether the list was cut
    )


def _may_have_an_item() -> ColumnElement[bool]:
    """The cases :func:`_case_entries` may find something on, in SQL, so that the list
    does not read every open case of a large docket: a stage that always asks something
    of the mediator, a deadline within the week, an open offer, a disputed payment or an
    open restructuring."""
    return or_(
        Case.state.in_(
            (
                CaseState.SUBMITTED,
                CaseState.AGREEMENT_DRAFTING,
                CaseState.SIGNING,
                CaseState.IN_FORCE,
            )
        ),
        Case.next_deadline <= bindparam("soon"),  # today + DEADLINE_SOON_DAYS
        and_(
            Case.state == CaseState.NEGOTIATING,
            exists().where(Proposal.case_id == Case.id, Proposal.state == ProposalState.OPEN),
        ),
        and_(
            Case.state.in_(PERFORMANCE_STATES),
            or_(
                exists().where(
                    RepaymentPayment.case_id == Case.id,
                    RepaymentPayment.status == PaymentStatus.DISPUTED,
                ),
                exists().where(
                    RestructuringRequest.case_id == Case.id,
                    RestructuringRequest.status.in_(OPEN_REQUEST_STATES),
                ),
            ),
        ),
    )


def _case_entries(
    user: User,
    case: Case,
    today: date,
    proposals: list[Proposal],
    payments: list[RepaymentPayment],
) -> list[Entry]:
    entries = _deadline(case, today)
    if case.state == CaseState.SUBMITTED:
        entries.append(_assignment(case))
    elif case.state == CaseState.NEGOTIATING:
        entries += _offers(case, proposals)
    elif case.state == CaseState.AGREEMENT_DRAFTING and current_agreement(case) is None:
        entries.append(_draft(case))
    elif case.state == CaseState.SIGNING:
        entries += agreement_to_sign(user, case) or _agreement_signatures(case)
    elif case.state == CaseState.IN_FORCE:
        entries += _package_signatures(case)
    if case.state in PERFORMANCE_STATES:
        entries += _disputes(case, payments)
        found = open_restructuring(case)
        entries += restructuring_steps(user, case, None, found) or _supplement_signatures(
            case, found[1]
        )
    return entries


def _disputes(case: Case, payments: list[RepaymentPayment]) -> list[Entry]:
    """A payment the debtor reported and the creditor disputes: the mediator decides."""
    return [
        (
            rules.Urgency(None, payment.decided_at),
            TodoItem(
                "dispute",
                _(
                    "Case %(ref)s: the creditor disputes a payment of %(amount)s the debtor "
                    "reported; resolve the dispute.",
                    ref=case.reference,
                    amount=money(payment.amount),
                ),
                case.reference,
                url_for("repayments.resolve", case_id=case.id, payment_id=payment.id),
            ),
        )
        for payment in payments
    ]


def _assignment(case: Case) -> Entry:
    return (
        rules.Urgency(None, case.submitted_at),
        TodoItem(
            "accept",
            _(
                "Case %(ref)s is assigned to you: accept it (the debtor is then invited) "
                "or decline it.",
                ref=case.reference,
            ),
            case.reference,
            case_url(case, "accept"),
        ),
    )


def _offers(case: Case, proposals: list[Proposal]) -> list[Entry]:
    return [
        (
            rules.Urgency(case.next_deadline, proposal.created_at),
            TodoItem(
                "offer",
                _(
                    "Case %(ref)s: proposal no. %(n)s waits for an answer.",
                    ref=case.reference,
                    n=proposal_number(proposal),
                ),
                case.reference,
                case_url(case, f"proposal-{proposal.id}"),
                case.next_deadline,
            ),
        )
        for proposal in proposals
    ]


def _draft(case: Case) -> Entry:
    return (
        rules.Urgency(case.next_deadline, case.last_activity_at),
        TodoItem(
            "draft",
            _(
                "Case %(ref)s: the parties agreed on terms; draft the mediation agreement.",
                ref=case.reference,
            ),
            case.reference,
            url_for("agreements.draft", case_id=case.id),
            case.next_deadline,
        ),
    )


def _waiting_for(roles: set[str], case: Case | None = None) -> str:
    if roles == {"debtor", "creditor"}:
        return _("%(a)s and %(b)s", a=_PARTY_LABELS["debtor"], b=_PARTY_LABELS["creditor"])
    if len(roles) == 1 and next(iter(roles)) in _PARTY_LABELS:
        return str(_PARTY_LABELS[next(iter(roles))])
    # Guarantors and co-borrowers (``party-<id>``) are named by their names.
    names = [str(_PARTY_LABELS[r]) for r in ("debtor", "creditor") if r in roles]
    names += [p.name for p in (case.extra_parties if case else ()) if p.signer_role in roles]
    return "、".join(names) if str(get_locale()) != "en" else ", ".join(names)


def _unsigned(case: Case, signed: set[str]) -> set[str]:
    """The parties to the agreement (the debtor, the creditor, each guarantor or
    co-borrower) who have not signed a document they all sign."""
    return ({"debtor", "creditor"} | extra_signers(case)) - signed


def _agreement_signatures(case: Case) -> list[Entry]:
    agreement = current_agreement(case)
    if agreement is None or agreement.status != AgreementStatus.SIGNING:
        return []
    missing = _unsigned(case, signed_roles(agreement))
    if not missing:
        return []
    return [
        (
            rules.Urgency(case.next_deadline, agreement.drafted_at),
            TodoItem(
                "signatures",
                _(
                    "Case %(ref)s: the agreement waits for the signature of %(who)s.",
                    ref=case.reference,
                    who=_waiting_for(missing, case),
                ),
                case.reference,
                case_url(case, "agreement"),
                case.next_deadline,
            ),
        )
    ]


def _supplement_signatures(case: Case, supplement: SupplementaryAgreement | None) -> list[Entry]:
    """A supplementary agreement still missing a party's signature (the debtor, the
    creditor, a guarantor or co-borrower: app.restructuring.signing), so the mediator
    knows whom to remind before signing last."""
    if supplement is None or supplement.status != SupplementaryStatus.SIGNING:
        return []
    missing = _unsigned(case, supplement_signed_roles(supplement))
    if not missing:
        return []
    return [
        (
            rules.Urgency(None, supplement.drafted_at),
            TodoItem(
                "supplement_signatures",
                _(
                    "Case %(ref)s: the supplementary agreement waits for the signature of %(who)s.",
                    ref=case.reference,
                    who=_waiting_for(missing, case),
                ),
                case.reference,
                case_url(case, "restructuring"),
            ),
        )
    ]


def _package_signatures(case: Case) -> list[Entry]:
    package = current_package(case)
    if package is None or package.status != PackageStatus.SIGNING:
        return []
    # every applicant: the debtor, the creditor, each guarantor or co-borrower
    missing = set(package_signers(case)) - package_signed_roles(package)
    if not missing:
        return []
    return [
        (
            rules.Urgency(case.next_deadline, package.released_at),
            TodoItem(
                "signatures",
                _(
                    "Case %(ref)s: the application for judicial confirmation waits for "
                    "the signature of %(who)s.",
                    ref=case.reference,
                    who=_waiting_for(missing, case),
                ),
                case.reference,
                case_url(case, "confirmation"),
                case.next_deadline,
            ),
        )
    ]


def _deadline(case: Case, today: date) -> list[Entry]:
    label = DEADLINE_LABELS.get(case.state)
    if label is None or not rules.deadline_soon(case.next_deadline, today):
        return []
    assert case.next_deadline is not None
    words = (
        _(
            "Case %(ref)s: the last day of %(what)s was %(day)s.",
            ref=case.reference,
            what=label,
            day=local_date(case.next_deadline),
        )
        if rules.overdue(case.next_deadline, today)
        else _(
            "Case %(ref)s: the last day of %(what)s is %(day)s.",
            ref=case.reference,
            what=label,
            day=local_date(case.next_deadline),
        )
    )
    anchor = "confirmation" if case.state == CaseState.IN_FORCE else None
    return [
        (
            rules.Urgency(case.next_deadline),
            TodoItem("deadline", words, case.reference, case_url(case, anchor), case.next_deadline),
        )
    ]
