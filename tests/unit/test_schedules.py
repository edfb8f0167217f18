"""Repayment schedules (人民调解法 Art. 29; 民诉法解释 Art. 358(5)): every instalment has a
date and an amount, the rows sum exactly to the agreed total, monthly dates never drift,
and bad plans are refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules.errors import InvalidInput
from app.rules.schedules import (
    MAX_INSTALMENTS,
    Frequency,
    Instalment,
    Schedule,
    add_months,
    instalment_plan,
    latest_due,
    lump_sum,
    validate_schedule,
)

D = Decimal
MONTHLY, FORTNIGHTLY, WEEKLY = Frequency.MONTHLY, Frequency.FORTNIGHTLY, Frequency.WEEKLY
START = date(2026, 4, 15)


def plan(total: str, count: int, frequency: Frequency = MONTHLY, **kwargs: object) -> Schedule:
    return instalment_plan(D(total), count=count, frequency=frequency, first_due=START, **kwargs)


def amounts(schedule: Schedule) -> list[str]:
    return [str(i.amount) for i in schedule.instalments]


def dues(schedule: Schedule) -> list[date]:
    return [i.due for i in schedule.instalments]


@pytest.mark.parametrize("total", ["10000.00", "0.60", "100.00", "12345.67", "9999999999.99"])
@pytest.mark.parametrize("count", range(1, MAX_INSTALMENTS + 1))
def test_instalments_always_sum_exactly_to_the_total(total: str, count: int) -> None:
    schedule = plan(total, count)
    assert schedule.total == D(total)
    assert schedule.count == count
    regular = [i.amount for i in schedule.instalments]
    assert len(set(regular[:-1])) <= 1  # all equal but the last
    assert D(0) <= regular[-1] - regular[0] < D("0.01") * count  # the remainder goes last


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [
        ("10000.00", 3, ["3333.33", "3333.33", "3333.34"]),
        ("0.05", 5, ["0.01"] * 5),
        ("100.00", 60, ["1.66"] * 59 + ["2.06"]),
        ("100.00", 7, ["14.28"] * 6 + ["14.32"]),
        ("12000", 12, ["1000.00"] * 12),
        ("0.01", 1, ["0.01"]),
    ],
)
def test_equal_instalments_are_rounded_down_with_the_remainder_last(
    total: str, count: int, expected: list[str]
) -> None:
    assert amounts(plan(total, count)) == expected


@pytest.mark.parametrize(
    ("first_due", "expected"),
    [
        # A leap year: 31 Jan → 29 Feb → 31 Mar, never drifting to the 29th.
        (date(2028, 1, 31), [(2028, 1, 31), (2028, 2, 29), (2028, 3, 31), (2028, 4, 30)]),
        # A common year: 28 Feb.
        (date(2027, 1, 31), [(2027, 1, 31), (2027, 2, 28), (2027, 3, 31), (2027, 4, 30)]),
        (date(2026, 8, 31), [(2026, 8, 31), (2026, 9, 30), (2026, 10, 31), (2026, 11, 30)]),
        (date(2026, 3, 31), [(2026, 3, 31), (2026, 4, 30), (2026, 5, 31), (2026, 6, 30)]),
        (date(2026, 11, 30), [(2026, 11, 30), (2026, 12, 30), (2027, 1, 30), (2027, 2, 28)]),
        (date(2027, 12, 29), [(2027, 12, 29), (2028, 1, 29), (2028, 2, 29), (2028, 3, 29)]),
    ],
)
def test_monthly_dates_keep_the_day_of_the_month_clamped_to_short_months(
    first_due: date, expected: list[tuple[int, int, int]]
) -> None:
    schedule = instalment_plan(D("4000"), count=4, frequency=MONTHLY, first_due=first_due)
    assert dues(schedule) == [date(*ymd) for ymd in expected]


def test_a_long_monthly_plan_from_the_31st_still_falls_on_the_31st_after_february() -> None:
    schedule = instalment_plan(D("60000"), count=60, frequency=MONTHLY, first_due=date(2027, 1, 31))
    assert schedule.instalments[14].due == date(2028, 3, 31)  # after 28 Feb 2027, 29 Feb 2028
    assert schedule.last_due == date(2031, 12, 31)


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        (WEEKLY, [date(2026, 4, 15), date(2026, 4, 22), date(2026, 4, 29), date(2026, 5, 6)]),
        (FORTNIGHTLY, [date(2026, 4, 15), date(2026, 4, 29), date(2026, 5, 13), date(2026, 5, 27)]),
    ],
)
def test_weekly_and_fortnightly_dates_are_seven_and_fourteen_days_apart(
    frequency: Frequency, expected: list[date]
) -> None:
    assert dues(plan("400", 4, frequency)) == expected


def test_a_due_date_on_a_weekend_is_kept_as_agreed() -> None:
    saturday = date(2026, 5, 2)
    schedule = instalment_plan(D("300"), count=3, frequency=WEEKLY, first_due=saturday)
    assert [d.weekday() for d in dues(schedule)] == [5, 5, 5]


def test_a_down_payment_is_instalment_zero_and_the_rest_is_split() -> None:
    schedule = plan("10000.00", 3, down_payment=D("1000"), down_payment_due=date(2026, 4, 1))
    assert schedule.instalments[0] == Instalment(0, date(2026, 4, 1), D("1000.00"), "down_payment")
    assert amounts(schedule) == ["1000.00", "3000.00", "3000.00", "3000.00"]
    assert [i.number for i in schedule.instalments] == [0, 1, 2, 3]
    assert schedule.total == D("10000.00")
    assert schedule.count == 4
    assert schedule.down_payment == D("1000.00")
    assert schedule.largest_regular == D("3000.00")


def test_a_down_payment_is_due_with_the_first_instalment_unless_dated() -> None:
    schedule = plan("1000", 2, down_payment=D("500"))
    assert dues(schedule) == [START, START, date(2026, 5, 15)]


def test_a_lump_sum_is_one_payment_of_the_whole_total() -> None:
    schedule = lump_sum(D("8800.5"), date(2026, 6, 30))
    assert schedule.instalments == (Instalment(1, date(2026, 6, 30), D("8800.50"), "lump_sum"),)
    assert schedule.first_due == schedule.last_due == date(2026, 6, 30)
    assert schedule.frequency is None
    assert schedule.monthly_equivalent == D("8800.50")


@pytest.mark.parametrize(
    ("total", "count", "frequency", "largest", "monthly"),
    [
        ("12000", 12, MONTHLY, "1000.00", "1000.00"),
        ("1000", 10, WEEKLY, "100.00", "433.33"),  # 100 × 52 / 12
        ("1000", 10, FORTNIGHTLY, "100.00", "216.67"),  # 100 × 26 / 12, half a fen up
        ("10000.00", 3, WEEKLY, "3333.34", "14444.47"),  # the largest, remainder included
        ("500", 1, WEEKLY, "500.00", "500.00"),  # one payment: no frequency to convert
    ],
)
def test_the_monthly_equivalent_converts_the_largest_regular_instalment(
    total: str, count: int, frequency: Frequency, largest: str, monthly: str
) -> None:
    schedule = plan(total, count, frequency)
    assert schedule.largest_regular == D(largest)
    assert schedule.monthly_equivalent == D(monthly)


def test_a_down_payment_is_not_the_regular_instalment() -> None:
    schedule = plan("5000", 4, WEEKLY, down_payment=D("4000"))
    assert schedule.largest_regular == D("250.00")
    assert schedule.monthly_equivalent == D("1083.33")
    assert schedule.frequency is WEEKLY


@pytest.mark.parametrize(
    ("total", "count", "kwargs", "code"),
    [
        ("1000", 0, {}, "instalment_count"),
        ("1000", 61, {}, "instalment_count"),
        ("1000", -1, {}, "instalment_count"),
        ("0", 3, {}, "money_zero"),
        ("-100", 3, {}, "money_zero"),
        ("1000.001", 3, {}, "money_precision"),
        ("NaN", 3, {}, "money_precision"),
        ("Infinity", 3, {}, "money_precision"),
        ("1000", 3, {"down_payment": D("1000")}, "down_payment"),
        ("1000", 3, {"down_payment": D("1200")}, "down_payment"),
        ("1000", 3, {"down_payment": D("-1")}, "down_payment"),
        ("1000", 3, {"down_payment": D("10.005")}, "money_precision"),
        (
            "1000",
            3,
            {"down_payment_due": date(2026, 4, 16), "down_payment": D(1)},
            "down_payment_date",
        ),
        ("0.04", 5, {}, "instalment_too_small"),
        ("100", 3, {"down_payment": D("99.99")}, "instalment_too_small"),
        ("0.59", 60, {}, "instalment_too_small"),
    ],
)
def test_a_plan_that_breaks_a_rule_is_refused_with_its_code(
    total: str, count: int, kwargs: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        plan(total, count, **kwargs)
    assert refused.value.code == code


def test_sixty_instalments_are_allowed_and_sixty_one_are_not() -> None:
    assert plan("6000", 60).count == 60
    with pytest.raises(InvalidInput):
        plan("6000", 61)


@pytest.mark.parametrize(("total", "code"), [("0", "money_zero"), ("1.001", "money_precision")])
def test_a_lump_sum_must_be_a_positive_amount_in_fen(total: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        lump_sum(D(total), START)
    assert refused.value.code == code


def test_an_empty_schedule_cannot_exist() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Schedule(())


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
    ],
)
def test_adding_months_clamps_to_the_end_of_a_shorter_month(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def rows(*spec: tuple[date, str]) -> Schedule:
    return Schedule(
        tuple(
            Instalment(n + 1, due, D(amount), "instalment") for n, (due, amount) in enumerate(spec)
        )
    )


TODAY = date(2026, 4, 1)


def test_a_generated_plan_passes_validation() -> None:
    schedule = plan("10000.00", 3, down_payment=D("100"), down_payment_due=TODAY)
    validate_schedule(schedule, expected_total=D("10000.00"), today=TODAY)


@pytest.mark.parametrize(
    ("schedule", "total", "code"),
    [
        (rows((START, "50"), (START, "49.99")), "100", "schedule_sum"),
        (rows((START, "50"), (START, "50.01")), "100", "schedule_sum"),
        (rows((date(2026, 3, 31), "100")), "100", "first_due_past"),
        (rows((date(9999, 12, 31), "100")), "100", "due_too_late"),
        (rows((START, "50"), (date(2036, 4, 2), "50")), "100", "due_too_late"),
        (rows((date(2026, 5, 1), "50"), (START, "50")), "100", "schedule_order"),
        (rows((START, "100.005"), (START, "-0.005")), "100", "money_precision"),
        (rows((START, "101"), (START, "-1")), "100", "instalment_too_small"),
        (rows((START, "100"), (START, "0")), "100", "instalment_too_small"),
        (rows(*[(START, "1")] * 62), "62", "instalment_count"),
    ],
)
def test_a_schedule_that_breaks_a_rule_fails_validation(
    schedule: Schedule, total: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_schedule(schedule, expected_total=D(total), today=TODAY)
    assert refused.value.code == code


def test_sixty_instalments_and_a_down_payment_pass_validation() -> None:
    schedule = plan("6100", 60, down_payment=D("100"))
    assert schedule.count == 61
    validate_schedule(schedule, expected_total=D("6100"), today=TODAY)


def test_a_payment_due_today_is_not_in_the_past() -> None:
    validate_schedule(rows((TODAY, "100")), expected_total=D("100"), today=TODAY)


def test_a_payment_ten_years_ahead_is_the_last_one_allowed() -> None:
    assert latest_due(TODAY) == date(2036, 4, 1)
    validate_schedule(lump_sum(D("100"), date(2036, 4, 1)), expected_total=D("100"), today=TODAY)
    # Sixty monthly instalments starting on the last allowed day would run past it.
    late_start = instalment_plan(D("6000"), count=60, frequency=MONTHLY, first_due=date(2031, 6, 1))
    with pytest.raises(InvalidInput) as refused:
        validate_schedule(late_start, expected_total=D("6000"), today=TODAY)
    assert refused.value.code == "due_too_late"
