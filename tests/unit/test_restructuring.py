"""The restructured plan (民法典 Art. 543): what was paid stays as it was paid, the new
schedule covers exactly the remaining balance by part, payments made before the
supplementary agreement settle the kept rows again and later payments pay the new
schedule; a kept row is never a breach and the new schedule's default rule governs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules.deadlines import LegalCalendar
from app.rules.errors import InvalidInput
from app.rules.repayments import (
    InstalmentState,
    Payment,
    RepaymentRules,
    RepaymentState,
    Split,
    repayment_plan,
    repayment_status,
)
from app.rules.restructuring import (
    check_restructured_schedule,
    kept_rows,
    renumbered,
    restructured_plan,
    restructured_rules,
    restructuring_basis,
    superseded_rows,
)
from app.rules.schedules import Frequency, instalment_plan, lump_sum

D = Decimal
CAL = LegalCalendar()
AMOUNTS = Split(D("7000.00"), D("2000.00"), D("500.00"), D("500.00"))
RULES = RepaymentRules(grace_days=15, accelerates=True)
ON = date(2026, 3, 20)


def original():
    """10,000.00 in ten monthly instalments from 15 Jan 2026."""
    schedule = instalment_plan(
        D("10000.00"), count=10, frequency=Frequency.MONTHLY, first_due=date(2026, 1, 15)
    )
    return repayment_plan(schedule, AMOUNTS, CAL, RULES)


PAID_BEFORE = [
    Payment("A", D("1000.00"), date(2026, 1, 15)),
    Payment("B", D("1000.00"), date(2026, 2, 15)),
    Payment("C", D("333.33"), date(2026, 3, 16)),
]


def _restructure(schedule, rules=RULES):
    status = repayment_status(original(), PAID_BEFORE, ON)
    basis = restructuring_basis(status)
    check_restructured_schedule(basis, schedule)
    after = max(p.number for p in status.positions)
    plan = restructured_plan(
        kept_rows(status), renumbered(schedule, after), basis.remaining, basis.on, CAL, rules
    )
    return status, basis, plan


def _new(total: str = "7666.67", count: int = 12):
    return instalment_plan(
        D(total), count=count, frequency=Frequency.MONTHLY, first_due=date(2026, 4, 20)
    )


def test_what_was_paid_is_kept_and_the_rest_is_superseded() -> None:
    status = repayment_status(original(), PAID_BEFORE, ON)
    kept = kept_rows(status)
    assert [(row.number, row.amount) for row, _ in kept] == [
        (1, D("1000.00")),
        (2, D("1000.00")),
        (3, D("333.33")),
    ]
    assert sum((split for _, split in kept), Split()) == status.paid
    superseded = superseded_rows(status)
    assert superseded[0] == (3, date(2026, 3, 15), D("666.67"))
    assert [n for n, _, _ in superseded] == list(range(3, 11))
    assert sum((amount for _, _, amount in superseded), D(0)) == D("7666.67")


def test_the_restructured_plan_sums_to_the_fen_and_keeps_every_part() -> None:
    status, basis, plan = _restructure(_new())
    assert plan.total == AMOUNTS.total
    assert plan.totals == AMOUNTS  # nothing re-collected, nothing lost, by part
    assert sum((row.amount for row in plan.instalments), D(0)) == D("10000.00")
    assert sum((row.split for row in plan.instalments), Split()) == AMOUNTS
    new_rows = plan.instalments[3:]
    assert [row.number for row in new_rows] == list(range(11, 23))
    assert sum((row.split for row in new_rows), Split()) == basis.remaining
    assert plan.instalments[-1].balance_after == D("0.00")


def test_payments_before_the_supplement_settle_the_kept_rows_and_later_ones_the_new() -> None:
    _, _, plan = _restructure(_new())
    later = [*PAID_BEFORE, Payment("D", D("638.88"), date(2026, 4, 20))]
    status = repayment_status(plan, later, date(2026, 4, 21))
    states = {p.number: p.state for p in status.positions}
    assert [states[n] for n in (1, 2, 3)] == [InstalmentState.PAID] * 3
    assert states[11] is InstalmentState.PAID and states[12] is InstalmentState.UPCOMING
    assert status.state is RepaymentState.ON_TRACK and status.breach is None
    assert status.balance.total == D("7666.67") - D("638.88")


def test_a_kept_row_paid_late_is_no_breach_under_the_new_terms() -> None:
    late = [Payment("A", D("1000.00"), date(2026, 1, 15)), Payment("B", D("500.00"), ON)]
    old = repayment_status(original(), late, ON)
    assert old.state is RepaymentState.IN_BREACH  # instalment 2 was past its grace period
    basis = restructuring_basis(old)
    schedule = renumbered(lump_sum(basis.remaining.total, date(2026, 6, 30)), 10)
    plan = restructured_plan(kept_rows(old), schedule, basis.remaining, ON, CAL, RULES)
    now = repayment_status(plan, late, date(2026, 4, 1))
    assert now.state is RepaymentState.ON_TRACK and now.breach is None


def test_the_new_schedule_falls_into_breach_on_its_own_rule() -> None:
    _, _, plan = _restructure(_new())
    status = repayment_status(plan, PAID_BEFORE, date(2026, 5, 20))
    assert status.breach is not None
    # due 20 Apr, grace 15 days to 5 May, a Labour Day rest day: it ends on 6 May, the
    # next working day (民法典 Art. 203), so the breach is on 7 May
    assert status.breach.instalment == 11 and status.breach.on == date(2026, 5, 7)
    assert status.breach.accelerated and status.payable_now == D("7666.67")


@pytest.mark.parametrize(
    ("total", "first_due", "code"),
    [
        ("10000.00", date(2026, 4, 20), "schedule_sum"),  # would re-collect what was paid
        ("7666.66", date(2026, 4, 20), "schedule_sum"),  # one fen short
        ("7666.68", date(2026, 4, 20), "schedule_sum"),
        ("7666.67", date(2026, 3, 19), "first_due_past"),
    ],
)
def test_a_new_schedule_not_covering_exactly_the_remaining_balance_is_refused(
    total: str, first_due: date, code: str
) -> None:
    status = repayment_status(original(), PAID_BEFORE, ON)
    new = instalment_plan(D(total), count=5, frequency=Frequency.MONTHLY, first_due=first_due)
    with pytest.raises(InvalidInput) as caught:
        check_restructured_schedule(restructuring_basis(status), new)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("lump", "grace", "expected"),
    [
        (True, 15, RepaymentRules(grace_days=0, accelerates=False)),
        (False, 15, RepaymentRules(grace_days=15, accelerates=True)),
        (False, 30, RepaymentRules(grace_days=30, accelerates=True)),
    ],
)
def test_the_supplement_states_the_default_rule_of_its_new_schedule(
    lump: bool, grace: int, expected: RepaymentRules
) -> None:
    assert restructured_rules(lump, grace) == expected


def test_a_sixty_instalment_restructuring_sums_exactly() -> None:
    _, basis, plan = _restructure(_new(count=60))
    assert len(plan.instalments) == 63
    assert sum((row.amount for row in plan.instalments[3:]), D(0)) == basis.remaining.total
    assert plan.totals == AMOUNTS
