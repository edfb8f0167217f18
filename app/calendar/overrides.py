"""The legal calendar as the platform keeps it (CPL Art. 85; BRIEF §7): the public holidays
the ``chinesecalendar`` package knows, plus the administrator's overrides for the years the
State Council's notice came after the package's release.

The calendar is platform-wide (the notice binds every court and party), so any
administrator maintains it. Each change recomputes the confirmation deadline of every case
whose agreement is in force, so the docket never shows a deadline the calendar no longer
gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

import chinese_calendar
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from app import audit
from app.confirmation.deadline import refresh_confirmation_deadlines
from app.extensions import db
from app.models.confirmation import HolidayOverride, HolidayYear
from app.models.users import User
from app.rules.deadlines import DayOverride, LegalCalendar

MAX_NOTE = 100
# Overrides outside these years are typing mistakes: no deadline we track reaches them.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class CalendarError(Exception):
    """Refused; ``code`` says why: ``duplicate`` (the day already has an override),
    ``note_required``, ``note_too_long``, ``out_of_range``, ``not_found``, ``year_known``
    (the package already covers the year), ``already_complete``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


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
    return lazy_gettext(
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


def set_override(admin: User, day: date, is_working: bool, note: str) -> HolidayOverride:
    """Enter one day of a State Council notice: a holiday or an adjusted working day. A day
    has at most one override (remove it first to change it); the note says where it comes
    from (e.g. "国办发明电〔2026〕7号")."""
    note = " ".join(note.split())
    if not note:
        raise CalendarError("note_required")
    if len(note) > MAX_NOTE:
        raise CalendarError("note_too_long")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarError("out_of_range")
    if db.session.scalar(select(HolidayOverride.id).where(HolidayOverride.day == day)):
        raise CalendarError("duplicate")
    row = HolidayOverride(day=day, is_working=is_working, note=note, created_by_id=admin.id)
    db.session.add(row)
    db.session.flush()
    moved = _refresh_deadlines()
    audit.record(
        "calendar:override:set",
        actor=admin,
        object_type="holiday_override",
        object_id=day.isoformat(),
        data={"day": day.isoformat(), "is_working": is_working, "note": note, "moved": moved},
    )
    db.session.commit()
    return row


def remove_override(admin: User, day: date) -> None:
    """Take back an override entered by mistake."""
    row = db.session.scalar(select(HolidayOverride).where(HolidayOverride.day == day))
    if row is None:
        raise CalendarError("not_found")
    before = {"is_working": row.is_working, "note": row.note}
    db.session.delete(row)
    db.session.flush()
    moved = _refresh_deadlines()
    audit.record(
        "calendar:override:remove",
        actor=admin,
        object_type="holiday_override",
        object_id=day.isoformat(),
        data={"day": day.isoformat(), "before": before, "moved": moved},
    )
    db.session.commit()


def mark_year_complete(admin: User, year: int) -> HolidayYear:
    """Declare that every holiday and adjusted working day of ``year`` has been entered:
    deadlines in that year stop being estimates (``LegalCalendar.knows_year``)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarError("out_of_range")
    if year in package_years():
        raise CalendarError("year_known")
    if db.session.get(HolidayYear, year) is not None:
        raise CalendarError("already_complete")
    row = HolidayYear(year=year, marked_by_id=admin.id)
    db.session.add(row)
    db.session.flush()
    moved = _refresh_deadlines()
    count = sum(1 for o in _overrides_in(year))
    audit.record(
        "calendar:year:complete",
        actor=admin,
        object_type="holiday_year",
        object_id=year,
        data={"year": year, "overrides": count, "moved": moved},
    )
    db.session.commit()
    return row


def _overrides_in(year: int) -> Iterable[HolidayOverride]:
    return db.session.scalars(
        select(HolidayOverride).where(
            HolidayOverride.day >= date(year, 1, 1), HolidayOverride.day <= date(year, 12, 31)
        )
    )


def _refresh_deadlines() -> list[int]:
    return refresh_confirmation_deadlines(legal_calendar())
