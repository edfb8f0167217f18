"""Who gets a new case: the organisation's mediator with the fewest open cases, leaving
out anyone with a declared conflict of interest with the creditor (人民调解法 Art. 20:
a mediator is chosen so that the mediation is fair), anyone who declined this case, and
locked accounts. What was chosen and why is written into the audit event of the move,
so the case page can say it to the creditor and the admin."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, Select, func, select

from app.audit import AuditAction
from app.core import memo
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case, MediatorConflict
from app.models.users import Role, User
from app.rules.cases import OPEN_STATES

RULE_FEWEST_OPEN = "fewest_open_cases"


@dataclass(frozen=True)
class Assignment:
    """The outcome of the rule: the mediator (None: nobody eligible), their open cases
    at the moment of choosing, and how many mediators were eligible."""

    mediator: User | None
    load: int | None
    eligible: int

    def record(self) -> dict[str, Any]:
        """The facts for the audit event (plain JSON)."""
        return {"rule": RULE_FEWEST_OPEN, "load": self.load, "eligible": self.eligible}


def _load() -> ScalarSelect[int]:
    return (
        select(func.count(Case.id))
        .where(Case.mediator_id == User.id, Case.state.in_(list(OPEN_STATES)))
        .correlate(User)
        .scalar_subquery()
    )


def _declined(case: Case) -> set[int]:
    """The mediators who declined this case (none for a case not yet flushed)."""
    if case.id is None:
        return set()
    return {
        actor_id
        for actor_id in db.session.scalars(
            select(AuditEvent.actor_id).where(
                AuditEvent.case_id == case.id, AuditEvent.action == AuditAction.CASE_DECLINE
            )
        )
        if actor_id is not None
    }


def _eligible(case: Case, exclude: frozenset[int]) -> Select[tuple[User, int]]:
    declined = _declined(case)
    conflicted = select(MediatorConflict.mediator_id).where(
        MediatorConflict.creditor_org_id == case.creditor_org_id
    )
    load = _load()
    return (
        select(User, load)
        .where(
            User.role == Role.MEDIATOR,
            User.mediation_org_id == case.mediation_org_id,
            User.is_locked.is_(False),
            User.id.not_in(conflicted),
            User.id.not_in(declined | set(exclude) or {-1}),
        )
        .order_by(load, User.id)
    )


def choose_mediator(case: Case, exclude: frozenset[int] = frozenset()) -> Assignment:
    """Apply the rule: the eligible mediator with the fewest open cases (the lowest id
    among equals, so the choice is reproducible).

    Within a run of a bulk import (:func:`app.core.memo.remembering`) the eligible
    mediators of the organisations and their open cases are read once and counted here
    as the run assigns (the same choice, without reading every mediator's cases for
    each row); a case that has a mediator, or an exclusion, is chosen for afresh."""
    store = memo.active()
    if store is None or exclude or case.mediator_id is not None:
        return _choose(case, exclude)
    # A case being submitted (a draft: app.rules.cases, DRAFT → SUBMITTED, once) has no
    # mediator and nobody who declined it: a decline chooses the next mediator at once,
    # the decliner excluded (decline_case), which is chosen afresh above.
    key = ("mediator_loads", case.mediation_org_id, case.creditor_org_id)
    loads: list[list[Any]] | None = store.get(key)
    if loads is None:
        rows = db.session.execute(_eligible(case, exclude)).all()
        loads = store[key] = [[mediator, int(load)] for mediator, load in rows]
    if not loads:
        return Assignment(None, None, 0)
    best = min(loads, key=lambda entry: (entry[1], entry[0].id))
    chosen = Assignment(best[0], best[1], len(loads))
    best[1] += 1  # the case goes to them (a row rolled back forgets: memo.forget)
    return chosen


def _choose(case: Case, exclude: frozenset[int]) -> Assignment:
    return _from_rows(db.session.execute(_eligible(case, exclude)).all())


def _from_rows(rows: Sequence[Any]) -> Assignment:
    if not rows:
        return Assignment(None, None, 0)
    mediator, load = rows[0]
    return Assignment(mediator, int(load), len(rows))


def pick_mediator(case: Case, exclude: frozenset[int] = frozenset()) -> User | None:
    """The mediator the rule chooses, or None when nobody is eligible."""
    return choose_mediator(case, exclude).mediator
