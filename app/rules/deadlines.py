"""The legal calendar and the deadlines the product tracks (CPL Arts. 85, 205).

Periods are counted per CPL Art. 85 (《民事诉讼法》第八十五条): the day on which a period
starts is not counted, and when the last day is a statutory rest day (a public holiday or a
weekend rest day) the period ends on the first working day after it. Working days come from
the State Council's yearly notice, which the ``chinesecalendar`` package carries (adjusted
working Saturdays and Sundays are working days). For a year the package does not know yet,
an administrator enters the notice as :class:`DayOverride` rows; until then a fallback rule
applies and the deadline says it is not certain.

All dates are calendar dates on the legal clock (Asia/Shanghai); callers convert first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar

from app.rules.citations import cite
from app.rules.schedules import add_months

SOURCE_PERIOD = cite("cpl.85")
SOURCE_CONFIRMATION = cite("cpl.205", "mediation_law.33", "cpl.85")
SOURCE_OBJECTION = cite("cpl_interp.372", "cpl.85")

CONFIRMATION_DAYS = 30
OBJECTION_DAYS = 15
REMINDER_DAYS = (20, 27)
# No real calendar has a rest stretch this long; a longer one means the overrides are wrong.
MAX_REST_RUN = 31

# Holidays on fixed Gregorian dates, known without the State Council's notice
# (《全国年节及纪念日放假办法》第二条, as revised by State Council Decree No. 795 of 2024,
# in force 2025-01-01): 元旦 1 Jan, 劳动节 1-2 May, 国庆节 1-3 Oct. The lunar holidays
# (春节, 清明, 端午, 中秋) and the adjusted working days are not knowable in advance.
FIXED_DATE_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}
)


@dataclass(frozen=True)
class DayOverride:
    """An administrator's entry for one day: working or not, and why (e.g. the notice)."""

    day: date
    is_working: bool
    note: str


class LegalCalendar:
    """Which days are working days for counting legal periods (CPL Art. 85).

    Precedence: an administrator's :class:`DayOverride` for the day; else the
    ``chinesecalendar`` package; else, for a year the package does not cover, the
    fallback rule (Monday-Friday work, except the fixed-date holidays above).

    A year is *known* when the package covers it or when the administrator has declared
    the year's notice fully entered (``complete_years``). A day is *certain* when its year
    is known or it has an override of its own; a deadline computed from an uncertain day
    may move once the notice is published.
    """

    def __init__(
        self, overrides: Iterable[DayOverride] = (), *, complete_years: Iterable[int] = ()
    ) -> None:
        self._overrides: dict[date, DayOverride] = {}
        for override in overrides:
            _reject_datetime(override.day)
            earlier = self._overrides.get(override.day)
            if earlier is not None and earlier.is_working != override.is_working:
                raise ValueError(f"conflicting overrides for {override.day.isoformat()}")
            self._overrides[override.day] = override
        self._complete_years = frozenset(complete_years)
        self._package_years: dict[int, bool] = {}
        self._working: dict[date, bool] = {}

    def fingerprint(self) -> tuple[tuple[tuple[date, bool], ...], tuple[int, ...]]:
        """What this calendar adds to the package (its overrides and complete years):
        two calendars with the same fingerprint count every period alike."""
        days = tuple(sorted((d, o.is_working) for d, o in self._overrides.items()))
        return days, tuple(sorted(self._complete_years))

    def knows_year(self, year: int) -> bool:
        """True when the holidays of ``year`` are known (package or fully entered by an
        admin); False means the UI should ask an admin to enter the year's notice."""
        return year in self._complete_years or self._package_knows(year)

    def is_certain(self, day: date) -> bool:
        """True when the answer of :meth:`is_working_day` for ``day`` cannot change."""
        _reject_datetime(day)
        return day in self._overrides or self.knows_year(day.year)

    def override_for(self, day: date) -> DayOverride | None:
        return self._overrides.get(day)

    def is_working_day(self, day: date) -> bool:
        """Is ``day`` a working day? Override, then the package, then the fallback rule."""
        _reject_datetime(day)
        cached = self._working.get(day)
        if cached is None:
            cached = self._compute_working(day)
            self._working[day] = cached
        return cached

    def _compute_working(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override.is_working
        if self._package_knows(day.year):
            return bool(chinese_calendar.is_workday(day))
        return fallback_is_working_day(day)

    def _package_knows(self, year: int) -> bool:
        known = self._package_years.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 1, 1))
                known = True
            except NotImplementedError:  # chinesecalendar: "no available data for year"
                known = False
            self._package_years[year] = known
        return known


