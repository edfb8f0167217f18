"""When a message to a debtor may go out: quiet hours and a daily limit.

A product rule, stricter than the industry's: the banking association's collection
guideline keeps debtors free of contact from 22:00 to 08:00; we keep 21:00 to 08:00 and
at most three outreach contacts a day. Which rules apply to which message depends on its
kind (:mod:`app.rules.message_kinds`): a code the debtor asked for goes at once, a case
notice waits out quiet hours only, outreach waits for quiet hours and the cap.

All rules are reckoned in the local time of the policy's zone (``ContactPolicy.tz``): the
application passes its legal clock, ``TIMEZONE`` (see
:func:`app.notifications.outbox.contact_policy`); the default is Asia/Shanghai. Every
datetime must be timezone-aware, and naive ones are refused rather than guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

QUIET_START = time(21, 0)
QUIET_END = time(8, 0)
DAILY_LIMIT = 3


@dataclass(frozen=True)
class ContactPolicy:
    """Quiet hours run from ``quiet_start`` (inclusive) to ``quiet_end`` (exclusive),
    across midnight when start is later than end. Our 21:00–08:00 is stricter than the
    industry's 22:00–08:00; at most ``daily_limit`` outbound contacts per local day
    across all channels. ``tz`` is the zone of "local": pure code cannot read the
    settings, so the application builds its policy on the legal clock."""

    quiet_start: time = QUIET_START
    quiet_end: time = QUIET_END
    daily_limit: int = DAILY_LIMIT
    tz: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if self.daily_limit < 1:
            raise ValueError("daily_limit must be at least 1")
        try:  # an unknown zone fails here, not at the first delivery
            ZoneInfo(self.tz)
        except ZoneInfoNotFoundError as exc:
            raise ValueError(f"unknown time zone: {self.tz}") from exc


DEFAULT_POLICY = ContactPolicy()


def is_quiet(moment: datetime, policy: ContactPolicy = DEFAULT_POLICY) -> bool:
    """Whether ``moment`` falls in quiet hours, in the policy's local time."""
    _require_aware(moment)
    clock = moment.astimezone(ZoneInfo(policy.tz)).time()
    start, end = policy.quiet_start, policy.quiet_end
    if start > end:  # across midnight, e.g. 21:00–08:00
        return clock >= start or clock < end
    return start <= clock < end


def earliest_delivery(
    wanted: datetime,
    already_scheduled: Sequence[datetime],
    policy: ContactPolicy = DEFAULT_POLICY,
) -> datetime:
    """The earliest moment, at or after ``wanted``, that a new outbound contact to one
    debtor may be delivered, returned as an aware datetime in UTC.

    ``already_scheduled`` holds the delivery times of that debtor's other contacts,
    sent or scheduled, on any channel. Never in quiet hours: a message due then waits
    for the end of quiet hours (08:00 the same or the next morning). At most
    ``daily_limit`` contacts per local calendar day: when the day is full, the message
    moves to the first allowed moment of the next day with room.
    """
    _require_aware(wanted)
    for moment in already_scheduled:
        _require_aware(moment)
    tz = ZoneInfo(policy.tz)
    per_day = Counter(moment.astimezone(tz).date() for moment in already_scheduled)
    candidate = _leave_quiet(wanted.astimezone(tz), policy)
    # Each full day skipped holds at least one scheduled contact, so this ends.
    while per_day[candidate.date()] >= policy.daily_limit:
        candidate = _leave_quiet(_start_of(candidate.date() + timedelta(days=1), tz), policy)
    return candidate.astimezone(UTC)


def leave_quiet_hours(wanted: datetime, policy: ContactPolicy = DEFAULT_POLICY) -> datetime:
    """``wanted`` (in UTC) if it is outside quiet hours, else the next end of quiet hours:
    the rule for a message that quiet hours hold but the daily limit does not."""
    _require_aware(wanted)
    return _leave_quiet(wanted.astimezone(ZoneInfo(policy.tz)), policy).astimezone(UTC)


def _leave_quiet(local: datetime, policy: ContactPolicy) -> datetime:
    """``local`` itself if it is outside quiet hours, else the next end of quiet hours."""
    if not is_quiet(local, policy):
        return local
    end = datetime.combine(local.date(), policy.quiet_end, tzinfo=local.tzinfo)
    return end if end > local else end + timedelta(days=1)


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: contact times must be timezone-aware")
