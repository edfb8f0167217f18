"""The rules of the to-do lists: what is close enough to be on a list, and the order."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.rules.todo import Urgency, by_urgency, deadline_soon, instalment_to_pay, overdue

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (None, False),
        (date(2026, 11, 30), True),  # passed
        (date(2026, 12, 1), True),  # today
        (date(2026, 12, 8), True),  # the seventh day
        (date(2026, 12, 9), False),
    ],
)
def test_a_deadline_is_soon_within_seven_days(deadline: date | None, expected: bool) -> None:
    assert deadline_soon(deadline, TODAY) is expected


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [(None, False), (date(2026, 11, 30), True), (date(2026, 12, 1), False)],
)
def test_a_deadline_is_overdue_the_day_after_its_last_day(
    deadline: date | None, expected: bool
) -> None:
    assert overdue(deadline, TODAY) is expected


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (None, False),
        (date(2026, 11, 20), True),  # late
        (date(2026, 12, 15), True),  # in 14 days
        (date(2026, 12, 16), False),  # in 15 days
    ],
)
def test_an_instalment_is_to_pay_two_weeks_ahead_or_late(due: date | None, expected: bool) -> None:
    assert instalment_to_pay(due, TODAY) is expected


def test_the_earliest_deadline_first_then_the_oldest_waiting() -> None:
    old = datetime(2026, 11, 1, tzinfo=UTC)
    new = datetime(2026, 11, 20, tzinfo=UTC)
    items = [
        (Urgency(None, new), "newer, no deadline"),
        (Urgency(date(2026, 12, 10)), "deadline later"),
        (Urgency(None, old), "older, no deadline"),
        (Urgency(date(2026, 12, 3), new), "deadline sooner"),
        (Urgency(None, None), "no date at all"),
    ]
    assert by_urgency(items) == [
        "deadline sooner",
        "deadline later",
        "older, no deadline",
        "newer, no deadline",
        "no date at all",
    ]
