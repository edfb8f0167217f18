"""Limits on guessing secrets, as pure decisions: after N failures in a window, wait until
the oldest drops out; tries numbered before they are judged; when an account under attack
asks for a second factor; how often a one-time code may be sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


def retry_after(
    failures: Sequence[datetime], now: datetime, policy: ThrottlePolicy
) -> timedelta | None:
    """How long the caller must wait before trying again, or ``None`` if they may try now.

    ``failures`` are the times of failed attempts (any order). Only those inside the
    window count; once ``max_failures`` of them are inside it, the wait lasts until
    enough of them have aged out of the window to drop below the limit.
    """
    recent = sorted(t for t in failures if now - t < policy.window)
    if len(recent) < policy.max_failures:
        return None
    # The attempt that must age out is the one that keeps the count at the limit.
    pivot = recent[len(recent) - policy.max_failures]
    wait = pivot + policy.window - now
    return max(wait, timedelta(seconds=1))


def try_allowed(number: int, max_tries: int) -> bool:
    """Whether the try numbered ``number`` may be judged at all. Every try is counted
    before it is judged (the count is the database's, :mod:`app.core.counters`), so the
    number includes this try: the first ``max_tries`` are judged, later ones refused
    unseen, however many arrive together."""
    return number <= max_tries


def tries_used_up(number: int, max_tries: int) -> bool:
    """Whether a wrong answer on try ``number`` uses up the last try (the code or link
    stops working)."""
    return number >= max_tries


@dataclass(frozen=True)
class SignInPolicy:
    """The three budgets of signing in. ``account``: password tries since the account's
    last sign-in before it asks for a second factor (never a lock: the owner with the
    password and the code always gets in). ``address``: failures from one address per
    window before that address waits. ``everyone``: failures from all addresses per
    window before every account with an earlier failed try asks for the second factor."""

    account: ThrottlePolicy = ThrottlePolicy()
    address: ThrottlePolicy = ThrottlePolicy(max_failures=10)
    everyone: ThrottlePolicy = ThrottlePolicy(max_failures=100)


def needs_second_factor(account_try: int, failures_everywhere: int, policy: SignInPolicy) -> bool:
    """Whether a sign-in with the right password must also give a one-time code.

    ``account_try`` is this try's number since the account's last sign-in (counted before
    the password is checked, so it includes this try); ``failures_everywhere`` the failed
    sign-ins from all addresses inside the window. After ``account.max_failures`` tries
    that did not sign in, the account is under attack; so is any account with one such
    try while the global budget is spent."""
    earlier = account_try - 1
    if earlier >= policy.account.max_failures:
        return True
    return earlier >= 1 and failures_everywhere >= policy.everyone.max_failures


# One-time codes a person may ask for, per purpose: one a minute, five an hour.
CODE_SEND_LIMITS = (
    ThrottlePolicy(max_failures=1, window=timedelta(minutes=1)),
    ThrottlePolicy(max_failures=5, window=timedelta(hours=1)),
)


def code_send_wait(
    sent: Sequence[datetime], now: datetime, limits: Sequence[ThrottlePolicy] = CODE_SEND_LIMITS
) -> timedelta | None:
    """How long until one more code may be sent, given when the earlier ones for the same
    person and purpose were sent, or ``None`` if one may be sent now."""
    waits = [w for w in (retry_after(sent, now, limit) for limit in limits) if w]
    return max(waits) if waits else None
