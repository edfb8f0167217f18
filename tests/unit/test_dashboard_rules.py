"""What the dashboards count (app.rules.dashboards): every state has one meaning."""

from __future__ import annotations

from app.rules.cases import CLOSED_STATES, OPEN_STATES, CaseState
from app.rules.dashboards import (
    DEADLINE_OF,
    FAILED_STATES,
    LIVE_STATES,
    SETTLED_STATES,
    STAGE_OF,
)


def test_settled_and_failed_never_overlap_and_a_draft_is_neither() -> None:
    assert not SETTLED_STATES & FAILED_STATES
    assert CaseState.DRAFT not in SETTLED_STATES | FAILED_STATES
    assert CaseState.PERFORMED in SETTLED_STATES  # performed: it was settled first


def test_every_open_case_has_a_stage_and_only_live_cases_have_deadlines() -> None:
    assert set(STAGE_OF) == set(OPEN_STATES) | {CaseState.CONFIRMED}
    assert set(DEADLINE_OF) <= LIVE_STATES
    assert not LIVE_STATES & (CLOSED_STATES | {CaseState.DRAFT})
