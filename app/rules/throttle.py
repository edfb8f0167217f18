"""Login throttling: after N failed sign-ins in a window, wait until the oldest drops out."""

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
