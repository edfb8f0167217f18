"""Proposals: concrete terms with a full schedule, offered, countered, accepted, rejected
or withdrawn, until one is accepted (民法典 Arts. 471-488; 人民调解法 Art. 22).

Every use case checks the rule in :mod:`app.rules.proposals` first, then claims the case
(:func:`app.core.transaction.claim`: the case row's version moves before anything else
is written), then writes rows, the audit event and the outbox messages, committed once by
:func:`app.core.transaction.use_case`. Two use cases racing on the same case therefore
serialise on the case row and the later one fails its claim; the partial unique index on
accepted proposals is the last line. Either is a :class:`~app.core.errors.Conflict`.

A counter-proposal answers an open proposal of another side: the answered proposal
becomes SUPERSEDED (a counter-offer is a new offer that ends the old one, 民法典 Art.
488), and so does any earlier open proposal of the counter's own side. Only a party
counters; the mediator makes fresh proposals.

Reading (the case's proposals, the claim check, what a viewer may do) is in
:mod:`app.negotiation.proposal_queries`; the offered terms and the refusals in words in
:mod:`app.negotiation.offers`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.cases.lifecycle import claim_facts, today, transition_case
from app.core import clock
from app.core.transaction import claim, conflict_on, use_case
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import Role, User
from app.negotiation.offers import (
    Offer,
    ProposalInvalid,
    proposal_row,
    schedule_for,
    settle_offer,
)
from app.negotiation.proposal_queries import (
    Checker,
    accepted_by,
    breaks_rule,
    proposals_of,
    schedule_of,
    side_of,
    terms_of,
)
from app.notifications.content import check_words_to_debtor
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts import negotiation as texts
from app.rules import proposals as rules
from app.rules.cases import CaseEvent, CaseState
from app.rules.claims import Severity
from app.rules.proposals import ProposalRuleError, ProposalState, Side
from app.rules.schedules import Schedule

__all__ = [  # the writers, and what callers outside the feature read through here
    "Offer",
    "accept_proposal",
    "check_counter",
    "proposals_of",
    "reject_proposal",
    "schedule_for",
    "schedule_of",
    "submit_proposal",
    "terms_of",
    "withdraw_proposal",
]

# A second accepted proposal of the same case: somebody else settled it first.
conflict_on("uq_proposals_one_accepted_per_case")


def _side(user: User) -> Side:
    side = side_of(user)
    if side is None:
        raise ProposalRuleError("not_allowed")
    return side


def _require_negotiating(case: Case) -> None:
    """Proposals are made and answered only while the case is negotiating (code
    ``case_not_negotiating``): once one is accepted the terms are settled."""
    if case.state != CaseState.NEGOTIATING:
        raise ProposalRuleError("case_not_negotiating")


def _claim(case: Case) -> None:
    """Take the case for this use case before any other write: a concurrent one on the
    same case fails here (:class:`~app.core.errors.Conflict`)."""
    claim(case)
    case.last_activity_at = clock.now()


# --- proposing ---------------------------------------------------------------------------


@use_case
def submit_proposal(
    actor: User,
    case: Case,
    offer: Offer,
    *,
    replies_to: Proposal | None = None,
    schedule: Schedule | None = None,
) -> Proposal:
    """Put forward terms: the total split and the schedule (built from the offer unless
    given) checked by :func:`app.negotiation.offers.settle_offer`, then stored row by row.
    The side's earlier open proposal and the answered one (``replies_to``, a
    counter-offer) become SUPERSEDED. Refusals: :class:`ProposalInvalid` (the terms or
    the schedule) and :class:`ProposalRuleError`."""
    side = _side(actor)
    _require_negotiating(case)
    _check_words(actor, case, offer.note, "note")
    facts = claim_facts(case)
    if facts is None:
        raise ProposalRuleError("claim_incomplete")
    terms, schedule = settle_offer(facts, offer, today(), schedule)
    if replies_to is not None:
        if replies_to.case_id != case.id:
            raise ProposalRuleError("not_allowed")
        check_counter(actor, replies_to)
    _claim(case)
    superseded = _supersede(case, side, replies_to)
    proposal = proposal_row(actor, case, side, offer, terms, schedule, replies_to)
    db.session.add(proposal)
    db.session.flush()
    countering = replies_to is not None
    _record(
        AuditAction.CASE_PROPOSAL_COUNTER if countering else AuditAction.CASE_PROPOSAL_SUBMIT,
        actor,
        proposal,
        {
            "side": side.value,
            "kind": terms.kind,
            "total": terms.total,
            "discount": terms.discount,
            "payments": schedule.count,
            "first_due": schedule.first_due.isoformat(),
            "last_due": schedule.last_due.isoformat(),
            "waive_interest": terms.waive_interest,
            "waive_penalty": terms.waive_penalty,
            "replies_to": replies_to.id if replies_to is not None else None,
            "superseded": superseded,
        },
    )
    event = "proposal_counter" if countering else "proposal_new"
    _notify(case, event, actor_side=side, to=set(Side) - {side})
    return proposal


def _check_words(actor: User, case: Case, text: str, field: str) -> None:
    """A creditor's or mediator's words on a proposal (its note, a reason) are read by the
    debtor: they pass the content checker (:mod:`app.notifications.content`)."""
    if actor.role != Role.DEBTOR and text.strip():
        check_words_to_debtor(text, case, field=field)


def check_counter(actor: User, proposal: Proposal) -> None:
    """May ``actor`` answer ``proposal`` with a counter-offer? Exactly when they could
    reject it: a party, not the proposer's side, the proposal still open."""
    rules.reject(proposal.state, proposer=proposal.side, actor=_side(actor))


