"""After five failures inside fifteen minutes, wait until the oldest ages out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.rules.throttle import (
    SignInPolicy,
    ThrottlePolicy,
    code_send_wait,
    needs_second_factor,
    retry_after,
    tries_used_up,
    try_allowed,
)

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


@pytest.mark.parametrize(
    ("number", "allowed", "used_up"),
    [(1, True, False), (4, True, False), (5, True, True), (6, False, True), (20, False, True)],
)
def test_tries_are_numbered_before_they_are_judged(number: int, allowed: bool, used_up: bool):
    assert try_allowed(number, 5) is allowed
    assert tries_used_up(number, 5) is used_up


@pytest.mark.parametrize(
    ("account_try", "everywhere", "expected"),
    [
        (1, 0, False),  # a first try: the password alone
        (5, 0, False),  # four earlier failures: still the password alone
        (6, 0, True),  # five earlier failures: a code as well
        (40, 0, True),
        (1, 500, False),  # no earlier failure on this account: the global budget spares it
        (2, 99, False),
        (2, 100, True),  # one earlier failure while the global budget is spent
    ],
)
def test_an_account_under_attack_asks_for_a_second_factor(
    account_try: int, everywhere: int, expected: bool
) -> None:
    assert needs_second_factor(account_try, everywhere, SignInPolicy()) is expected


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ([], None),
        (ago(0.5), timedelta(seconds=30)),  # one a minute
        (ago(1.5), None),
        (ago(2, 10, 20, 30), None),
        (ago(2, 10, 20, 30, 40), timedelta(minutes=20)),  # five an hour: the oldest must age out
        (ago(2, 10, 20, 30, 61), None),
    ],
)
def test_codes_are_sent_once_a_minute_and_five_times_an_hour(sent, expected) -> None:
    assert code_send_wait(sent, NOW) == expected
