"""Ending a mediation without agreement and extending its period, as rules: which states may
close on which event (人民调解法 Arts. 23, 26; 在线调解规则 Art. 24), when the parties may
extend the period and who answers a proposal, and which enforcement-deadline reminder
(CPL Art. 250) is due on a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.rules.cases import CaseEvent, CaseState, InvalidTransition, next_state
from app.rules.enforcement import enforcement_reminder_due
from app.rules.mediation_failure import (
    MAX_EXTENSION_DAYS,
    MediationFailureRefused,
    check_extension,
    check_extension_answer,
)

S, E = CaseState, CaseEvent
END = date(2026, 12, 10)


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.INVITED, E.LAPSE),
        (S.NEGOTIATING, E.EXPIRE),
        (S.INVITED, E.PARTY_END),
        (S.NEGOTIATING, E.PARTY_END),
        (S.AGREEMENT_DRAFTING, E.PARTY_END),
        (S.SIGNING, E.PARTY_END),
        (S.NEGOTIATING, E.MEDIATOR_END),
        (S.AGREEMENT_DRAFTING, E.MEDIATOR_END),
        (S.SIGNING, E.MEDIATOR_END),
    ],
)
def test_a_mediation_without_agreement_closes_the_case_as_not_mediated(
    state: CaseState, event: CaseEvent
) -> None:
    assert next_state(state, event) == S.CLOSED_NOT_MEDIATED


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.SUBMITTED, E.LAPSE),  # nobody was invited yet
        (S.NEGOTIATING, E.LAPSE),  # the debtor answered by joining
        (S.INVITED, E.EXPIRE),  # the debtor's answer is awaited: that is the lapse
        (S.SIGNING, E.EXPIRE),  # terms agreed: the period does not end a signing
        (S.INVITED, E.MEDIATOR_END),  # no mediation without the debtor
        (S.IN_FORCE, E.PARTY_END),  # the agreement took effect: nothing left to end
        (S.CONFIRMED, E.MEDIATOR_END),
        (S.CLOSED_NOT_MEDIATED, E.PARTY_END),
        (S.PERFORMED, E.EXPIRE),
    ],
)
def test_no_ending_where_the_mediation_is_not_running(state: CaseState, event: CaseEvent) -> None:
    with pytest.raises(InvalidTransition):
        next_state(state, event)


@pytest.mark.parametrize(
    ("until", "on", "code"),
    [
        (END + timedelta(days=1), END + timedelta(days=1), "mediation_period_over"),
        (END, END - timedelta(days=3), "extension_not_later"),
        (END - timedelta(days=1), END - timedelta(days=3), "extension_not_later"),
        (END + timedelta(days=MAX_EXTENSION_DAYS + 1), END, "extension_too_long"),
    ],
)
def test_an_extension_is_refused(until: date, on: date, code: str) -> None:
    with pytest.raises(MediationFailureRefused) as caught:
        check_extension(until, END, on)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("until", "on"),
    [
        (END + timedelta(days=1), END),  # on the last day itself
        (END + timedelta(days=MAX_EXTENSION_DAYS), END - timedelta(days=20)),
    ],
)
def test_an_extension_is_allowed_while_the_period_runs(until: date, on: date) -> None:
    assert check_extension(until, END, on) is None


@pytest.mark.parametrize(
    ("proposer", "answering", "code"),
    [(None, "debtor", "no_extension_proposed"), ("creditor", "creditor", "own_extension")],
)
def test_only_the_other_party_answers_an_extension(
    proposer: str | None, answering: str, code: str
) -> None:
    with pytest.raises(MediationFailureRefused) as caught:
        check_extension_answer(proposer, answering)
    assert caught.value.code == code


def test_the_other_party_answers_an_extension() -> None:
    assert check_extension_answer("debtor", "creditor") is None


LAST = date(2028, 12, 29)


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (LAST - timedelta(days=91), None),
        (LAST - timedelta(days=90), 90),
        (LAST - timedelta(days=31), 90),
        (LAST - timedelta(days=30), 30),
        (LAST - timedelta(days=25), 30),  # the 90-day mark was missed: only the 30-day one
        (LAST - timedelta(days=8), 30),
        (LAST - timedelta(days=7), 7),
        (LAST, 7),
        (LAST + timedelta(days=1), None),  # the period has passed
    ],
)
def test_the_enforcement_reminder_due_on_a_day(today: date, due: int | None) -> None:
    assert enforcement_reminder_due(LAST, today) == due
