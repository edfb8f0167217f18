"""Reading proposals: a case's proposals, their terms and schedules as the domain sees
them, the claim check on each, what a viewer may do with one, and what the viewer may
know of the debtor's means. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.access import Permission, can
from app.cases.lifecycle import claim_facts, lpr_history, today
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import Role, User
from app.negotiation import statements
from app.rules import proposals as rules
from app.rules.affordability import Affordability
from app.rules.claims import ClaimFacts, Finding, LprFixing, Severity
from app.rules.proposals import Side, Terms
from app.rules.schedules import Instalment, Schedule

_SIDES = {Role.DEBTOR: Side.DEBTOR, Role.CREDITOR: Side.CREDITOR, Role.MEDIATOR: Side.MEDIATOR}
# The permission each of the domain's moves needs on the case.
_PERMITTED = {
    "accept": Permission.PROPOSAL_DECIDE,
    "reject": Permission.PROPOSAL_DECIDE,
    "withdraw": Permission.PROPOSAL_WITHDRAW,
}


def side_of(user: User) -> Side | None:
    """The side a user speaks for: debtor, creditor or mediator (admins none)."""
    return _SIDES.get(user.role)


def case_numbers(proposals: list[Proposal]) -> dict[int, int]:
    """Each proposal's number within its case, 1 for the first: what the parties read
    ("第 1 号方案"), never the database id, which counts every case's proposals."""
    return {p.id: n for n, p in enumerate(sorted(proposals, key=lambda p: p.id), start=1)}


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
        """The claim check on the proposed terms (:func:`app.rules.proposals.findings_for_terms`),
        blocks first."""
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
    the debtor's consent on that statement, the creditor
    (:func:`app.negotiation.statements.may_see`: PIPL Arts. 23, 29)."""
    if not can(viewer, Permission.STATEMENT_VIEW, case):
        return AffordabilityView(False)
    row = statements.latest_statement(case)
    if not statements.may_see(viewer, case, row):
        return AffordabilityView(False)
    if row is None:
        return AffordabilityView(True)
    return AffordabilityView(True, statements.assessment(row))


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
    allowed = {name for name in found if can(viewer, _PERMITTED[name], case)}
    if "reject" in found and can(viewer, Permission.PROPOSAL_SUBMIT, case):
        allowed.add("counter")
    return frozenset(allowed)


def proposal_number(proposal: Proposal) -> int:
    """The proposal's number within its case (the first proposal of a case is no. 1)."""
    return int(
        db.session.scalar(
            select(func.count(Proposal.id)).where(
                Proposal.case_id == proposal.case_id, Proposal.id <= proposal.id
            )
        )
        or 0
    )


@dataclass(frozen=True)
class AcceptanceSummary:
    """What a party binds themselves to by accepting, from the proposal's schedule: the
    total, the first payment (date and amount), the number of payments and the last date.
    ``account`` is the account to pay when the case knows it (else the agreement states
    it, and the signing page shows it before anyone signs)."""

    total: Decimal
    first_due: date
    first_amount: Decimal
    payments: int
    last_due: date
    account: str | None = None


def acceptance_summary(proposal: Proposal) -> AcceptanceSummary:
    rows = sorted(proposal.instalments, key=lambda r: (r.due, r.number))
    return AcceptanceSummary(
        total=proposal.total,
        first_due=rows[0].due,
        first_amount=rows[0].amount,
        payments=len(rows),
        last_due=rows[-1].due,
    )
