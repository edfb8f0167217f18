"""The one clock of the application.

Every "now" and "today" in ``app`` comes from here: instants are timezone-aware UTC, and
calendar dates are taken on the legal clock, the zone in which time limits are counted
(Asia/Shanghai by default, ``TIMEZONE`` in :class:`app.config.Settings`). CPL Art. 85
counts periods in days from the day after the triggering event, so "which day is it" must
be answered in one zone everywhere: deadlines, reference numbers, quiet hours, documents.

Tests freeze this clock (and everything else that reads the system time) with
``time-machine``; nothing here needs to know. The demo seeder replays a past timeline
(:func:`replaying`) so that its cases are late or in breach on whatever day it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
_legal_tz = ZoneInfo(DEFAULT_ZONE)
_offset = timedelta(0)  # non-zero only inside ``replaying``


def configure(zone: str) -> None:
    """Set the legal zone (called once by ``create_app`` from ``Settings.timezone``)."""
    global _legal_tz
    _legal_tz = ZoneInfo(zone)


def legal_tz() -> ZoneInfo:
    """The zone of the legal clock."""
    return _legal_tz


def now() -> datetime:
    """This instant, aware, in UTC."""
    return datetime.now(UTC) + _offset


@contextmanager
def replaying(moment: datetime) -> Iterator[None]:
    """Run the block as if it were ``moment`` (the clock runs on from there), then return
    to the present. For the demo seeder only, a single-threaded command: it replays a
    case's past (the agreement signed months ago, the instalments paid on their days)
    through the real use cases, so every date they record is the replayed one."""
    global _offset
    if moment.tzinfo is None:
        raise ValueError("naive datetime refused: every instant carries a time zone")
    before = _offset
    _offset = moment - datetime.now(UTC)
    try:
        yield
    finally:
        _offset = before


def local(moment: datetime) -> datetime:
    """An aware instant as wall time on the legal clock."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime refused: every instant carries a time zone")
    return moment.astimezone(_legal_tz)


def day_of(moment: datetime) -> date:
    """The calendar day an instant falls on, on the legal clock."""
    return local(moment).date()


def today() -> date:
    """Today on the legal clock."""
    return day_of(now())
