"""What is due on a to-do list, and in which order.

Each role's list (:mod:`app.todo`) is built from the database, but the decisions that are
rules live here, in plain Python: how far ahead an instalment is worth a reminder, which
deadlines count as close, and the order (the earliest deadline first; items without a
deadline after them, the oldest first). The 7-day window matches the confirmability
warning that a deadline is near (CPL Art. 205: 30 days to apply for confirmation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

DEADLINE_SOON_DAYS = 7  # a mediator's deadline within this many days is on the list
PAY_AHEAD_DAYS = 14  # an instalment due within this many days (or late) is on the list
_NO_DAY = date.max
_NO_TIME = datetime.max


@dataclass(frozen=True)
class Urgency:
    """How pressing an item is: its deadline (or due day) and since when it waits."""

    due_on: date | None = None
    since: datetime | None = None

    def key(self) -> tuple[date, datetime]:
        since = self.since.replace(tzinfo=None) if self.since is not None else _NO_TIME
        return (self.due_on or _NO_DAY, since)


T = TypeVar("T")


def by_urgency(items: Iterable[tuple[Urgency, T]]) -> list[T]:
    """The items, the earliest deadline first; then those without one, oldest first.
    Ties keep the order they came in (each role lists its kinds in a sensible order)."""
    return [item for _, item in sorted(items, key=lambda pair: pair[0].key())]


def deadline_soon(deadline: date | None, today: date, days: int = DEADLINE_SOON_DAYS) -> bool:
    """A deadline on the list: passed already, today, or within ``days``."""
    return deadline is not None and deadline <= today + timedelta(days=days)


def overdue(deadline: date | None, today: date) -> bool:
    """The last day has passed (an act on the last day itself is still in time, CPL Art. 85)."""
    return deadline is not None and deadline < today


def instalment_to_pay(due: date | None, today: date, days: int = PAY_AHEAD_DAYS) -> bool:
    """The next unpaid instalment belongs on the debtor's list once it is late or due
    within ``days``: a plan of 24 monthly payments is not 24 things to do today."""
    return due is not None and due <= today + timedelta(days=days)
