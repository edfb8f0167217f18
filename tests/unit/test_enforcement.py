"""Enforcement of a confirmed agreement (CPL Arts. 206, 250; 民诉法解释 Art. 481): two years
from the last day of performance (the last instalment's due date), moved off a rest day,
restarted by a payment or demand inside the period, with the earlier acceleration reading
alongside; an application is refused without a ruling or before a breach, and claims the
whole balance only when the agreement accelerates. A supplementary agreement restructures
only what remains unpaid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules import enforcement
from app.rules.deadlines import LegalCalendar
from app.rules.enforcement import EnforcementRefused, enforcement_claim, enforcement_deadline
from app.rules.errors import InvalidInput, Refused
from app.rules.repayments import (
    Payment,
    RepaymentPlan,
    RepaymentRules,
    RepaymentState,
    Split,
    repayment_plan,
    repayment_status,
)
from app.rules.restructuring import check_restructured_schedule, restructuring_basis
from app.rules.schedules import Frequency, instalment_plan, lump_sum

D = Decimal
CAL = LegalCalendar()
AMOUNTS = Split(principal=D("700.00"), interest=D("200.00"), penalty=D("50.00"), fees=D("50.00"))


def lump(due: date) -> RepaymentPlan:
    return repayment_plan(lump_sum(D("1000.00"), due), AMOUNTS, CAL, RepaymentRules(grace_days=0))


def three_months(accelerates: bool = True) -> RepaymentPlan:
    """333.33 / 333.33 / 333.34 due 31 Jan, 28 Feb, 31 Mar 2026, grace 15 days: a missed
    first instalment is a breach from 25 Feb (the grace period ends after Spring Festival)."""
    schedule = instalment_plan(
        D("1000.00"), count=3, frequency=Frequency.MONTHLY, first_due=date(2026, 1, 31)
    )
    rules = RepaymentRules(grace_days=15, accelerates=accelerates)
    return repayment_plan(schedule, AMOUNTS, CAL, rules)


def pay(reference: str, amount: str, paid_on: date) -> Payment:
    return Payment(reference, D(amount), paid_on)


A100 = pay("A", "100.00", date(2026, 1, 20))


@pytest.mark.parametrize(
    ("due", "nominal_end", "end", "certain"),
    [
        (date(2026, 3, 31), date(2028, 3, 31), date(2028, 3, 31), False),  # 2028: no notice yet
        # 29 Feb 2024 + 2 years: 28 Feb 2026, an adjusted working Saturday.
        (date(2024, 2, 29), date(2026, 2, 28), date(2026, 2, 28), True),
        # National Day 2026 (rest 1-7 Oct) and Spring Festival 2026 (rest 15-23 Feb).
        (date(2024, 10, 1), date(2026, 10, 1), date(2026, 10, 8), True),
        (date(2024, 2, 15), date(2026, 2, 15), date(2026, 2, 24), True),
        (date(2024, 3, 8), date(2026, 3, 8), date(2026, 3, 9), True),  # a Sunday
    ],
)
def test_the_enforcement_period_is_two_years_from_the_last_day_of_performance(
    due: date, nominal_end: date, end: date, certain: bool
) -> None:
    status = repayment_status(lump(due), [], due)
    deadline = enforcement_deadline(status, CAL)
    assert deadline.performance_ends == due
    assert (deadline.statutory.start, deadline.statutory.nominal_end) == (due, nominal_end)
    assert (deadline.end, deadline.calendar_certain) == (end, certain)
    assert deadline.accelerated is None
    assert deadline.interrupted_on is None
    assert "第二百五十条" in deadline.statutory.source


def test_instalments_count_from_the_last_one_and_acceleration_from_the_breach() -> None:
    on_track = enforcement_deadline(repayment_status(three_months(), [A100], date(2026, 2, 1)), CAL)
    assert (on_track.performance_ends, on_track.end, on_track.accelerated) == (
        date(2026, 3, 31),
        date(2028, 3, 31),
        None,
    )
    status = repayment_status(three_months(), [A100], date(2026, 3, 1))
    deadline = enforcement_deadline(status, CAL)
    assert deadline.statutory.end == date(2028, 3, 31)
    assert deadline.accelerated is not None
    assert deadline.accelerated.start == date(2026, 2, 25)
    assert deadline.end == date(2028, 3, 31)  # CPL Art. 250: from the last instalment
    assert deadline.earliest_end == date(2028, 2, 25)  # safe on the acceleration reading too
    no_acceleration = repayment_status(three_months(False), [A100], date(2026, 3, 1))
    plain = enforcement_deadline(no_acceleration, CAL)
    assert (plain.end, plain.earliest_end, plain.accelerated) == (date(2028, 3, 31),) * 2 + (None,)


@pytest.mark.parametrize(
    ("payments", "interruptions", "interrupted_on", "end"),
    [
        # A payment before the period starts changes nothing.
        ([pay("A", "100.00", date(2026, 3, 31))], [], None, date(2028, 3, 31)),
        # A partial payment after the last due date restarts it (诉讼时效规定 Art. 14).
        ([pay("A", "100.00", date(2026, 5, 10))], [], date(2026, 5, 10), date(2028, 5, 10)),
        # So does a demand; the latest one counts.
        (
            [pay("A", "100.00", date(2026, 5, 10))],
            [date(2027, 1, 4)],
            date(2027, 1, 4),
            date(2029, 1, 4),
        ),
        # Once the period has ended, nothing inside this rule revives it.
        ([], [date(2028, 4, 3)], None, date(2028, 3, 31)),
    ],
)
def test_a_payment_or_demand_inside_the_period_restarts_it(
    payments: list[Payment], interruptions: list[date], interrupted_on: date | None, end: date
) -> None:
    status = repayment_status(lump(date(2026, 3, 31)), payments, date(2028, 12, 31))
    deadline = enforcement_deadline(status, CAL, interruptions=interruptions)
    assert (deadline.interrupted_on, deadline.statutory.end) == (interrupted_on, end)


@pytest.mark.parametrize(
    ("plan", "payments", "ruling", "on", "code"),
    [
        (three_months(), [A100], None, date(2026, 3, 1), "no_confirmation_ruling"),
        (three_months(), [A100], date(2026, 3, 2), date(2026, 3, 1), "ruling_not_yet"),
        (three_months(), [A100], date(2026, 1, 10), date(2026, 2, 24), "not_in_breach"),
        (three_months(), [], date(2026, 1, 10), date(2026, 1, 31), "not_in_breach"),
        (lump(date(2026, 3, 31)), [], date(2026, 1, 10), date(2026, 3, 31), "not_in_breach"),
        (
            three_months(),
            [A100, pay("B", "900.00", date(2026, 3, 1))],
            date(2026, 1, 10),
            date(2026, 3, 1),
            "repayment_completed",
        ),
    ],
)
def test_an_enforcement_application_is_refused_without_a_ruling_or_before_a_breach(
    plan: RepaymentPlan, payments: list[Payment], ruling: date | None, on: date, code: str
) -> None:
    status = repayment_status(plan, payments, on)
    with pytest.raises(EnforcementRefused) as caught:
        enforcement_claim(status, ruling_confirmed_on=ruling, calendar=CAL)
    assert caught.value.code == code
    assert isinstance(caught.value, Refused)


@pytest.mark.parametrize(
    ("plan", "on", "amount", "instalments", "split"),
    [
        # Accelerated: the whole unpaid balance, even the instalment not yet due as agreed.
        (
            three_months(),
            date(2026, 2, 25),
            "900.00",
            (1, 2, 3),
            ("700.00", "150.00", "50.00", "0.00"),
        ),
        # Not accelerated: only what is past due (28 Feb is past on 1 Mar, 31 Mar is not).
        (
            three_months(False),
            date(2026, 2, 25),
            "233.33",
            (1,),
            ("33.33", "150.00", "50.00", "0.00"),
        ),
        (
            three_months(False),
            date(2026, 3, 1),
            "566.66",
            (1, 2),
            ("366.66", "150.00", "50.00", "0.00"),
        ),
        # A lump sum: the day after its date, everything unpaid.
        (
            lump(date(2026, 3, 31)),
            date(2026, 4, 1),
            "1000.00",
            (1,),
            ("700.00", "200.00", "50.00", "50.00"),
        ),
    ],
)
def test_the_application_claims_the_whole_balance_only_when_the_agreement_accelerates(
    plan: RepaymentPlan,
    on: date,
    amount: str,
    instalments: tuple[int, ...],
    split: tuple[str, ...],
) -> None:
    payments = [A100] if not plan.is_lump_sum else []
    status = repayment_status(plan, payments, on)
    claim = enforcement_claim(status, ruling_confirmed_on=date(2026, 1, 10), calendar=CAL)
    assert (claim.amount, claim.instalments) == (D(amount), instalments)
    assert claim.split == Split(*map(D, split))
    assert claim.split.total == claim.amount
    assert claim.accelerated is plan.accelerates
    assert (claim.late, claim.late_if_accelerated) == (False, False)
    assert claim.source == enforcement.SOURCE_ENFORCEMENT


def test_an_application_after_the_period_is_allowed_but_marked_late() -> None:
    plan = lump(date(2024, 3, 8))
    on_last_day = repayment_status(plan, [], date(2026, 3, 9))
    assert (
        enforcement_claim(on_last_day, ruling_confirmed_on=date(2024, 1, 5), calendar=CAL).late
        is False
    )
    day_after = repayment_status(plan, [], date(2026, 3, 10))
    claim = enforcement_claim(day_after, ruling_confirmed_on=date(2024, 1, 5), calendar=CAL)
    assert (claim.late, claim.deadline.end) == (True, date(2026, 3, 9))


def test_an_application_between_the_two_readings_is_in_time_but_flagged() -> None:
    status = repayment_status(three_months(), [A100], date(2028, 3, 1))
    claim = enforcement_claim(status, ruling_confirmed_on=date(2026, 1, 10), calendar=CAL)
    assert (claim.late, claim.late_if_accelerated) == (False, True)
    assert claim.deadline.earliest_end == date(2028, 2, 25)


# --- restructuring ----------------------------------------------------------------------


def test_a_supplementary_agreement_restructures_only_what_remains_unpaid() -> None:
    status = repayment_status(
        three_months(), [pay("A", "400.00", date(2026, 1, 20))], date(2026, 3, 1)
    )
    basis = restructuring_basis(status)
    assert basis.paid == Split(D("100.00"), D("200.00"), D("50.00"), D("50.00"))
    assert basis.remaining == Split(D("600.00"), D("0.00"), D("0.00"), D("0.00"))
    assert (basis.settled, basis.partly_paid) == ((1,), (2,))
    assert basis.paid + basis.waived + basis.remaining == AMOUNTS
    new = instalment_plan(
        D("600.00"), count=6, frequency=Frequency.MONTHLY, first_due=date(2026, 4, 15)
    )
    check_restructured_schedule(basis, new)
    replan = repayment_plan(new, basis.remaining, CAL, RepaymentRules(grace_days=15))
    assert sum((row.split for row in replan.instalments), Split()) == basis.remaining


@pytest.mark.parametrize(
    ("total", "first_due", "code"),
    [
        ("1000.00", date(2026, 4, 15), "schedule_sum"),  # would re-collect what was paid
        ("599.99", date(2026, 4, 15), "schedule_sum"),
        ("600.00", date(2026, 2, 28), "first_due_past"),
    ],
)
def test_a_restructured_schedule_must_cover_exactly_the_remaining_balance(
    total: str, first_due: date, code: str
) -> None:
    status = repayment_status(
        three_months(), [pay("A", "400.00", date(2026, 1, 20))], date(2026, 3, 1)
    )
    new = instalment_plan(D(total), count=3, frequency=Frequency.MONTHLY, first_due=first_due)
    with pytest.raises(InvalidInput) as caught:
        check_restructured_schedule(restructuring_basis(status), new)
    assert caught.value.code == code


def test_there_is_nothing_to_restructure_once_the_debt_is_paid() -> None:
    status = repayment_status(
        three_months(), [pay("A", "1000.00", date(2026, 1, 20))], date(2026, 3, 1)
    )
    assert status.state is RepaymentState.COMPLETED
    with pytest.raises(Refused) as caught:
        restructuring_basis(status)
    assert caught.value.code == "repayment_completed"
