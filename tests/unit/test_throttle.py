"""After five failures inside fifteen minutes, wait until the oldest ages out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.rules.throttle import ThrottlePolicy, retry_after

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(max_failures=5, window=timedelta(minutes=15))


def ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        ([], None),
        (ago(1, 2, 3, 4), None),  # four failures: still allowed
        (ago(0, 1, 2, 3, 4), timedelta(minutes=11)),  # oldest (4 min ago) leaves in 11
        (ago(1, 2, 3, 4, 14), timedelta(minutes=1)),
        (ago(1, 2, 3, 4, 15), None),  # the fifth is exactly 15 minutes old: outside
        (ago(1, 2, 3, 4, 20, 30), None),  # old failures do not count
        (ago(0, 0, 0, 0, 0, 0, 0), timedelta(minutes=15)),  # a burst waits the full window
        (ago(1, 2, 3, 4, 5, 6), timedelta(minutes=10)),  # six recent: the two oldest must go
    ],
)
def test_retry_after(failures: list[datetime], expected: timedelta | None) -> None:
    assert retry_after(failures, NOW, POLICY) == expected


def test_wait_is_never_zero_when_throttled() -> None:
    failures = ago(1, 2, 3, 4) + [NOW - POLICY.window + timedelta(microseconds=1)]
    assert retry_after(failures, NOW, POLICY) == timedelta(seconds=1)
