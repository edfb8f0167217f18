"""The one clock of the application.

Every "now" and "today" in ``app`` comes from here: instants are timezone-aware UTC, and
calendar dates are taken on the legal clock, the zone in which time limits are counted
(Asia/Shanghai by default, ``TIMEZONE`` in :class:`app.config.Settings`). CPL Art. 85
counts periods in days from the day after the triggering event, so "which day is it" must
be answered in one zone everywhere: deadlines, reference numbers, quiet hours, documents.

Tests freeze this clock (and everything else that reads the system time) with
``time-machine``; nothing here needs to know.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
_legal_tz = ZoneInfo(DEFAULT_ZONE)


def configure(zone: str) -> None:
    """Set the legal zone (called once by ``create_app`` from ``Settings.timezone``)."""
    global _legal_tz
    _legal_tz = ZoneInfo(zone)


def legal_tz() -> ZoneInfo:
    """The zone of the legal clock."""
    return _legal_tz


def now() -> datetime:
    """This instant, aware, in UTC."""
    return datetime.now(UTC)


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
