"""The legal calendar as the platform keeps it (CPL Art. 85): the public holidays the
``chinesecalendar`` package knows, plus the administrator's overrides for the years the
State Council's notice came after the package's release.

The calendar is platform-wide (the notice binds every court and party), so any
administrator maintains it. Later features count their deadlines on it: they subscribe
with :func:`on_calendar_change` and recompute inside the change's own transaction (the
confirmation deadlines, wired in :mod:`app.features`), so no page ever shows a deadline
the calendar no longer gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import cache

import chinese_calendar
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select

from app import audit
from app.audit import AuditAction
from app.core.errors import InvalidInput
from app.core.transaction import conflict_on, use_case
from app.extensions import db
from app.models.confirmation import HolidayOverride, HolidayYear
from app.models.users import User
from app.rules.deadlines import DayOverride, LegalCalendar

MAX_NOTE = 100
# Overrides outside these years are typing mistakes: no deadline we track reaches them.
FIRST_YEAR, LAST_YEAR = 2000, 2100

# Two administrators entering the same day at the same moment: the second lost the race
# (``migrations/versions/0005_confirmation.py``).
conflict_on("uq_holiday_overrides_day", "changed_meanwhile")


class CalendarError(InvalidInput):
    """An entry refused; ``field`` names the input at fault (``day``, ``note``, ``year``)."""

    messages = {
        "duplicate": _l("This day already has an entry. Remove it first to change it."),
        "note_required": _l("Say where the entry comes from, e.g. the notice's number."),
        "note_too_long": _l("Use at most %(n)s characters.", n=MAX_NOTE),
        "bad_date": _l("Enter a date as YYYY-MM-DD, e.g. 2027-02-10."),
        "out_of_range": _l(
            "Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR
        ),
        "bad_year": _l(
            "Enter a year between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR
        ),
        "year_known": _l("The holiday package already covers this year."),
        "already_complete": _l("This year is already marked as complete."),
        "not_found": _l("This day has no entry in the calendar."),
    }


# --- who is told of a change ------------------------------------------------------------

CalendarListener = Callable[[LegalCalendar], Iterable[int] | None]
_listeners: list[CalendarListener] = []


def on_calendar_change(listener: CalendarListener) -> CalendarListener:
    """Call ``listener(calendar)`` whenever an administrator changes the calendar, with the
    calendar as it now stands, inside the use case that changes it: what the listener
    writes commits (or rolls back) with the change. It returns the ids of the cases it
    changed (recorded in the change's audit event) or ``None``. Registering the same
    listener twice changes nothing."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def _calendar_changed() -> list[int]:
    """Tell every listener; the ids of the cases any of them changed, in order."""
    db.session.flush()
    calendar = legal_calendar()
    changed: set[int] = set()
    for listener in _listeners:
        changed.update(listener(calendar) or ())
    return sorted(changed)


# --- reading the calendar ---------------------------------------------------------------


def legal_calendar() -> LegalCalendar:
    """The calendar every deadline is counted on: the package, the admin's overrides and the
    years the admin declared complete."""
    overrides = db.session.scalars(select(HolidayOverride).order_by(HolidayOverride.day))
    years = db.session.scalars(select(HolidayYear.year))
    return LegalCalendar(
        (DayOverride(o.day, o.is_working, o.note) for o in overrides), complete_years=years
    )


@cache
def package_years() -> tuple[int, ...]:
    """The years the installed ``chinesecalendar`` release knows (a new release adds one
    each December, after the State Council's notice)."""
    known = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            continue
        known.append(year)
    return tuple(known)


def calendar_warning(year: int, calendar: LegalCalendar | None = None) -> LazyString | None:
    """A warning when deadlines ending in ``year`` are only estimates: the package does not
    know the year and no administrator has marked its notice as completely entered. The
    text is lazy: it is translated where it is shown (a page, in the reader's language),
    so a worker may call this too."""
    if (calendar or legal_calendar()).knows_year(year):
        return None
    return _l(
        "The public holidays of %(year)s are not in the holiday package yet. Deadlines that "
        "end in %(year)s are estimates until an administrator enters the State Council's "
        "notice below and marks the year as complete.",
        year=str(year),
    )


def overrides_by_year() -> dict[int, list[HolidayOverride]]:
    """Every override, grouped by year, newest year first."""
    grouped: dict[int, list[HolidayOverride]] = {}
    for row in db.session.scalars(select(HolidayOverride).order_by(HolidayOverride.day)):
        grouped.setdefault(row.day.year, []).append(row)
    return dict(sorted(grouped.items(), reverse=True))


def complete_years() -> list[HolidayYear]:
    return list(db.session.scalars(select(HolidayYear).order_by(HolidayYear.year.desc())))


def parse_day(text: str) -> date:
    """A day as typed (YYYY-MM-DD), or ``bad_date``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CalendarError("bad_date", "day") from None


def parse_year(text: str) -> int:
    """A year as typed, within the years the calendar keeps, or ``bad_year``."""
    text = text.strip()
    if not (text.isdecimal() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        raise CalendarError("bad_year", "year")
    return int(text)


# --- changing it ------------------------------------------------------------------------


@use_case
def set_override(admin: User, day: date, is_working: bool, note: str) -> HolidayOverride:
    """Enter one day of a State Council notice: a holiday or an adjusted working day. A day
    has at most one override (remove it first to change it); the note says where it comes
    from (e.g. "国办发明电〔2026〕7号")."""
    note = " ".join(note.split())
    if not note:
        raise CalendarError("note_required", "note")
    if len(note) > MAX_NOTE:
        raise CalendarError("note_too_long", "note")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarError("out_of_range", "day")
    if db.session.scalar(select(HolidayOverride.id).where(HolidayOverride.day == day)):
        raise CalendarError("duplicate", "day")
    row = HolidayOverride(day=day, is_working=is_working, note=note, created_by_id=admin.id)
    db.session.add(row)
    moved = _calendar_changed()
    audit.record(
        AuditAction.CALENDAR_OVERRIDE_SET,
        actor=admin,
        object_type="holiday_override",
        object_id=day.isoformat(),
        data={"day": day.isoformat(), "is_working": is_working, "note": note, "moved": moved},
    )
    return row


@use_case
def remove_override(admin: User, day: date) -> None:
    """Take back an override entered by mistake."""
    row = db.session.scalar(select(HolidayOverride).where(HolidayOverride.day == day))
    if row is None:
        raise CalendarError("not_found", "day", status=404)
    before = {"is_working": row.is_working, "note": row.note}
    db.session.delete(row)
    moved = _calendar_changed()
    audit.record(
        AuditAction.CALENDAR_OVERRIDE_REMOVE,
        actor=admin,
        object_type="holiday_override",
        object_id=day.isoformat(),
        data={"day": day.isoformat(), "before": before, "moved": moved},
    )


@use_case
def mark_year_complete(admin: User, year: int) -> HolidayYear:
    """Declare that every holiday and adjusted working day of ``year`` has been entered:
    deadlines in that year stop being estimates (``LegalCalendar.knows_year``)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarError("out_of_range", "year")
    if year in package_years():
        raise CalendarError("year_known", "year")
    if db.session.get(HolidayYear, year) is not None:
        raise CalendarError("already_complete", "year")
    row = HolidayYear(year=year, marked_by_id=admin.id)
    db.session.add(row)
    moved = _calendar_changed()
    audit.record(
        AuditAction.CALENDAR_YEAR_COMPLETE,
        actor=admin,
        object_type="holiday_year",
        object_id=year,
        data={"year": year, "overrides": _count_in(year), "moved": moved},
    )
    return row


def _count_in(year: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(HolidayOverride.id)).where(
                HolidayOverride.day >= date(year, 1, 1), HolidayOverride.day <= date(year, 12, 31)
            )
        )
        or 0
    )
