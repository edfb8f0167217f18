"""The dashboards' figures, each one SQL aggregate (``GROUP BY``, ``COUNT``, ``SUM``) over
the viewer's scope: never a loop over cases in Python. Python only sorts a few grouped
rows into bands and takes a median over ``(days, how many)`` pairs.

The scope is the viewer's (:mod:`app.dashboards.scope`); the contact figures are in
:mod:`app.dashboards.contact_figures`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, cast, exists, func, select
from sqlalchemy import case as when

from app.core import clock
from app.dashboards.scope import Scope, count_where
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.repayments import COUNTED, RepaymentBreach, RepaymentPayment
from app.models.users import Role, User
from app.rules.cases import CaseState
from app.rules.dashboards import (
    AGE_EDGES,
    DEADLINE_EDGES,
    DEADLINE_HORIZON,
    DEADLINE_OF,
    DISCOUNT_EDGES,
    LIVE_STATES,
    SETTLED_STATES,
    STAGE_OF,
    DeadlineKind,
    Stage,
)

ZERO = Decimal("0.00")


# --- cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseGroup:
    """The cases of one state and one mediator: how many, and how many of them were
    submitted since each age edge (cumulative) and have their next deadline passed or by
    each deadline edge (cumulative)."""

    state: CaseState
    mediator_id: int | None
    cases: int
    submitted: int
    since: tuple[int, ...]  # by AGE_EDGES: submitted at most that many days ago
    passed: int
    by: tuple[int, ...]  # by DEADLINE_EDGES: next deadline at most that many days ahead


def case_groups(scope: Scope) -> list[CaseGroup]:
    """The scope's cases grouped by state and mediator in one pass, every other count
    a conditional sum: the cases by state, by age, per mediator and by deadline all come
    from these few rows (ix_cases_dashboard covers the admin's scan)."""
    return scope.once("case_groups", lambda: _case_groups(scope))


def _case_groups(scope: Scope) -> list[CaseGroup]:
    now, today = clock.now(), clock.today()
    rows = db.session.execute(
        select(
            Case.state,
            Case.mediator_id,
            func.count(),
            func.count(Case.submitted_at),
            *(count_where(Case.submitted_at >= now - timedelta(days=e)) for e in AGE_EDGES),
            count_where(Case.next_deadline < today),
            *(count_where(Case.next_deadline <= today + timedelta(days=e)) for e in DEADLINE_EDGES),
        )
        .where(scope.cases)
        .group_by(Case.state, Case.mediator_id)
    ).all()
    ages, weeks = len(AGE_EDGES), len(DEADLINE_EDGES)
    return [
        CaseGroup(
            CaseState(r[0]),
            r[1],
            int(r[2]),
            int(r[3]),
            tuple(int(v) for v in r[4 : 4 + ages]),
            int(r[4 + ages]),
            tuple(int(v) for v in r[5 + ages : 5 + ages + weeks]),
        )
        for r in rows
    ]


def cases_by_state(scope: Scope) -> dict[CaseState, int]:
    counts: dict[CaseState, int] = defaultdict(int)
    for g in case_groups(scope):
        counts[g.state] += g.cases
    return dict(counts)


def cases_by_age(scope: Scope) -> tuple[int, ...]:
    """Live cases by days since submission, in the bands of ``AGE_EDGES`` (and older)."""
    live = [g for g in case_groups(scope) if g.state in LIVE_STATES]
    cumulative = [sum(g.since[i] for g in live) for i in range(len(AGE_EDGES))]
    cumulative.append(sum(g.submitted for g in live))
    return tuple(c - (cumulative[i - 1] if i else 0) for i, c in enumerate(cumulative))


def workload(scope: Scope) -> list[tuple[str, dict[Stage, int]]]:
    """Open cases per mediator of the organisation, by stage; every mediator listed."""
    counts: dict[int, dict[Stage, int]] = defaultdict(lambda: dict.fromkeys(Stage, 0))
    for g in case_groups(scope):
        if g.mediator_id is not None and g.state in STAGE_OF:
            counts[g.mediator_id][STAGE_OF[g.state]] += g.cases
    people = db.session.execute(
        select(User.id, User.name)
        .where(
            User.mediation_org_id == scope.viewer.mediation_org_id,
            User.role == Role.MEDIATOR,
            (User.is_locked.is_(False)) | User.id.in_(list(counts)),
        )
        .order_by(User.name, User.id)
    ).all()
    return [(name, counts[uid]) for uid, name in people]


def deadlines(scope: Scope) -> dict[int, dict[DeadlineKind, int]]:
    """Live cases by the week their next deadline falls in: -1 for a day already passed,
    then 0–3 for the weeks of the next 30 days (``DEADLINE_EDGES``), by what the deadline
    is for (the case's state says: ``DEADLINE_OF``)."""
    weeks: dict[int, dict[DeadlineKind, int]] = {
        w: dict.fromkeys(DeadlineKind, 0) for w in range(-1, len(DEADLINE_EDGES))
    }
    for g in case_groups(scope):
        if g.state not in LIVE_STATES:
            continue
        kind = DEADLINE_OF.get(g.state, DeadlineKind.OTHER)
        weeks[-1][kind] += g.passed
        previous = g.passed
        for i, upto in enumerate(g.by):
            weeks[i][kind] += upto - previous
            previous = upto
    return weeks


def next_deadlines(scope: Scope, today: date | None = None, limit: int = 20) -> list[Case]:
    """The live cases whose next deadline is nearest (passed ones first), at most ``limit``."""
    today = today or clock.today()
    return list(
        db.session.scalars(
            select(Case)
            .where(
                scope.cases,
                Case.state.in_(LIVE_STATES),
                Case.next_deadline <= today + timedelta(days=DEADLINE_HORIZON),
            )
            .order_by(Case.next_deadline, Case.id)
            .limit(limit)
        )
    )


def _days_between(later: Any, earlier: Any) -> Any:
    """Whole days from ``earlier`` to ``later`` (two stored instants), in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", later - earlier) / 86400), Integer)
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


@dataclass(frozen=True)
class Settlements:
    """The agreements in force against their claims. A case has at most one version in
    force: a new draft supersedes the previous one (app.agreements.drafting), going back
    to negotiation after the court's refusal supersedes them all
    (app.confirmation.outcome)."""

    cases: int
    claimed: Decimal
    agreed: Decimal
    mean_discount: Decimal | None  # per case, a fraction (0.1234 is 12.34 %)
    bands: tuple[int, ...]  # by DISCOUNT_EDGES
    days: list[tuple[int, int]]  # (days from submission to taking effect, how many)
    breached: int  # of these, the cases with a breach recorded


def settlements(scope: Scope) -> Settlements:
    return scope.once("settlements", lambda: _settlements(scope))


def _settlements(scope: Scope) -> Settlements:
    claim, total = Case.claim_total, Proposal.total
    # band i: the discount is at most DISCOUNT_EDGES[i] percent of the claim
    band = when(
        *((total * 100 >= claim * (100 - edge), i) for i, edge in enumerate(DISCOUNT_EDGES)),
        else_=len(DISCOUNT_EDGES),
    )
    days = _days_between(Agreement.effective_at, Case.submitted_at)
    breached = exists().where(RepaymentBreach.case_id == Agreement.case_id)
    each = (
        select(
            band.label("band"),
            days.label("days"),
            claim.label("claim"),
            total.label("total"),
            # in basis points, so that no engine divides whole numbers
            ((claim - total) * 10000 / claim).label("points"),
            breached.label("breached"),
        )
        .select_from(Agreement)
        .join(Case, Case.id == Agreement.case_id)
        .join(Proposal, Proposal.id == Agreement.proposal_id)
        .where(
            scope.cases,
            # the index's range of settled cases first, then their agreements
            Case.state.in_(SETTLED_STATES),
            Agreement.status == AgreementStatus.IN_FORCE,
            # "+ 0": a test on the row, not a range of an index — SQLite would otherwise walk
            # the (organisation, claim) index of the docket's sort over every case
            claim + 0 > 0,
        )
        .subquery()
    )
    # grouped by the subquery's columns: PostgreSQL would not match two copies of an
    # expression with their own parameters
    rows = db.session.execute(
        select(
            each.c.band,
            each.c.days,
            func.count(),
            func.sum(each.c.claim),
            func.sum(each.c.total),
            func.sum(each.c.points),
            count_where(each.c.breached),
        ).group_by(each.c.band, each.c.days)
    ).all()
    bands = [0] * (len(DISCOUNT_EDGES) + 1)
    by_days: dict[int, int] = defaultdict(int)
    cases, claimed, agreed, points, broken = 0, ZERO, ZERO, Decimal(0), 0
    for b, d, n, c, t, p, k in rows:
        bands[int(b)] += int(n)
        if d is not None:
            by_days[max(int(d), 0)] += int(n)
        cases += int(n)
        claimed += _money(c)
        agreed += _money(t)
        points += Decimal(str(p or 0))
        broken += int(k)
    mean = (points / cases / 10000).quantize(Decimal("0.0001")) if cases else None
    return Settlements(cases, claimed, agreed, mean, tuple(bands), sorted(by_days.items()), broken)


def days_to_agreement(scope: Scope) -> list[tuple[int, int]]:
    """``(days, how many cases)``: from submission to the agreement in force taking effect."""
    return settlements(scope).days


def breached_cases(scope: Scope) -> int:
    """The cases with an agreement in force whose repayment was breached."""
    return settlements(scope).breached


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Amounts:
    claimed: Decimal  # every case submitted
    claimed_settled: Decimal  # the cases with an agreement in force
    agreed: Decimal
    recovered: Decimal  # payments that count (recorded, or reported and confirmed)


def amounts(scope: Scope) -> Amounts:
    settled = settlements(scope)
    claimed = db.session.scalar(
        select(func.sum(Case.claim_total)).where(scope.cases, Case.state != CaseState.DRAFT)
    )
    recovered = db.session.scalar(
        select(func.sum(RepaymentPayment.amount))
        .join(Case, Case.id == RepaymentPayment.case_id)
        .where(scope.cases, RepaymentPayment.status.in_(COUNTED))
    )
    return Amounts(_money(claimed), settled.claimed, settled.agreed, _money(recovered))
