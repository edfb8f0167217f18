"""The debtor's guided path through a case, one step per page: see the claim, object to
items, state income and spending, propose or answer terms, sign, perform. Which step is
current follows from the facts of the case alone (no Flask, no database), so the tracker,
the case page's "continue" link and the step pages agree.

The order is the order of the mediation (BRIEF §2 journey 4–7): objections are optional,
so a debtor who looked at them and moved on is past that step; the statement comes before
the proposal because the proposal is checked against what the debtor can afford.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.rules.cases import CaseState


class Step(StrEnum):
    CLAIM = "claim"
    OBJECTIONS = "objections"
    STATEMENT = "statement"
    PROPOSAL = "proposal"
    SIGN = "sign"
    PERFORM = "perform"


STEPS: tuple[Step, ...] = tuple(Step)

# Once terms are agreed the agreement is drafted and signed; once in force, performed.
_SIGNING_STATES = frozenset({CaseState.AGREEMENT_DRAFTING, CaseState.SIGNING})
_PERFORMING_STATES = frozenset(
    {CaseState.IN_FORCE, CaseState.FILED, CaseState.CONFIRMED, CaseState.PERFORMED}
)


class StepStatus(StrEnum):
    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class StepFacts:
    """What the case and the debtor have done so far."""

    state: CaseState
    claim_seen: bool = False
    objections_seen: bool = False
    has_objection: bool = False  # the debtor raised one (open or not)
    has_statement: bool = False


def current_step(facts: StepFacts) -> Step:
    """The step the debtor should be on now."""
    if facts.state in _PERFORMING_STATES:
        return Step.PERFORM
    if facts.state in _SIGNING_STATES:
        return Step.SIGN
    if not (facts.claim_seen or facts.has_objection or facts.has_statement):
        return Step.CLAIM
    if not (facts.objections_seen or facts.has_objection or facts.has_statement):
        return Step.OBJECTIONS
    if not facts.has_statement:
        return Step.STATEMENT
    return Step.PROPOSAL


def statuses(current: Step) -> list[tuple[Step, StepStatus]]:
    """Each step with whether it is done, current or still to come."""
    at = STEPS.index(current)
    return [(step, _status(i, at)) for i, step in enumerate(STEPS)]


def _status(index: int, current: int) -> StepStatus:
    if index < current:
        return StepStatus.DONE
    return StepStatus.CURRENT if index == current else StepStatus.UPCOMING


def next_step(step: Step) -> Step | None:
    at = STEPS.index(step)
    return STEPS[at + 1] if at + 1 < len(STEPS) else None


def step_of(name: str) -> Step | None:
    """The step named in an address, or None."""
    try:
        return Step(name)
    except ValueError:
        return None
