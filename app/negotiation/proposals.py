"""Proposals: concrete terms with a full schedule, offered, countered, accepted, rejected
or withdrawn, until one is accepted (BRIEF §2 journey 4).

Every use case checks the rule in ``app.rules.proposals`` first, then claims the case
(``_claim_case``: the case row's version counter is bumped and flushed before anything
else is written), then writes rows, the audit event and the outbox messages, and commits
once. Two use cases racing on the same case therefore serialise on the case row: the
later one finds the version moved and fails with ``StaleDataError``; the partial unique
index on accepted proposals is the last line. Either becomes :class:`ProposalConflict`.

A counter-proposal answers an open proposal of another side: the answered proposal
becomes SUPERSEDED (a counter-offer is a new offer that ends the old one, 民法典 Art.
488), and so does any earlier open proposal of the counter's own side. Only a party
counters; the mediator makes fresh proposals.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.access import Permission, can
from app.cases.lifecycle import claim_facts, lpr_history, today, transition_case
from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import FinancialStatement, Proposal, ProposalInstalment
from app.models.notifications import Channel
from app.models.users import Role, User
from app.notifications.outbox import queue_message
from app.notifications.texts import negotiation as texts
from app.rules import proposals as rules
from app.rules.affordability import (
    ESSENTIAL_CATEGORIES,
    INCOME_SOURCES,
    Affordability,
    Statement,
    assess,
)
from app.rules.cases import CaseEvent, CaseState
from app.rules.claims import ClaimFacts, Finding, LprFixing, Severity
from app.rules.proposals import ProposalRuleError, ProposalState, Side, Terms
from app.rules.schedules import (
    ZERO,
    Frequency,
    Instalment,
    Schedule,
    instalment_plan,
    lump_sum,
    validate_schedule,
)

__all__ = ["Offer", "ProposalConflict", "ProposalRuleError", "schedule_for"]

_SIDES = {Role.DEBTOR: Side.DEBTOR, Role.CREDITOR: Side.CREDITOR, Role.MEDIATOR: Side.MEDIATOR}
# Serialisation failures PostgreSQL reports instead of waiting (deadlock, serialisation).
_RETRYABLE_SQLSTATES = {"40P01", "40001"}


class ProposalConflict(Exception):
    """Someone else changed the case at the same moment; nothing of this request was saved."""


@dataclass(frozen=True)
class Offer:
    """Terms as a proposer states them: a lump sum of ``total`` due on ``first_due``, or
    an optional down payment and ``count`` instalments every ``frequency`` from
    ``first_due``. The discount is whatever the total leaves of the claim."""

    kind: str  # TermsKind: "lump_sum" | "instalments"
    total: Decimal
    first_due: date
    waive_interest: bool = False
    waive_penalty: bool = False
    down_payment: Decimal = ZERO
    down_payment_due: date | None = None
    count: int | None = None
    frequency: Frequency | None = None
    note: str = ""


def schedule_for(offer: Offer) -> Schedule:
    """The offer's schedule, built by the domain (exact sums, month ends)."""
    if offer.kind == rules.TermsKind.LUMP_SUM:
        return lump_sum(offer.total, offer.first_due)
    return instalment_plan(
        offer.total,
        count=offer.count or 0,
        frequency=offer.frequency or Frequency.MONTHLY,
        first_due=offer.first_due,
        down_payment=offer.down_payment,
        down_payment_due=offer.down_payment_due,
    )


def side_of(user: User) -> Side | None:
    """The side a user speaks for: debtor, creditor or mediator (admins none)."""
    return _SIDES.get(user.role)


def _side(user: User) -> Side:
    side = side_of(user)
    if side is None:
        raise ProposalRuleError("not_allowed")
    return side


# --- reading -----------------------------------------------------------------------------


