"""Legal periods end on a working day (CPL Art. 85): the 30-day confirmation window is
counted from the day after the agreement takes effect, a last day on a holiday or a rest
weekend moves to the next working day, adjusted working weekends count as working days,
and a year the holiday package does not cover falls back to a stated, uncertain rule
until an administrator enters it."""

from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import pytest

from app.rules import deadlines
from app.rules.deadlines import (
    DayOverride,
    Deadline,
    LegalCalendar,
    confirmation_deadline,
    days_left,
    fallback_is_working_day,
    is_overdue,
    objection_deadline,
    period_end,
    reminder_days,
)

D = date
CAL = LegalCalendar()


@pytest.mark.parametrize(
    ("day", "is_holiday", "is_adjusted_workday"),
    [
        (D(2025, 10, 1), True, False),
        (D(2025, 10, 8), True, False),
        (D(2025, 9, 28), False, True),
        (D(2025, 10, 11), False, True),
        (D(2025, 1, 28), True, False),
        (D(2025, 1, 26), False, True),
        (D(2026, 1, 3), True, False),
        (D(2026, 1, 4), False, True),
        (D(2026, 2, 14), False, True),
        (D(2026, 2, 15), True, False),
        (D(2026, 2, 23), True, False),
        (D(2026, 2, 28), False, True),
        (D(2026, 9, 20), False, True),
        (D(2026, 9, 25), True, False),
        (D(2026, 10, 7), True, False),
        (D(2026, 10, 10), False, True),
    ],
)
def test_the_holiday_package_holds_the_published_dates_the_cases_below_rely_on(
    day: date, is_holiday: bool, is_adjusted_workday: bool
) -> None:
    assert (day in chinese_calendar.holidays) is is_holiday
    assert (day in chinese_calendar.workdays) is is_adjusted_workday


@pytest.mark.parametrize(
    ("effective_on", "nominal_end", "end"),
    [
        # National Day 2025: rest 1-8 Oct; Sun 28 Sep and Sat 11 Oct are working days.
        (D(2025, 9, 1), D(2025, 10, 1), D(2025, 10, 9)),
        (D(2025, 9, 8), D(2025, 10, 8), D(2025, 10, 9)),
        (D(2025, 9, 11), D(2025, 10, 11), D(2025, 10, 11)),
        (D(2025, 8, 29), D(2025, 9, 28), D(2025, 9, 28)),
        # National Day 2026: rest 1-7 Oct, Mid-autumn 25-27 Sep; Sun 20 Sep, Sat 10 Oct work.
        (D(2026, 9, 1), D(2026, 10, 1), D(2026, 10, 8)),
        (D(2026, 9, 7), D(2026, 10, 7), D(2026, 10, 8)),
        (D(2026, 9, 10), D(2026, 10, 10), D(2026, 10, 10)),
        (D(2026, 8, 26), D(2026, 9, 25), D(2026, 9, 28)),
        (D(2026, 8, 21), D(2026, 9, 20), D(2026, 9, 20)),
        # Spring Festival 2026: rest 15-23 Feb; Sat 14 Feb and Sat 28 Feb are working days.
        (D(2026, 1, 16), D(2026, 2, 15), D(2026, 2, 24)),
        (D(2026, 1, 24), D(2026, 2, 23), D(2026, 2, 24)),
        (D(2026, 1, 15), D(2026, 2, 14), D(2026, 2, 14)),
        (D(2026, 1, 29), D(2026, 2, 28), D(2026, 2, 28)),
        (D(2026, 1, 14), D(2026, 2, 13), D(2026, 2, 13)),
        # Spring Festival 2025 (rest 28 Jan-4 Feb), reached from December 2024.
        (D(2024, 12, 29), D(2025, 1, 28), D(2025, 2, 5)),
        (D(2024, 12, 27), D(2025, 1, 26), D(2025, 1, 26)),
        # New Year 2026: rest 1-3 Jan, then Sunday 4 Jan is an adjusted working day.
        (D(2025, 12, 2), D(2026, 1, 1), D(2026, 1, 4)),
        # Ordinary weekends move to Monday.
        (D(2026, 2, 6), D(2026, 3, 8), D(2026, 3, 9)),
        (D(2026, 2, 5), D(2026, 3, 7), D(2026, 3, 9)),
        # February in a leap year and in a common year.
        (D(2024, 1, 30), D(2024, 2, 29), D(2024, 2, 29)),
        (D(2024, 1, 31), D(2024, 3, 1), D(2024, 3, 1)),
        (D(2025, 1, 30), D(2025, 3, 1), D(2025, 3, 3)),
    ],
)
def test_the_confirmation_window_ends_on_the_first_working_day_from_day_thirty(
    effective_on: date, nominal_end: date, end: date
) -> None:
    deadline = confirmation_deadline(effective_on, CAL)
    assert deadline == Deadline(
        start=effective_on,
        days=30,
        nominal_end=nominal_end,
        end=end,
        extended_by_holiday=end != nominal_end,
        calendar_certain=True,
        source=deadlines.SOURCE_CONFIRMATION,
    )