def _supersede(case: Case, side: Side, answered: Proposal | None) -> list[int]:
    earlier = list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.case_id == case.id,
                Proposal.side == side,
                Proposal.state == ProposalState.OPEN,
            )
        )
    )
    if answered is not None:
        earlier.append(answered)
    for old in earlier:
        old.state = rules.supersede(old.state)
    return sorted(old.id for old in earlier)


# --- answering ---------------------------------------------------------------------------


def check_accept(actor: User, case: Case, proposal: Proposal) -> None:
    """Refuse, as :func:`accept_proposal` would, an accept that the rules do not allow
    (writing nothing): the confirmation page is shown only for an accept that can bind."""
    _require_negotiating(case)
    rules.accept(
        proposal.state,
        proposer=proposal.side,
        actor=_side(actor),
        accepted_by=accepted_by(proposal),
    )


@use_case
def accept_proposal(actor: User, case: Case, proposal: Proposal) -> bool:
    """A party accepts. A party's proposal is then agreed; a mediator's once both parties
    have accepted it (``rules.accept``). Agreement closes every other open proposal and
    moves the case to agreement drafting, in one transaction. Returns whether it settled."""
    side = _side(actor)
    _require_negotiating(case)
    new_state = rules.accept(
        proposal.state, proposer=proposal.side, actor=side, accepted_by=accepted_by(proposal)
    )
    _claim(case)
    if side == Side.DEBTOR:
        proposal.accepted_by_debtor_at = clock.now()
    else:
        proposal.accepted_by_creditor_at = clock.now()
    settled = new_state == ProposalState.ACCEPTED
    closed = _settle(actor, case, proposal) if settled else []
    db.session.flush()  # the unique index on accepted proposals speaks here
    _record(
        AuditAction.CASE_PROPOSAL_ACCEPT,
        actor,
        proposal,
        {"side": side.value, "settled": settled, "total": proposal.total, "closed": closed},
    )
    event = "proposal_settled" if settled else "proposal_accepted"
    _notify(case, event, actor_side=side, to=set(Side) - {side})
    return settled


def _settle(actor: User, case: Case, proposal: Proposal) -> list[int]:
    now = clock.now()
    proposal.state = ProposalState.ACCEPTED
    proposal.decided_at, proposal.decided_by_id = now, actor.id
    others = db.session.scalars(
        select(Proposal).where(
            Proposal.case_id == case.id,
            Proposal.state == ProposalState.OPEN,
            Proposal.id != proposal.id,
        )
    )
    closed = []
    for other in others:
        other.state = rules.close(other.state)
        other.decided_at = now
        closed.append(other.id)
    transition_case(case, CaseEvent.SETTLE)
    return sorted(closed)


@use_case
def reject_proposal(actor: User, case: Case, proposal: Proposal, reason: str) -> None:
    """A party other than the proposer turns the proposal down, with a reason the
    proposer will read (民法典 Art. 478). ``ProposalInvalid("reason_required")`` when it
    is empty."""
    side = _side(actor)
    _require_negotiating(case)
    reason = reason.strip()
    if not reason:
        raise ProposalInvalid("reason_required", "reason")
    _check_words(actor, case, reason, "reason")
    new_state = rules.reject(proposal.state, proposer=proposal.side, actor=side)
    _claim(case)
    proposal.state = new_state
    proposal.decided_at, proposal.decided_by_id = clock.now(), actor.id
    proposal.decision_reason = reason
    _record(
        AuditAction.CASE_PROPOSAL_REJECT, actor, proposal, {"side": side.value, "reason": reason}
    )
    _notify(case, "proposal_rejected", actor_side=side, to=set(Side) - {side})


@use_case
def withdraw_proposal(actor: User, case: Case, proposal: Proposal, reason: str = "") -> None:
    """The proposer takes their open proposal back; the mediator may withdraw anyone's
    that breaks a rule, i.e. has a blocking finding (人民调解法 Art. 3). When the
    mediator does, the proposer's side is told."""
    side = _side(actor)
    _require_negotiating(case)
    _check_words(actor, case, reason, "reason")
    findings = Checker.for_case(case).findings(proposal)
    blocked = breaks_rule(findings)
    new_state = rules.withdraw(
        proposal.state, proposer=proposal.side, actor=side, breaks_rule=blocked
    )
    _claim(case)
    proposal.state = new_state
    proposal.decided_at, proposal.decided_by_id = clock.now(), actor.id
    proposal.decision_reason = reason.strip() or None
    _record(
        AuditAction.CASE_PROPOSAL_WITHDRAW,
        actor,
        proposal,
        {
            "side": side.value,
            "breaks_rule": blocked,
            "findings": [f.code for f in findings if f.severity == Severity.BLOCK],
        },
    )
    if side != proposal.side:
        _notify(case, "proposal_withdrawn", actor_side=side, to={proposal.side})


# --- the record and the notices ----------------------------------------------------------


def _record(action: AuditAction, actor: User, proposal: Proposal, data: dict[str, Any]) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="proposal",
        object_id=proposal.id,
        case_id=proposal.case_id,
        data=data,
    )


def _notify(case: Case, event: str, *, actor_side: Side, to: set[Side]) -> None:
    """Tell the other sides through the outbox (contact rules apply to the debtor)."""
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: texts.proposal_notice(
            event, org, ref, actor_side.value, link, channel=channel
        ),
        roles={side.value for side in to},
    )