def proposals_of(case: Case) -> list[Proposal]:
    """Every proposal of the case, newest first, schedules loaded in one more query."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.case_id == case.id)
            .options(selectinload(Proposal.instalments))
            .order_by(Proposal.id.desc())
        )
    )


def terms_of(proposal: Proposal) -> Terms:
    return Terms(
        kind=proposal.kind,
        total=proposal.total,
        principal=proposal.principal,
        interest=proposal.interest,
        fees=proposal.fees,
        waive_interest=proposal.waive_interest,
        waive_penalty=proposal.waive_penalty,
        discount=proposal.discount,
    )


def schedule_of(proposal: Proposal) -> Schedule:
    return Schedule(
        tuple(Instalment(r.number, r.due, r.amount, r.kind) for r in proposal.instalments)
    )


@dataclass(frozen=True)
class Checker:
    """What checking many proposals of one case needs, read once."""

    facts: ClaimFacts | None
    history: tuple[LprFixing, ...]

    @classmethod
    def for_case(cls, case: Case) -> Checker:
        return cls(claim_facts(case), tuple(lpr_history()))

    def findings(self, proposal: Proposal) -> list[Finding]:
        """The claim check on the proposed terms (BRIEF §4), blocks first."""
        if self.facts is None:
            return []
        return rules.findings_for_terms(
            terms_of(proposal), schedule_of(proposal), self.facts, today(), self.history
        )


def breaks_rule(findings: list[Finding]) -> bool:
    return any(f.severity == Severity.BLOCK for f in findings)


@dataclass(frozen=True)
class AffordabilityView:
    """What a viewer may know of the debtor's means: ``visible`` False when they may not
    (a creditor without the debtor's consent, an admin); ``assessment`` None when there
    is no statement yet."""

    visible: bool
    assessment: Affordability | None = None


def affordability_for(case: Case, viewer: User) -> AffordabilityView:
    """The newest statement's assessment, for the debtor, the mediator and, only with
    the debtor's consent on that statement, the creditor (BRIEF §2 journey 4)."""
    if not can(viewer, Permission.STATEMENT_VIEW, case):
        return AffordabilityView(False)
    row = db.session.scalar(
        select(FinancialStatement)
        .where(FinancialStatement.case_id == case.id)
        .order_by(FinancialStatement.id.desc())
        .limit(1)
    )
    if viewer.role == Role.CREDITOR and (row is None or not row.shared_with_creditor):
        return AffordabilityView(False)
    if row is None:
        return AffordabilityView(True)
    return AffordabilityView(True, assess(_statement(row)))


def _statement(row: FinancialStatement) -> Statement:
    return Statement(
        household_size=row.household_size,
        dependants=row.dependants,
        income={k: Decimal(str(v)) for k, v in row.income.items() if k in INCOME_SOURCES},
        spending={k: Decimal(str(v)) for k, v in row.spending.items() if k in ESSENTIAL_CATEGORIES},
        savings=row.savings,
        assets=row.assets,
    )


def accepted_by(proposal: Proposal) -> frozenset[Side]:
    sides = set()
    if proposal.accepted_by_debtor_at is not None:
        sides.add(Side.DEBTOR)
    if proposal.accepted_by_creditor_at is not None:
        sides.add(Side.CREDITOR)
    return frozenset(sides)


def allowed_actions(
    case: Case, proposal: Proposal, viewer: User, findings: list[Finding]
) -> frozenset[str]:
    """What ``viewer`` may do with the proposal now: the domain's accept / reject /
    withdraw, and ``counter`` (a party answering another side's open proposal, i.e.
    exactly when it could reject it). Permissions and the case state come first."""
    side = side_of(viewer)
    if side is None:
        return frozenset()
    found = rules.allowed_actions(
        proposal.state,
        proposer=proposal.side,
        actor=side,
        accepted_by=accepted_by(proposal),
        breaks_rule=breaks_rule(findings),
    )
    permitted = {
        "accept": Permission.PROPOSAL_DECIDE,
        "reject": Permission.PROPOSAL_DECIDE,
        "withdraw": Permission.PROPOSAL_WITHDRAW,
    }
    allowed = {name for name in found if can(viewer, permitted[name], case)}
    if "reject" in found and can(viewer, Permission.PROPOSAL_SUBMIT, case):
        allowed.add("counter")
    return frozenset(allowed)


# --- writing -----------------------------------------------------------------------------


@contextmanager
def _conflicts() -> Iterator[None]:
    """A lost race on the case (version moved, second accepted proposal, a deadlock the
    database broke) rolls everything back and becomes :class:`ProposalConflict`."""
    try:
        yield
    except (StaleDataError, IntegrityError) as err:
        db.session.rollback()
        raise ProposalConflict() from err
    except OperationalError as err:
        db.session.rollback()
        if getattr(err.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
            raise ProposalConflict() from err
        raise


def _require_negotiating(case: Case) -> None:
    """Proposals are made and answered only while the case is negotiating (code
    ``case_not_negotiating``): once one is accepted the terms are settled."""
    if case.state != CaseState.NEGOTIATING:
        raise ProposalRuleError("case_not_negotiating")


def _claim_case(case: Case) -> None:
    """Bump the case's version and flush now, before any other write: the first writer
    holds the case row; a concurrent one waits, then fails the version check."""
    case.last_activity_at = clock.now()
    db.session.flush()


def submit_proposal(
    actor: User,
    case: Case,
    offer: Offer,
    *,
    replies_to: Proposal | None = None,
    schedule: Schedule | None = None,
) -> Proposal:
    """Put forward terms: the total split by ``settle_terms``, the schedule (built from
    the offer unless given) checked to sum exactly to that total with nothing due in the
    past (``validate_schedule``), then stored row by row. The side's earlier open
    proposal and the answered one (``replies_to``, a counter-offer) become SUPERSEDED.
    Refusals: ``InvalidInput`` (the terms or the schedule) and ``ProposalRuleError``."""
    side = _side(actor)
    _require_negotiating(case)
    facts = claim_facts(case)
    if facts is None:
        raise ProposalRuleError("claim_incomplete")
    terms = rules.settle_terms(
        rules.claim_amounts(facts),
        total=offer.total,
        waive_interest=offer.waive_interest,
        waive_penalty=offer.waive_penalty,
        kind=offer.kind,
    )
    schedule = schedule or schedule_for(offer)
    validate_schedule(schedule, expected_total=terms.total, today=today())
    if replies_to is not None:
        if replies_to.case_id != case.id:
            raise ProposalRuleError("not_allowed")
        check_counter(actor, replies_to)
    with _conflicts():
        _claim_case(case)
        superseded = _supersede(case, side, replies_to)
        proposal = _new_proposal(actor, case, side, offer, terms, schedule, replies_to)
        event = "proposal_counter" if replies_to is not None else "proposal_new"
        audit.record(
            "case:proposal:counter" if replies_to is not None else "case:proposal:submit",
            actor=actor,
            object_type="proposal",
            object_id=proposal.id,
            case_id=case.id,
            data={
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
        _notify(case, event, actor_side=side, to=set(Side) - {side})
        db.session.commit()
    return proposal


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


def _new_proposal(
    actor: User,
    case: Case,
    side: Side,
    offer: Offer,
    terms: Terms,
    schedule: Schedule,
    replies_to: Proposal | None,
) -> Proposal:
    proposal = Proposal(
        case_id=case.id,
        side=side,
        proposer_id=actor.id,
        replies_to_id=replies_to.id if replies_to is not None else None,
        state=ProposalState.OPEN,
        kind=str(terms.kind),
        total=terms.total,
        principal=terms.principal,
        interest=terms.interest,
        fees=terms.fees,
        discount=terms.discount,
        waive_interest=terms.waive_interest,
        waive_penalty=terms.waive_penalty,
        frequency=offer.frequency.value if offer.frequency else None,
        instalment_count=offer.count,
        first_due=offer.first_due,
        down_payment=schedule.down_payment,
        note=offer.note or None,
        instalments=[
            ProposalInstalment(number=i.number, due=i.due, amount=i.amount, kind=i.kind)
            for i in schedule.instalments
        ],
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def accept_proposal(actor: User, case: Case, proposal: Proposal) -> bool:
    """A party accepts. A party's proposal is then agreed; a mediator's once both parties
    have accepted it (``rules.accept``). Agreement closes every other open proposal and
    moves the case to agreement drafting, in one commit. Returns whether it settled."""
    side = _side(actor)
    _require_negotiating(case)
    new_state = rules.accept(
        proposal.state, proposer=proposal.side, actor=side, accepted_by=accepted_by(proposal)
    )
    with _conflicts():
        _claim_case(case)
        now = clock.now()
        if side == Side.DEBTOR:
            proposal.accepted_by_debtor_at = now
        else:
            proposal.accepted_by_creditor_at = now
        settled = new_state == ProposalState.ACCEPTED
        closed = _settle(actor, case, proposal) if settled else []
        db.session.flush()  # the unique index on accepted proposals speaks here
        audit.record(
            "case:proposal:accept",
            actor=actor,
            object_type="proposal",
            object_id=proposal.id,
            case_id=case.id,
            data={
                "side": side.value,
                "settled": settled,
                "total": proposal.total,
                "closed": closed,
            },
        )
        event = "proposal_settled" if settled else "proposal_accepted"
        _notify(case, event, actor_side=side, to=set(Side) - {side})
        db.session.commit()
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


def reject_proposal(actor: User, case: Case, proposal: Proposal, reason: str) -> None:
    """A party other than the proposer turns the proposal down, with a reason the
    proposer will read (民法典 Art. 478). Code ``reason_required`` when it is empty."""
    side = _side(actor)
    _require_negotiating(case)
    reason = reason.strip()
    if not reason:
        raise ProposalRuleError("reason_required")
    proposal_state = rules.reject(proposal.state, proposer=proposal.side, actor=side)
    with _conflicts():
        _claim_case(case)
        proposal.state = proposal_state
        proposal.decided_at, proposal.decided_by_id = clock.now(), actor.id
        proposal.decision_reason = reason
        audit.record(
            "case:proposal:reject",
            actor=actor,
            object_type="proposal",
            object_id=proposal.id,
            case_id=case.id,
            data={"side": side.value, "reason": reason},
        )
        _notify(case, "proposal_rejected", actor_side=side, to=set(Side) - {side})
        db.session.commit()


def withdraw_proposal(actor: User, case: Case, proposal: Proposal, reason: str = "") -> None:
    """The proposer takes their open proposal back; the mediator may withdraw anyone's
    that breaks a rule, i.e. has a blocking finding (人民调解法 Art. 3). When the
    mediator does, the proposer's side is told."""
    side = _side(actor)
    _require_negotiating(case)
    findings = Checker.for_case(case).findings(proposal)
    blocked = breaks_rule(findings)
    new_state = rules.withdraw(
        proposal.state, proposer=proposal.side, actor=side, breaks_rule=blocked
    )
    with _conflicts():
        _claim_case(case)
        proposal.state = new_state
        proposal.decided_at, proposal.decided_by_id = clock.now(), actor.id
        proposal.decision_reason = reason.strip() or None
        audit.record(
            "case:proposal:withdraw",
            actor=actor,
            object_type="proposal",
            object_id=proposal.id,
            case_id=case.id,
            data={
                "side": side.value,
                "breaks_rule": blocked,
                "findings": [f.code for f in findings if f.severity == Severity.BLOCK],
            },
        )
        if side != proposal.side:
            _notify(case, "proposal_withdrawn", actor_side=side, to={proposal.side})
        db.session.commit()


# --- notifications -----------------------------------------------------------------------


def _notify(case: Case, event: str, *, actor_side: Side, to: set[Side]) -> None:
    """Tell the other sides through the outbox (contact rules apply to the debtor)."""
    link = f"{current_app.config['SETTINGS'].public_url}/cases/{case.id}"
    org, ref = case.mediation_org.name, case.reference

    def send(address: str, channel: Channel, **who: object) -> None:
        subject, body = texts.proposal_notice(
            event, org, ref, actor_side.value, link, channel=channel
        )
        queue_message(
            address=address,
            channel=channel,
            template=event,
            subject=subject,
            body=body,
            case_id=case.id,
            **who,  # type: ignore[arg-type]
        )

    if Side.DEBTOR in to:
        if case.debtor_email:
            send(case.debtor_email, Channel.EMAIL, to_debtor=True)
        elif case.debtor_phone:
            send(case.debtor_phone, Channel.SMS, to_debtor=True)
    if Side.CREDITOR in to:
        for user in _creditor_staff(case):
            send(user.email, Channel.EMAIL, recipient_user_id=user.id)  # type: ignore[arg-type]
    if Side.MEDIATOR in to and case.mediator is not None and case.mediator.email:
        send(case.mediator.email, Channel.EMAIL, recipient_user_id=case.mediator.id)


def _creditor_staff(case: Case) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.role == Role.CREDITOR,
                User.creditor_org_id == case.creditor_org_id,
                User.is_locked.is_(False),
                User.email.is_not(None),
            )
        )
    )
