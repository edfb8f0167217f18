"""The debtor's current step follows from the facts of the case alone."""

from __future__ import annotations

import pytest

from app.rules.cases import CaseState
from app.rules.debtor_steps import (
    STEPS,
    Step,
    StepFacts,
    StepStatus,
    current_step,
    next_step,
    statuses,
    step_of,
)

N = CaseState.NEGOTIATING

CASES = [
    # (facts, the current step)
    (StepFacts(N), Step.CLAIM),
    (StepFacts(N, claim_seen=True), Step.OBJECTIONS),
    (StepFacts(N, claim_seen=True, objections_seen=True), Step.STATEMENT),
    # an objection raised means the claim and the objections were looked at
    (StepFacts(N, has_objection=True), Step.STATEMENT),
    # objections are optional: looked at and moved past without one
    (StepFacts(N, objections_seen=True, claim_seen=True), Step.STATEMENT),
    # a statement given (e.g. from the full case page) puts the debtor at the proposal
    (StepFacts(N, has_statement=True), Step.PROPOSAL),
    (StepFacts(N, claim_seen=True, objections_seen=True, has_statement=True), Step.PROPOSAL),
    # terms agreed: signing, whatever was seen
    (StepFacts(CaseState.AGREEMENT_DRAFTING), Step.SIGN),
    (StepFacts(CaseState.SIGNING, has_statement=True), Step.SIGN),
    # the agreement in force: paying
    (StepFacts(CaseState.IN_FORCE), Step.PERFORM),
    (StepFacts(CaseState.FILED), Step.PERFORM),
    (StepFacts(CaseState.CONFIRMED), Step.PERFORM),
    (StepFacts(CaseState.PERFORMED), Step.PERFORM),
]


@pytest.mark.parametrize(("facts", "expected"), CASES)
def test_the_current_step(facts: StepFacts, expected: Step) -> None:
    assert current_step(facts) == expected


STATUS_CASES = [
    (Step.CLAIM, ["current"] + ["upcoming"] * 5),
    (Step.STATEMENT, ["done", "done", "current", "upcoming", "upcoming", "upcoming"]),
    (Step.PERFORM, ["done"] * 5 + ["current"]),
]


@pytest.mark.parametrize(("current", "expected"), STATUS_CASES)
def test_steps_before_the_current_one_are_done_and_after_it_to_come(current, expected) -> None:
    got = statuses(current)
    assert [s for s, _ in got] == list(STEPS)
    assert [status.value for _, status in got] == expected
    assert sum(status == StepStatus.CURRENT for _, status in got) == 1


@pytest.mark.parametrize(
    ("step", "following"),
    [
        (Step.CLAIM, Step.OBJECTIONS),
        (Step.OBJECTIONS, Step.STATEMENT),
        (Step.STATEMENT, Step.PROPOSAL),
        (Step.PROPOSAL, Step.SIGN),
        (Step.SIGN, Step.PERFORM),
        (Step.PERFORM, None),
    ],
)
def test_the_next_step(step: Step, following: Step | None) -> None:
    assert next_step(step) == following


@pytest.mark.parametrize(
    ("name", "step"), [("claim", Step.CLAIM), ("perform", Step.PERFORM), ("x", None), ("", None)]
)
def test_a_step_named_in_an_address(name: str, step: Step | None) -> None:
    assert step_of(name) == step
