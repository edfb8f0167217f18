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