def _holidays(*days: date) -> list[DayOverride]:
    return [DayOverride(d, False, "国务院办公厅通知（假设）") for d in days]


SPRING_2027 = _holidays(*(D(2027, 2, n) for n in range(5, 12)))


@pytest.mark.parametrize(
    ("effective_on", "calendar", "end", "certain"),
    [
        # Fallback: 1 Jan is a fixed-date holiday, then a weekend.
        (D(2026, 12, 2), CAL, D(2027, 1, 4), False),
        # Fallback: 5 Feb 2027 (New Year's Eve, a lunar holiday) looks like a plain Friday.
        (D(2027, 1, 6), CAL, D(2027, 2, 5), False),
        # Fallback: an ordinary Sunday moves to Monday, still uncertain.
        (D(2027, 1, 1), CAL, D(2027, 2, 1), False),
        # The admin marks that Sunday an adjusted working day: it stays and is certain.
        (D(2027, 1, 1), LegalCalendar([DayOverride(D(2027, 1, 31), True, "调休")]), None, True),
        # The admin marks 5 Feb a holiday: it moves, but the days it moves over are unknown.
        (D(2027, 1, 6), LegalCalendar(_holidays(D(2027, 2, 5))), D(2027, 2, 8), False),
        # The admin enters the whole notice and declares 2027 complete: certain.
        (D(2027, 1, 6), LegalCalendar(SPRING_2027, complete_years=[2027]), D(2027, 2, 12), True),
    ],
)
def test_a_year_the_package_does_not_cover_uses_the_fallback_and_admin_overrides(
    effective_on: date, calendar: LegalCalendar, end: date | None, certain: bool
) -> None:
    deadline = confirmation_deadline(effective_on, calendar)
    assert deadline.end == (end or deadline.nominal_end)
    assert deadline.calendar_certain is certain


@pytest.mark.parametrize(
    ("calendar", "year", "known"),
    [
        (CAL, 2004, True),
        (CAL, 2026, True),
        (CAL, 2003, False),
        (CAL, 2027, False),
        (LegalCalendar(_holidays(D(2027, 1, 1))), 2027, False),
        (LegalCalendar(complete_years=[2027]), 2027, True),
        (LegalCalendar(complete_years=[2027]), 2028, False),
    ],
)
def test_a_year_is_known_when_the_package_covers_it_or_an_admin_completed_it(
    calendar: LegalCalendar, year: int, known: bool
) -> None:
    assert calendar.knows_year(year) is known


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2027, 1, 1), False),
        (D(2027, 1, 4), True),
        (D(2027, 5, 3), True),
        (D(2028, 5, 1), False),
        (D(2028, 5, 2), False),
        (D(2028, 10, 3), False),
        (D(2028, 10, 4), True),
        (D(2028, 10, 7), False),
    ],
)
def test_the_fallback_rule_is_weekdays_minus_the_fixed_date_holidays(
    day: date, working: bool
) -> None:
    assert fallback_is_working_day(day) is working
    assert CAL.is_working_day(day) is working
    assert CAL.is_certain(day) is False


def test_an_override_wins_over_the_package_in_a_covered_year() -> None:
    closed = LegalCalendar(_holidays(D(2026, 2, 14)))
    assert confirmation_deadline(D(2026, 1, 15), closed).end == D(2026, 2, 24)
    assert closed.override_for(D(2026, 2, 14)) == _holidays(D(2026, 2, 14))[0]


def test_the_objection_period_is_fifteen_days_from_receipt() -> None:
    deadline = objection_deadline(D(2025, 9, 20), CAL)
    assert (deadline.days, deadline.nominal_end, deadline.end) == (
        15,
        D(2025, 10, 5),
        D(2025, 10, 9),
    )
    assert "第三百七十二条" in deadline.source


@pytest.mark.parametrize(
    ("today", "left", "overdue"),
    [
        (D(2025, 9, 1), 38, False),
        (D(2025, 10, 1), 8, False),
        (D(2025, 10, 9), 0, False),
        (D(2025, 10, 10), -1, True),
        (D(2025, 11, 8), -30, True),
    ],
)
def test_days_left_counts_down_to_zero_on_the_last_day_then_goes_negative(
    today: date, left: int, overdue: bool
) -> None:
    deadline = confirmation_deadline(D(2025, 9, 1), CAL)
    assert days_left(deadline, today) == left
    assert is_overdue(deadline, today) is overdue