def fallback_is_working_day(day: date) -> bool:
    """The rule for a year without a published notice: Monday to Friday are working days,
    except the fixed-date holidays (《全国年节及纪念日放假办法》第二条). Lunar holidays and
    adjusted working days are unknown, so a result from this rule is never certain."""
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_DATE_HOLIDAYS


@dataclass(frozen=True)
class Deadline:
    """A period counted per CPL Art. 85. ``end`` is the last day on which the act may be
    done; ``nominal_end`` is ``start + days`` before moving off rest days."""

    start: date
    days: int
    nominal_end: date
    end: date
    extended_by_holiday: bool
    calendar_certain: bool
    source: str


def period_end(
    start: date, days: int, calendar: LegalCalendar, *, source: str = SOURCE_PERIOD
) -> Deadline:
    """The end of a period of ``days`` days starting on ``start`` (CPL Art. 85).

    The start day is not counted, so the nominal last day is ``start + days``. Rest days
    inside the period count; only a rest day at the end moves it, to the first working
    day after. ``calendar_certain`` is False when any day examined (the nominal last day
    and the days it moved over) lies in an unknown year without an override.
    """
    _reject_datetime(start)
    if days < 1:
        raise ValueError("a period lasts at least one day")
    nominal = start + timedelta(days=days)
    end, certain = next_working_day(nominal, calendar)
    return Deadline(start, days, nominal, end, end != nominal, certain, source)


def years_period_end(
    start: date, years: int, calendar: LegalCalendar, *, source: str = SOURCE_PERIOD
) -> Deadline:
    """The end of a period of ``years`` years starting on ``start`` (CPL Art. 85; 民法典
    Arts. 201-203): the start day is not counted, the nominal last day is the same day of
    the month ``years`` later (29 Feb in a common year is 28 Feb: 民法典 Art. 202, "没有
    对应日的，月末日为期间的最后一日"), and a last day on a rest day moves to the first
    working day after. ``days`` on the result is the nominal length in days."""
    _reject_datetime(start)
    if years < 1:
        raise ValueError("a period lasts at least one year")
    nominal = add_months(start, 12 * years)
    end, certain = next_working_day(nominal, calendar)
    return Deadline(start, (nominal - start).days, nominal, end, end != nominal, certain, source)


def next_working_day(day: date, calendar: LegalCalendar) -> tuple[date, bool]:
    """``day`` itself when it is a working day, else the first working day after it, and
    whether that answer is certain (every day examined lies in a known year or has an
    override). ``ValueError`` if no working day comes within :data:`MAX_REST_RUN` days."""
    _reject_datetime(day)
    end = day
    certain = calendar.is_certain(end)
    while not calendar.is_working_day(end):
        end += timedelta(days=1)
        certain = certain and calendar.is_certain(end)
        if (end - day).days > MAX_REST_RUN:
            raise ValueError(f"no working day within {MAX_REST_RUN} days of {day}")
    return end, certain


def confirmation_deadline(effective_on: date, calendar: LegalCalendar) -> Deadline:
    """Last day to apply jointly for judicial confirmation: 30 days from the day the
    agreement takes effect (CPL Art. 205; 人民调解法 Art. 33), counted per CPL Art. 85."""
    return period_end(effective_on, CONFIRMATION_DAYS, calendar, source=SOURCE_CONFIRMATION)


def objection_deadline(received_on: date, calendar: LegalCalendar) -> Deadline:
    """Last day for a party to object to the confirmation ruling: 15 days from receiving
    it (民诉法解释 Art. 372), counted per CPL Art. 85."""
    return period_end(received_on, OBJECTION_DAYS, calendar, source=SOURCE_OBJECTION)


def reminder_days(effective_on: date) -> tuple[date, date]:
    """The days to remind the parties of the confirmation window: day 20 and day 27 after
    the effective date, counted like the period (the effective date is day 0).

    These are nominal calendar days, not moved off holidays: a reminder is a courtesy, not
    a legal act, and moving day 27 past a long holiday could put it after the deadline.
    Whether and when a message may actually go out is for the contact rules to decide.
    """
    _reject_datetime(effective_on)
    first, second = REMINDER_DAYS
    return effective_on + timedelta(days=first), effective_on + timedelta(days=second)


def days_left(deadline: Deadline, today: date) -> int:
    """Whole days from ``today`` to the deadline's last day: 0 on the last day itself,
    negative once it has passed."""
    _reject_datetime(today)
    return (deadline.end - today).days


def is_overdue(deadline: Deadline, today: date) -> bool:
    """True from the day after the last day (the act may still be done on the last day)."""
    return days_left(deadline, today) < 0


def _reject_datetime(value: date) -> None:
    # A datetime is a date subclass: accepting one would hide a missing conversion to the
    # legal clock (Asia/Shanghai), and it would never match a date key in the overrides.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError("pass a calendar date on the legal clock (Asia/Shanghai)")
