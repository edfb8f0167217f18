"""Items more than one role's list shares: answering an offer, signing the agreement,
signing the application for judicial confirmation."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.agreements.common import current_agreement
from app.agreements.signing import may_sign
from app.confirmation.common import current_package
from app.confirmation.signing import may_sign_package
from app.core.format import local_date
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.restructuring import RequestStatus, RestructuringRequest, SupplementaryAgreement
from app.models.users import User
from app.negotiation.proposal_queries import proposal_number
from app.restructuring.common import current_supplement, open_request
from app.restructuring.signing import may_sign as may_sign_supplement
from app.rules import todo as rules
from app.rules.proposals import ProposalState, Side
from app.rules.proposals import allowed_actions as proposal_actions
from app.todo.common import Entry, TodoItem, case_url


def offers_to_answer(case: Case, side: Side) -> list[Entry]:
    """The open proposals of another side that ``side`` may accept or reject now."""
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.case_id == case.id, Proposal.state == ProposalState.OPEN)
        .order_by(Proposal.id)
    )
    entries: list[Entry] = []
    for proposal in proposals:
        accepted = frozenset(
            s
            for s, at in (
                (Side.DEBTOR, proposal.accepted_by_debtor_at),
                (Side.CREDITOR, proposal.accepted_by_creditor_at),
            )
            if at is not None
        )
        found = proposal_actions(
            proposal.state, proposer=proposal.side, actor=side, accepted_by=accepted
        )
        if "accept" not in found:  # answered already (a mediator's, accepted by one side)
            continue
        entries.append(
            (
                rules.Urgency(case.next_deadline, proposal.created_at),
                TodoItem(
                    "offer",
                    _(
                        "Case %(ref)s: answer proposal no. %(n)s (accept, reject or make "
                        "a counter-offer).",
                        ref=case.reference,
                        n=proposal_number(proposal),
                    ),
                    case.reference,
                    case_url(case, f"proposal-{proposal.id}"),
                    case.next_deadline,
                ),
            )
        )
    return entries


def sign_agreement_entry(case: Case, version: int, since: datetime) -> Entry:
    return (
        rules.Urgency(case.next_deadline, since),
        TodoItem(
            "sign",
            _("Case %(ref)s: review and sign the mediation agreement.", ref=case.reference),
            case.reference,
            url_for("agreements.sign", case_id=case.id, version=version),
            case.next_deadline,
        ),
    )


def sign_package_entry(case: Case, number: int) -> Entry:
    return (
        rules.Urgency(case.next_deadline),
        TodoItem(
            "sign_package",
            _(
                "Case %(ref)s: sign the joint application for judicial confirmation by %(day)s.",
                ref=case.reference,
                day=local_date(case.next_deadline) if case.next_deadline else "—",
            ),
            case.reference,
            url_for("packages.sign", case_id=case.id, number=number),
            case.next_deadline,
        ),
    )


def agreement_to_sign(user: User, case: Case) -> list[Entry]:
    agreement = current_agreement(case)
    if agreement is None or not may_sign(user, case, agreement):
        return []
    return [sign_agreement_entry(case, agreement.version, agreement.drafted_at)]


def package_to_sign(user: User, case: Case) -> list[Entry]:
    package = current_package(case)
    if package is None or not may_sign_package(user, case, package):
        return []
    return [sign_package_entry(case, package.number)]


def extension_to_answer(case: Case, side: str) -> list[Entry]:
    """The other party proposed to extend the mediation period: ``side`` answers it."""
    until = case.extension_proposed_until
    if until is None or case.extension_proposed_by_side in (None, side):
        return []
    return [
        (
            rules.Urgency(case.next_deadline, case.extension_proposed_at),
            TodoItem(
                "extension",
                _(
                    "Case %(ref)s: the other party proposes to extend the mediation until "
                    "%(day)s; agree or decline.",
                    ref=case.reference,
                    day=local_date(until),
                ),
                case.reference,
                case_url(case, "mediation"),
                case.next_deadline,
            ),
        )
    ]


OpenRestructuring = tuple[RestructuringRequest | None, SupplementaryAgreement | None]


def open_restructuring(case: Case) -> OpenRestructuring:
    """The case's open restructuring request and its newest supplementary agreement (none
    while the terms are still discussed), read once for a case's to-do items."""
    request = open_request(case)
    if request is None or request.status == RequestStatus.OPEN:
        return request, None
    return request, current_supplement(request)


def restructuring_steps(
    user: User, case: Case, side: str | None, found: OpenRestructuring | None = None
) -> list[Entry]:
    """A restructuring of a live agreement: terms the other party offered for ``side``
    to answer, the mediator's supplementary agreement to draft (``side`` None), or one to
    sign. ``found``: :func:`open_restructuring`, when the caller has read it."""
    request, supplement = found or open_restructuring(case)
    if request is None:
        return []
    if request.status == RequestStatus.OPEN:
        if side is None or request.offers[-1]["side"] == side:
            return []
        return [
            (
                rules.Urgency(None, request.requested_at),
                TodoItem(
                    "restructuring",
                    _(
                        "Case %(ref)s: answer the proposed new terms for the remaining "
                        "balance (accept, decline or offer other terms).",
                        ref=case.reference,
                    ),
                    case.reference,
                    case_url(case, f"restructuring-{request.id}"),
                ),
            )
        ]
    if supplement is None:
        if side is not None:
            return []
        return [
            (
                rules.Urgency(None, request.requested_at),
                TodoItem(
                    "draft_supplementary",
                    _(
                        "Case %(ref)s: the parties agreed new terms; draft the "
                        "supplementary agreement.",
                        ref=case.reference,
                    ),
                    case.reference,
                    case_url(case, "restructuring"),
                ),
            )
        ]
    return _sign_supplement(user, case, request, supplement)


def supplement_to_sign(user: User, case: Case) -> list[Entry]:
    """The supplementary agreement of the case's open restructuring, when ``user`` may sign
    it now: the debtor, the creditor, a guarantor or co-borrower (who consent to the change
    by signing it, 民法典 Art. 695), then the mediator."""
    request, supplement = open_restructuring(case)
    if request is None or supplement is None:
        return []
    return _sign_supplement(user, case, request, supplement)


def _sign_supplement(
    user: User, case: Case, request: RestructuringRequest, supplement: SupplementaryAgreement
) -> list[Entry]:
    if not may_sign_supplement(user, case, supplement):
        return []
    return [
        (
            rules.Urgency(None, request.requested_at),
            TodoItem(
                "sign_supplementary",
                _(
                    "Case %(ref)s: review and sign the supplementary agreement.",
                    ref=case.reference,
                ),
                case.reference,
                url_for("restructuring.sign", case_id=case.id, version=supplement.version),
            ),
        )
    ]