@pytest.mark.parametrize(
    ("effective_on", "expected"),
    [
        (D(2025, 9, 1), (D(2025, 9, 21), D(2025, 9, 28))),
        (D(2024, 2, 1), (D(2024, 2, 21), D(2024, 2, 28))),
        (D(2024, 2, 10), (D(2024, 3, 1), D(2024, 3, 8))),
    ],
)
def test_reminders_fall_on_nominal_days_twenty_and_twenty_seven(
    effective_on: date, expected: tuple[date, date]
) -> None:
    assert reminder_days(effective_on) == expected


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: period_end(D(2026, 1, 1), 0, CAL), ValueError),
        (lambda: period_end(datetime(2026, 1, 1, 9), 30, CAL), TypeError),
        (lambda: CAL.is_working_day(datetime(2026, 1, 1, 9)), TypeError),
        (
            lambda: LegalCalendar(
                [*_holidays(D(2027, 1, 4)), DayOverride(D(2027, 1, 4), True, "")]
            ),
            ValueError,
        ),
        (
            lambda: period_end(
                D(2027, 1, 1),
                1,
                LegalCalendar(
                    _holidays(
                        *(D(2027, 1, n) for n in range(2, 32)),
                        *(D(2027, 2, n) for n in range(1, 10)),
                    )
                ),
            ),
            ValueError,
        ),
    ],
)
def test_bad_calls_are_refused(call: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        call()  # type: ignore[operator]


def test_each_day_is_looked_up_in_the_package_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[date] = []
    real = chinese_calendar.is_workday

    def counting(day: date) -> bool:
        calls.append(day)
        return real(day)

    monkeypatch.setattr(deadlines.chinese_calendar, "is_workday", counting)
    calendar = LegalCalendar()
    for _ in range(3):
        confirmation_deadline(D(2025, 9, 1), calendar)
    days_probed = [d for d in calls if d != D(2025, 1, 1)]
    assert sorted(days_probed) == [D(2025, 10, n) for n in range(1, 10)]


def test_only_the_missing_year_error_of_the_package_triggers_the_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(day: date) -> bool:
        raise RuntimeError("corrupt data")

    monkeypatch.setattr(deadlines.chinese_calendar, "is_workday", broken)
    with pytest.raises(RuntimeError, match="corrupt data"):
        LegalCalendar().is_working_day(D(2026, 3, 2))


@pytest.mark.parametrize(
    ("start", "years", "nominal_end", "end", "certain"),
    [
        # 民法典 Art. 202: the corresponding day; 29 Feb in a common year is 28 Feb.
        (D(2024, 2, 29), 2, D(2026, 2, 28), D(2026, 2, 28), True),
        (D(2024, 2, 29), 4, D(2028, 2, 29), D(2028, 2, 29), False),
        (D(2024, 1, 31), 2, D(2026, 1, 31), D(2026, 2, 2), True),
        # Ends in National Day 2026 and in Spring Festival 2026.
        (D(2024, 10, 3), 2, D(2026, 10, 3), D(2026, 10, 8), True),
        (D(2024, 2, 20), 2, D(2026, 2, 20), D(2026, 2, 24), True),
        (D(2025, 12, 31), 1, D(2026, 12, 31), D(2026, 12, 31), True),
    ],
)
def test_a_period_in_years_ends_on_the_corresponding_day_or_the_next_working_day(
    start: date, years: int, nominal_end: date, end: date, certain: bool
) -> None:
    deadline = deadlines.years_period_end(start, years, CAL)
    assert (deadline.nominal_end, deadline.end, deadline.calendar_certain) == (
        nominal_end,
        end,
        certain,
    )
    assert deadline.days == (nominal_end - start).days
    assert deadline.extended_by_holiday is (end != nominal_end)


@pytest.mark.parametrize(
    ("day", "calendar", "expected", "certain"),
    [
        (D(2026, 3, 9), CAL, D(2026, 3, 9), True),
        (D(2026, 3, 7), CAL, D(2026, 3, 9), True),
        (D(2026, 10, 1), CAL, D(2026, 10, 8), True),
        (D(2026, 2, 28), CAL, D(2026, 2, 28), True),
        (D(2027, 2, 6), CAL, D(2027, 2, 8), False),
        (D(2027, 2, 6), LegalCalendar(SPRING_2027, complete_years=[2027]), D(2027, 2, 12), True),
    ],
)
def test_the_next_working_day_is_the_day_itself_or_the_first_after_the_rest(
    day: date, calendar: LegalCalendar, expected: date, certain: bool
) -> None:
    assert deadlines.next_working_day(day, calendar) == (expected, certain)


@pytest.mark.parametrize(
    "call",
    [
        lambda: deadlines.years_period_end(D(2026, 1, 1), 0, CAL),
        lambda: deadlines.years_period_end(datetime(2026, 1, 1), 2, CAL),
        lambda: deadlines.next_working_day(datetime(2026, 1, 1), CAL),
    ],
)
def test_a_years_period_needs_a_year_and_a_legal_date(call: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        call()  # type: ignore[operator]
