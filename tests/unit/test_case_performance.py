"""The case lifecycle after the agreement: paying the last fen closes the case as performed."""

from __future__ import annotations

import pytest

from app.rules.cases import (
    CLOSED_STATES,
    OPEN_STATES,
    PERFORMANCE_STATES,
    CaseEvent,
    CaseState,
    InvalidTransition,
    allowed_events,
    next_state,
)


@pytest.mark.parametrize("state", [CaseState.IN_FORCE, CaseState.FILED, CaseState.CONFIRMED])
def test_a_performed_agreement_closes_the_case_from_every_performance_state(
    state: CaseState,
) -> None:
    assert next_state(state, CaseEvent.PERFORM) == CaseState.PERFORMED


@pytest.mark.parametrize(
    "state",
    [s for s in CaseState if s not in PERFORMANCE_STATES],
)
def test_no_case_without_an_agreement_in_performance_can_be_performed(state: CaseState) -> None:
    with pytest.raises(InvalidTransition):
        next_state(state, CaseEvent.PERFORM)


def test_a_performed_case_is_closed_and_nothing_moves_it_any_more() -> None:
    assert CaseState.PERFORMED in CLOSED_STATES
    assert CaseState.PERFORMED not in OPEN_STATES
    assert allowed_events(CaseState.PERFORMED) == frozenset()


def test_the_states_of_performance_are_those_with_an_agreement_in_force() -> None:
    assert {CaseState.IN_FORCE, CaseState.FILED, CaseState.CONFIRMED} == PERFORMANCE_STATES
