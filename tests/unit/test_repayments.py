"""Repayment after the agreement (民法典 Arts. 560, 561, 201-203): the plan splits every
instalment into fees, interest, penalty and principal in the statutory order unless the
agreement states another, payments pay the oldest instalment first and carry over, every
fen is accounted for, refused payments are refused with a stable code, and a missed
instalment past its grace period puts the agreement in breach (with acceleration) on the
right day across month ends, leap years and holidays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from app.rules.agreement_terms import AgreementTerms, DefaultRule
from app.rules.deadlines import DayOverride, LegalCalendar
from app.rules.errors import InvalidInput
from app.rules.proposals import TermsKind
from app.rules.repayment_plan import SOURCE_AGREED, SOURCE_ALLOCATION, SOURCE_ORGANISATION
from app.rules.repayments import (
    STATUTORY_ORDER,
    InstalmentState,
    Item,
    Payment,
    PaymentOrder,
    PaymentRefused,
    RepaymentPlan,
    RepaymentRules,
    RepaymentState,
    Split,
    Waiver,
    check_payment,
    plan_from_terms,
    repayment_plan,
    repayment_status,
)
from app.rules.schedules import (
    INSTALMENT,
    Frequency,
    Instalment,
    Schedule,
    instalment_plan,
    lump_sum,
)

D = Decimal
CAL = LegalCalendar()
# Spring Festival 2027 as an administrator would enter it (the package does not cover 2027;
# the dates are an assumed notice: rest 5-11 Feb), the year declared complete.
SPRING_2027 = LegalCalendar(
    [DayOverride(date(2027, 2, n), False, "春节（假设）") for n in range(5, 12)],
    complete_years=[2027],
)
AMOUNTS = Split(principal=D("700.00"), interest=D("200.00"), penalty=D("50.00"), fees=D("50.00"))
ACCELERATING = RepaymentRules(grace_days=15, accelerates=True)
UP, DUE, PART, PAID, LATE, WAIVED = (
    InstalmentState.UPCOMING,
    InstalmentState.DUE,
    InstalmentState.PARTLY_PAID,
    InstalmentState.PAID,
    InstalmentState.LATE,
    InstalmentState.WAIVED,
)


def three_months(rules: RepaymentRules = ACCELERATING, amounts: Split = AMOUNTS) -> RepaymentPlan:
    """1,000.00 in 333.33 / 333.33 / 333.34, due Sat 31 Jan, Sat 28 Feb (an adjusted
    working day), Tue 31 Mar 2026."""
    schedule = instalment_plan(
        D("1000.00"), count=3, frequency=Frequency.MONTHLY, first_due=date(2026, 1, 31)
    )
    return repayment_plan(schedule, amounts, CAL, rules)


def pay(reference: str, amount: str, paid_on: date) -> Payment:
    return Payment(reference, D(amount), paid_on)


def single(
    due: date,
    rules: RepaymentRules,
    calendar: LegalCalendar = CAL,
    **kwargs: int,
) -> RepaymentPlan:
    schedule = Schedule((Instalment(1, due, D("500.00"), INSTALMENT),))
    return repayment_plan(schedule, Split(principal=D("500.00")), calendar, rules, **kwargs)


# --- the plan ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "splits"),
    [
        # 民法典 Art. 561: fees (costs), interest, then the penalty, principal last.
        (
            ACCELERATING,
            [
                ("33.33", "200.00", "50.00", "50.00"),
                ("333.33", "0", "0", "0"),
                ("333.34",) + ("0",) * 3,
            ],
        ),
        # The agreement states principal first: the charges come last.
        (
            RepaymentRules(
                allocation_order=(Item.PRINCIPAL, Item.INTEREST, Item.PENALTY, Item.FEES)
            ),
            [
                ("333.33", "0", "0", "0"),
                ("333.33", "0", "0", "0"),
                ("33.34", "200.00", "50.00", "50.00"),
            ],
        ),
        # Interest first, then principal, fees and penalty last.
        (
            RepaymentRules(
                allocation_order=(Item.INTEREST, Item.PRINCIPAL, Item.FEES, Item.PENALTY)
            ),
            [
                ("133.33", "200.00", "0", "0"),
                ("333.33", "0", "0", "0"),
                ("233.34", "0", "50.00", "50.00"),
            ],
        ),
    ],
)
def test_each_instalment_pays_the_parts_of_the_debt_in_the_order_that_applies(
    rules: RepaymentRules, splits: list[tuple[str, ...]]
) -> None:
    plan = three_months(rules)
    assert [row.split for row in plan.instalments] == [Split(*map(D, s)) for s in splits]
    assert sum((row.split for row in plan.instalments), Split()) == AMOUNTS
    expected_source = SOURCE_ALLOCATION if rules.allocation_order is None else SOURCE_AGREED
    assert plan.allocation_source == expected_source


def test_the_statutory_order_is_costs_then_interest_then_principal() -> None:
    assert STATUTORY_ORDER == (Item.FEES, Item.INTEREST, Item.PENALTY, Item.PRINCIPAL)
    assert three_months().allocation_order == STATUTORY_ORDER


def test_a_down_payment_comes_first_and_pays_the_first_parts() -> None:
    schedule = instalment_plan(
        D("1000.00"),
        count=2,
        frequency=Frequency.MONTHLY,
        first_due=date(2026, 3, 10),
        down_payment=D("100.00"),
    )
    plan = repayment_plan(schedule, AMOUNTS, CAL)
    assert [(r.number, r.amount, r.split) for r in plan.instalments] == [
        (0, D("100.00"), Split(D("0.00"), D("50.00"), D("0.00"), D("50.00"))),
        (1, D("450.00"), Split(D("250.00"), D("150.00"), D("50.00"), D("0.00"))),
        (2, D("450.00"), Split(D("450.00"), D("0.00"), D("0.00"), D("0.00"))),
    ]
    assert [r.balance_after for r in plan.instalments] == [D("900.00"), D("450.00"), D("0.00")]


def test_a_sixty_instalment_plan_adds_up_to_the_fen_across_month_ends_and_a_leap_year() -> None:
    amounts = Split(D("100000.00"), D("20000.00"), D("2456.78"), D("1000.00"))
    schedule = instalment_plan(
        D("123456.78"), count=60, frequency=Frequency.MONTHLY, first_due=date(2027, 1, 31)
    )
    plan = repayment_plan(schedule, amounts, CAL, ACCELERATING)
    rows = plan.instalments
    assert len(rows) == 60
    assert (rows[1].due, rows[13].due, rows[25].due) == (
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
    )
    assert all(row.split.total == row.amount for row in rows)
    assert sum((row.split for row in rows), Split()) == amounts
    running = D("123456.78")
    for row in rows:
        running -= row.amount
        assert row.balance_after == running
    assert rows[-1].balance_after == D("0.00")


@pytest.mark.parametrize(
    ("amounts", "rules", "code"),
    [
        (Split(principal=D("999.99")), RepaymentRules(), "plan_split_sum"),
        (Split(principal=D("1000.001")), RepaymentRules(), "money_precision"),
        (Split(D("1100.00"), D("-100.00")), RepaymentRules(), "money_precision"),
        (Split(principal=D("NaN")), RepaymentRules(), "money_precision"),
        (Split(principal=D("1000.00")), RepaymentRules(grace_days=-1), "grace_days"),
        (Split(principal=D("1000.00")), RepaymentRules(grace_days=91), "grace_days"),
        (
            Split(principal=D("1000.00")),
            RepaymentRules(allocation_order=(Item.FEES, Item.FEES, Item.INTEREST, Item.PRINCIPAL)),
            "allocation_order",
        ),
        (
            Split(principal=D("1000.00")),
            RepaymentRules(allocation_order=("fees", "costs", "interest", "principal")),  # type: ignore[arg-type]
            "allocation_order",
        ),
    ],
)
def test_a_plan_that_does_not_add_up_or_states_impossible_rules_is_refused(
    amounts: Split, rules: RepaymentRules, code: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        three_months(rules, amounts)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([Instalment(1, date(2026, 1, 1), D("1.00"), INSTALMENT)] * 2, "schedule_numbers"),
        ([], "schedule_empty"),
    ],
)
def test_rows_without_distinct_numbers_or_no_rows_are_refused(
    rows: list[Instalment], code: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        repayment_plan(rows, Split(principal=D("2.00")), CAL)
    assert caught.value.code == code


def _terms(kind: TermsKind, schedule: Schedule, grace_days: int) -> AgreementTerms:
    return AgreementTerms(
        kind=kind,
        principal=D("700.00"),
        interest=D("200.00"),
        penalty=D("50.00"),
        fees=D("50.00"),
        total=D("1000.00"),
        schedule=schedule.instalments,
        default_rule=DefaultRule(grace_days),
    )


@pytest.mark.parametrize(
    ("kind", "schedule", "grace", "accelerates"),
    [
        (
            TermsKind.INSTALMENTS,
            instalment_plan(
                D("1000.00"), count=4, frequency=Frequency.WEEKLY, first_due=date(2026, 5, 4)
            ),
            20,
            True,
        ),
        # The printed lump-sum rule: not paid by the date is default, with no grace period.
        (TermsKind.LUMP_SUM, lump_sum(D("1000.00"), date(2026, 5, 4)), 0, False),
    ],
)
def test_the_agreement_states_its_own_default_rule(
    kind: TermsKind, schedule: Schedule, grace: int, accelerates: bool
) -> None:
    plan = plan_from_terms(_terms(kind, schedule, 20), CAL, organisation_grace_days=30)
    assert (plan.grace_days, plan.accelerates, plan.grace_source) == (
        grace,
        accelerates,
        SOURCE_AGREED,
    )
    assert plan.totals == AMOUNTS
    assert plan.is_lump_sum is (kind == TermsKind.LUMP_SUM)


def test_without_a_stated_grace_period_the_organisation_setting_applies() -> None:
    plan = single(date(2026, 3, 2), RepaymentRules(), organisation_grace_days=10)
    assert (plan.grace_days, plan.grace_source) == (10, SOURCE_ORGANISATION)
    assert plan.instalments[0].grace_ends == date(2026, 3, 12)
    assert single(date(2026, 3, 2), RepaymentRules()).grace_days == 15


@pytest.mark.parametrize(
    ("agreed", "rules", "calendar", "due", "grace_ends", "certain"),
    [
        # Kept as agreed: a Sunday, and National Day 2026 (rest 1-7 Oct).
        (
            date(2026, 3, 8),
            RepaymentRules(grace_days=0),
            CAL,
            date(2026, 3, 8),
            date(2026, 3, 8),
            True,
        ),
        (
            date(2026, 10, 1),
            RepaymentRules(grace_days=0),
            CAL,
            date(2026, 10, 1),
            date(2026, 10, 1),
            True,
        ),
        # Moved when the agreement says so.
        (
            date(2026, 3, 8),
            RepaymentRules(grace_days=0, rest_day_due_moves=True),
            CAL,
            date(2026, 3, 9),
            date(2026, 3, 9),
            True,
        ),
        (
            date(2026, 10, 1),
            RepaymentRules(grace_days=3, rest_day_due_moves=True),
            CAL,
            date(2026, 10, 8),
            date(2026, 10, 12),  # 11 Oct is a Sunday
            True,
        ),
        # 28 Feb 2026 is an adjusted working Saturday: it does not move.
        (
            date(2026, 2, 28),
            RepaymentRules(grace_days=0, rest_day_due_moves=True),
            CAL,
            date(2026, 2, 28),
            date(2026, 2, 28),
            True,
        ),
        # Spring Festival 2027 as entered by an administrator.
        (
            date(2027, 2, 8),
            RepaymentRules(grace_days=1, rest_day_due_moves=True),
            SPRING_2027,
            date(2027, 2, 12),
            date(2027, 2, 15),  # 13-14 Feb is a weekend
            True,
        ),
        # Without the notice the same date moves only over the weekend, and is not certain.
        (
            date(2027, 2, 6),
            RepaymentRules(grace_days=0, rest_day_due_moves=True),
            CAL,
            date(2027, 2, 8),
            date(2027, 2, 8),
            False,
        ),
    ],
)
def test_a_due_date_on_a_rest_day_moves_only_when_the_agreement_says_so(
    agreed: date,
    rules: RepaymentRules,
    calendar: LegalCalendar,
    due: date,
    grace_ends: date,
    certain: bool,
) -> None:
    row = single(agreed, rules, calendar).instalments[0]
    assert (row.agreed_due, row.due, row.grace_ends, row.dates_certain) == (
        agreed,
        due,
        grace_ends,
        certain,
    )


# --- payments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payments", "order", "paid"),
    [
        (
            [pay("A", "500.00", date(2026, 1, 31))],
            PaymentOrder.OLDEST_FIRST,
            ("333.33", "166.67", "0.00"),
        ),
        (
            [pay("A", "100.00", date(2026, 1, 10)), pay("B", "300.00", date(2026, 1, 20))],
            PaymentOrder.OLDEST_FIRST,
            ("333.33", "66.67", "0.00"),
        ),
        (
            [pay("A", "1000.00", date(2026, 1, 5))],
            PaymentOrder.OLDEST_FIRST,
            ("333.33", "333.33", "333.34"),
        ),
        ([pay("A", "0.01", date(2026, 1, 5))], PaymentOrder.OLDEST_FIRST, ("0.01", "0.00", "0.00")),
        (
            [pay("A", "500.00", date(2026, 1, 31))],
            PaymentOrder.NEWEST_FIRST,
            ("0.00", "166.66", "333.34"),
        ),
    ],
)
def test_a_payment_pays_the_oldest_instalment_first_and_the_rest_carries_over(
    payments: list[Payment], order: PaymentOrder, paid: tuple[str, ...]
) -> None:
    plan = three_months(RepaymentRules(grace_days=15, payment_order=order))
    status = repayment_status(plan, payments, date(2026, 2, 1))
    assert tuple(p.paid.total for p in status.positions) == tuple(map(D, paid))
    assert status.paid.total + status.balance.total == D("1000.00")


def test_each_allocation_pays_fees_then_interest_then_penalty_then_principal() -> None:
    payments = [pay("A", "100.00", date(2026, 1, 10)), pay("B", "250.00", date(2026, 1, 30))]
    status = repayment_status(three_months(), payments, date(2026, 2, 1))
    assert [(a.reference, a.instalment, a.amount, a.split) for a in status.allocations] == [
        ("A", 1, D("100.00"), Split(D("0.00"), D("50.00"), D("0.00"), D("50.00"))),
        ("B", 1, D("233.33"), Split(D("33.33"), D("150.00"), D("50.00"), D("0.00"))),
        ("B", 2, D("16.67"), Split(D("16.67"), D("0.00"), D("0.00"), D("0.00"))),
    ]
    assert status.paid == Split(D("50.00"), D("200.00"), D("50.00"), D("50.00"))
    assert status.balance == Split(D("650.00"), D("0.00"), D("0.00"), D("0.00"))


def test_payments_are_applied_in_date_order_whatever_order_they_were_recorded_in() -> None:
    late_record = [
        pay("LATER", "400.00", date(2026, 1, 25)),
        pay("EARLIER", "100.00", date(2026, 1, 5)),
    ]
    status = repayment_status(three_months(), late_record, date(2026, 2, 1))
    assert [(a.reference, a.instalment, a.amount) for a in status.allocations] == [
        ("EARLIER", 1, D("100.00")),
        ("LATER", 1, D("233.33")),
        ("LATER", 2, D("166.67")),
    ]


def test_sixty_instalments_with_partial_payments_balance_to_the_fen() -> None:
    amounts = Split(D("100000.00"), D("20000.00"), D("2456.78"), D("1000.00"))
    schedule = instalment_plan(
        D("123456.78"), count=60, frequency=Frequency.MONTHLY, first_due=date(2027, 1, 31)
    )
    plan = repayment_plan(schedule, amounts, CAL, ACCELERATING)
    payments = [
        pay(f"P{n}", f"{1999 + n % 7}.{n % 100:02d}", date(2027, 1, 1 + n % 28)) for n in range(40)
    ]
    payments.append(pay("ODD", "0.07", date(2027, 1, 30)))
    received = sum((p.amount for p in payments), D("0"))
    status = repayment_status(plan, payments, date(2027, 1, 31))
    assert status.paid.total == received == D("80082.87")
    assert status.balance.total == D("123456.78") - received
    assert status.paid + status.balance == amounts
    assert sum((a.amount for a in status.allocations), D("0")) == received
    assert sum((a.split for a in status.allocations), Split()) == status.paid
    assert sum((p.outstanding for p in status.positions), D("0")) == status.balance.total
    assert status.credit == D("0.00")
    fully_paid = [p.number for p in status.positions if p.state is PAID]
    assert fully_paid == list(range(1, 39))
    assert status.positions[38].state is PART


RECORDED = [pay("R1", "100.00", date(2026, 1, 20))]
TODAY = date(2026, 2, 10)


@pytest.mark.parametrize(
    ("payment", "code", "field"),
    [
        (pay("", "10.00", TODAY), "payment_reference", "reference"),
        (pay("   ", "10.00", TODAY), "payment_reference", "reference"),
        (pay("x" * 65, "10.00", TODAY), "payment_reference", "reference"),
        (pay("R1", "50.00", TODAY), "payment_reference_reused", "reference"),
        (pay(" R1 ", "100.01", TODAY), "payment_reference_reused", "reference"),
        (pay("R2", "0", TODAY), "payment_not_positive", "amount"),
        (pay("R2", "0.00", TODAY), "payment_not_positive", "amount"),
        (pay("R2", "-5.00", TODAY), "payment_not_positive", "amount"),
        (pay("R2", "10.001", TODAY), "money_precision", "amount"),
        (pay("R2", "NaN", TODAY), "money_precision", "amount"),
        (pay("R2", "Infinity", TODAY), "money_precision", "amount"),
        (pay("R2", "10.00", date(2026, 2, 11)), "payment_in_future", "paid_on"),
        (pay("R2", "900.01", TODAY), "payment_exceeds_balance", "amount"),
    ],
)
def test_a_payment_that_cannot_be_recorded_is_refused_with_a_stable_code(
    payment: Payment, code: str, field: str | None
) -> None:
    with pytest.raises(PaymentRefused) as caught:
        check_payment(three_months(), RECORDED, payment, today=TODAY)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert isinstance(caught.value, InvalidInput)


@pytest.mark.parametrize("amount", ["100.00", "100", "100.0"])
def test_the_same_reference_with_the_same_amount_is_a_duplicate_to_ignore(amount: str) -> None:
    check = check_payment(three_months(), RECORDED, pay(" R1", amount, TODAY), today=TODAY)
    assert check.duplicate is True
    assert check.allocations == ()


def test_a_payment_of_exactly_the_remaining_balance_is_accepted_and_shows_where_it_goes() -> None:
    check = check_payment(three_months(), RECORDED, pay("R2", "900.00", TODAY), today=TODAY)
    assert check.duplicate is False
    assert [(a.instalment, a.amount) for a in check.allocations] == [
        (1, D("233.33")),
        (2, D("333.33")),
        (3, D("333.34")),
    ]


def test_nothing_more_is_accepted_once_the_plan_is_paid_but_a_retry_is_a_no_op() -> None:
    recorded = [*RECORDED, pay("R2", "900.00", TODAY)]
    with pytest.raises(PaymentRefused) as caught:
        check_payment(three_months(), recorded, pay("R3", "0.01", TODAY), today=TODAY)
    assert caught.value.code == "payment_exceeds_balance"
    assert check_payment(
        three_months(), recorded, pay("R2", "900.00", TODAY), today=TODAY
    ).duplicate


def test_a_waived_instalment_lowers_the_balance_a_payment_may_reach() -> None:
    waivers = [Waiver(3, date(2026, 2, 1))]
    with pytest.raises(PaymentRefused) as caught:
        check_payment(
            three_months(), RECORDED, pay("R2", "566.67", TODAY), today=TODAY, waivers=waivers
        )
    assert caught.value.code == "payment_exceeds_balance"
    check = check_payment(
        three_months(), RECORDED, pay("R2", "566.66", TODAY), today=TODAY, waivers=waivers
    )
    assert [(a.instalment, a.amount) for a in check.allocations] == [
        (1, D("233.33")),
        (2, D("333.33")),
    ]


@pytest.mark.parametrize(
    "call",
    [
        lambda: repayment_status(three_months(), [], datetime(2026, 2, 1, 12)),
        lambda: check_payment(
            three_months(), [], pay("X", "1.00", TODAY), today=datetime(2026, 2, 1)
        ),
        lambda: check_payment(
            three_months(), [], Payment("X", D("1.00"), datetime(2026, 2, 1)), today=TODAY
        ),
    ],
)
def test_a_datetime_instead_of_a_legal_date_is_a_programming_error(
    call: Callable[[], object],
) -> None:
    with pytest.raises(TypeError):
        call()


def test_a_waiver_of_an_instalment_the_plan_does_not_have_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        repayment_status(three_months(), [], TODAY, waivers=[Waiver(4, TODAY)])
    assert caught.value.code == "instalment_number"


# --- status, breach, acceleration -------------------------------------------------------

A100 = pay("A", "100.00", date(2026, 1, 20))
A_FIRST = pay("A", "333.33", date(2026, 1, 31))


@pytest.mark.parametrize(
    ("payments", "waivers", "on", "states", "state"),
    [
        ([], [], date(2026, 1, 10), (UP, UP, UP), RepaymentState.ON_TRACK),
        ([], [], date(2026, 1, 31), (DUE, UP, UP), RepaymentState.ON_TRACK),
        ([A100], [], date(2026, 1, 19), (UP, UP, UP), RepaymentState.ON_TRACK),
        ([A100], [], date(2026, 1, 20), (PART, UP, UP), RepaymentState.ON_TRACK),
        ([A100], [], date(2026, 1, 31), (PART, UP, UP), RepaymentState.ON_TRACK),
        ([A100], [], date(2026, 2, 1), (LATE, UP, UP), RepaymentState.LATE),
        # Grace: 31 Jan + 15 days = 15 Feb, in the Spring Festival rest (15-23 Feb) → 24 Feb.
        ([A100], [], date(2026, 2, 24), (LATE, UP, UP), RepaymentState.LATE),
        # In breach from 25 Feb; acceleration makes the rest due that day.
        ([A100], [], date(2026, 2, 25), (LATE, DUE, DUE), RepaymentState.IN_BREACH),
        ([A100], [], date(2026, 2, 26), (LATE, LATE, LATE), RepaymentState.IN_BREACH),
        ([A_FIRST], [], date(2026, 2, 28), (PAID, DUE, UP), RepaymentState.ON_TRACK),
        (
            [A_FIRST, pay("B", "500.00", date(2026, 2, 20))],
            [],
            date(2026, 2, 28),
            (PAID, PAID, PART),
            RepaymentState.ON_TRACK,
        ),
        # Released before its grace period ended: no breach.
        (
            [A_FIRST],
            [Waiver(2, date(2026, 3, 1))],
            date(2026, 3, 20),
            (PAID, WAIVED, UP),
            RepaymentState.ON_TRACK,
        ),
        (
            [A_FIRST],
            [Waiver(2, date(2026, 3, 21))],
            date(2026, 3, 20),
            (PAID, LATE, LATE),
            RepaymentState.IN_BREACH,
        ),
        (
            [pay("A", "1000.00", date(2026, 1, 5))],
            [],
            date(2026, 1, 10),
            (PAID, PAID, PAID),
            RepaymentState.COMPLETED,
        ),
        # Paid in full after the breach: completed (the breach stays on record).
        (
            [A100, pay("B", "900.00", date(2026, 3, 1))],
            [],
            date(2026, 3, 1),
            (PAID, PAID, PAID),
            RepaymentState.COMPLETED,
        ),
        (
            [A_FIRST],
            [Waiver(2, date(2026, 3, 1)), Waiver(3, date(2026, 3, 1))],
            date(2026, 3, 1),
            (PAID, WAIVED, WAIVED),
            RepaymentState.COMPLETED,
        ),
    ],
)
def test_every_instalment_and_the_repayment_have_a_state_on_a_given_day(
    payments: list[Payment],
    waivers: list[Waiver],
    on: date,
    states: tuple[InstalmentState, ...],
    state: RepaymentState,
) -> None:
    status = repayment_status(three_months(), payments, on, waivers=waivers)
    assert tuple(p.state for p in status.positions) == states
    assert status.state is state


def test_the_breach_stays_on_record_after_the_debt_is_paid() -> None:
    status = repayment_status(
        three_months(), [A100, pay("B", "900.00", date(2026, 3, 1))], date(2026, 3, 1)
    )
    assert status.breach is not None
    assert (status.breach.on, status.breach.instalment) == (date(2026, 2, 25), 1)


@pytest.mark.parametrize(
    ("accelerates", "dues", "overdue", "payable_now"),
    [
        (True, (date(2026, 1, 31), date(2026, 2, 25), date(2026, 2, 25)), "900.00", "900.00"),
        (False, (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)), "566.66", "566.66"),
    ],
)
def test_with_acceleration_the_whole_balance_falls_due_on_the_breach_date(
    accelerates: bool, dues: tuple[date, ...], overdue: str, payable_now: str
) -> None:
    plan = three_months(RepaymentRules(grace_days=15, accelerates=accelerates))
    status = repayment_status(plan, [A100], date(2026, 3, 1))
    assert status.state is RepaymentState.IN_BREACH
    assert status.breach is not None and status.breach.accelerated is accelerates
    assert tuple(p.due for p in status.positions) == dues
    assert (status.overdue, status.payable_now) == (D(overdue), D(payable_now))
    assert status.balance.total == D("900.00")
    assert [p.days_late for p in status.positions] == [
        29,
        4 if accelerates else 1,
        4 if accelerates else 0,
    ]


@pytest.mark.parametrize(
    ("due", "rules", "calendar", "paid_on", "breach_on"),
    [
        # A lump sum has no grace period: in breach the day after, even on a holiday.
        (date(2026, 10, 1), RepaymentRules(grace_days=0), CAL, None, date(2026, 10, 2)),
        (
            date(2026, 10, 1),
            RepaymentRules(grace_days=0, rest_day_due_moves=True),
            CAL,
            None,
            date(2026, 10, 9),
        ),
        # 16 Sep + 15 = 1 Oct, National Day (rest 1-7 Oct): the grace period ends 8 Oct.
        (date(2026, 9, 16), RepaymentRules(grace_days=15), CAL, None, date(2026, 10, 9)),
        (date(2026, 9, 16), RepaymentRules(grace_days=15), CAL, date(2026, 10, 8), None),
        (
            date(2026, 9, 16),
            RepaymentRules(grace_days=15),
            CAL,
            date(2026, 10, 9),
            date(2026, 10, 9),
        ),
        (
            date(2026, 9, 16),
            RepaymentRules(grace_days=15, grace_end_moves=False),
            CAL,
            None,
            date(2026, 10, 2),
        ),
        # Leap year: 14 Feb 2028 + 15 = 29 Feb 2028 (a Tuesday).
        (date(2028, 2, 14), RepaymentRules(grace_days=15), CAL, date(2028, 2, 29), None),
        (date(2028, 2, 14), RepaymentRules(grace_days=15), CAL, None, date(2028, 3, 1)),
        # Month end: 31 Jan 2027 + 28 = 28 Feb 2027, a Sunday: ends Monday 1 Mar.
        (date(2027, 1, 31), RepaymentRules(grace_days=28), CAL, None, date(2027, 3, 2)),
        # Spring Festival 2027: 22 Jan + 15 = 6 Feb, inside the rest (5-11 Feb) → 12 Feb.
        (date(2027, 1, 22), RepaymentRules(grace_days=15), SPRING_2027, None, date(2027, 2, 13)),
        (date(2027, 1, 22), RepaymentRules(grace_days=15), SPRING_2027, date(2027, 2, 12), None),
        (date(2027, 1, 22), RepaymentRules(grace_days=15), CAL, None, date(2027, 2, 9)),
    ],
)
def test_a_missed_instalment_is_a_breach_the_day_after_its_grace_period_ends(
    due: date,
    rules: RepaymentRules,
    calendar: LegalCalendar,
    paid_on: date | None,
    breach_on: date | None,
) -> None:
    plan = single(due, rules, calendar)
    payments = [pay("P", "500.00", paid_on)] if paid_on else []
    status = repayment_status(plan, payments, date(2028, 12, 31))
    assert (status.breach.on if status.breach else None) == breach_on
    if breach_on is not None:
        day_before = repayment_status(plan, payments, breach_on - timedelta(days=1))
        assert day_before.breach is None
        # With no grace period the day before the breach is the due date itself.
        late = RepaymentState.LATE if plan.grace_days else RepaymentState.ON_TRACK
        assert day_before.state is late
        on_the_day = repayment_status(plan, payments, breach_on)
        paid_that_day = RepaymentState.COMPLETED if paid_on else RepaymentState.IN_BREACH
        assert on_the_day.state is paid_that_day


def test_payments_on_the_same_day_apply_in_the_order_they_were_recorded() -> None:
    same_day = [
        pay("FIRST", "300.00", date(2026, 1, 25)),
        pay("SECOND", "100.00", date(2026, 1, 25)),
    ]
    status = repayment_status(three_months(), same_day, date(2026, 2, 1))
    assert [(a.reference, a.instalment, a.amount) for a in status.allocations] == [
        ("FIRST", 1, D("300.00")),
        ("SECOND", 1, D("33.33")),
        ("SECOND", 2, D("66.67")),
    ]


def test_a_waiver_of_a_paid_instalment_changes_nothing() -> None:
    status = repayment_status(
        three_months(), [A_FIRST], date(2026, 2, 10), waivers=[Waiver(1, date(2026, 2, 5))]
    )
    first = status.positions[0]
    assert (first.state, first.waived, first.settled_on) == (PAID, D("0.00"), date(2026, 1, 31))
    assert status.waived == Split()
    assert status.balance.total == D("666.67")


def test_a_partly_paid_waived_instalment_keeps_its_payment_and_releases_the_rest() -> None:
    status = repayment_status(
        three_months(), [A100], date(2026, 2, 10), waivers=[Waiver(1, date(2026, 2, 5))]
    )
    first = status.positions[0]
    assert (first.state, first.waived, first.outstanding) == (WAIVED, D("233.33"), D("0.00"))
    assert status.paid == Split(D("0.00"), D("50.00"), D("0.00"), D("50.00"))
    assert status.waived == Split(D("33.33"), D("150.00"), D("50.00"), D("0.00"))
    assert status.paid + status.waived + status.balance == AMOUNTS
    assert status.breach is None


def test_money_stored_beyond_the_plan_is_reported_as_credit_not_lost() -> None:
    # check_payment refuses it; stored data (a waiver entered after the payment was
    # checked) may still exceed the plan, and every fen must show somewhere.
    status = repayment_status(
        three_months(),
        [pay("ALL", "1000.00", date(2026, 1, 5))],
        date(2026, 1, 10),
        waivers=[Waiver(3, date(2026, 1, 1))],
    )
    assert status.credit == D("333.34")
    assert status.paid.total + status.credit == D("1000.00")
    assert status.state is RepaymentState.COMPLETED


@pytest.mark.parametrize(
    ("payments", "on", "next_number"),
    [
        ([], date(2026, 1, 10), 1),
        ([], date(2026, 1, 31), 1),
        ([A_FIRST], date(2026, 1, 31), 2),
        ([A100], date(2026, 2, 1), 2),  # the first is late, not next
        ([pay("A", "1000.00", date(2026, 1, 5))], date(2026, 1, 10), None),
    ],
)
def test_the_next_due_instalment_is_the_first_unsettled_one_not_yet_past_due(
    payments: list[Payment], on: date, next_number: int | None
) -> None:
    next_due = repayment_status(three_months(), payments, on).next_due
    assert (next_due.number if next_due else None) == next_number
