"""The running account behind :func:`app.rules.repayments.repayment_status`: the values
it reports (payments, waivers, allocations, the breach, each instalment's position) and
the ledger that applies payments and waivers in date order. Import the public API from
:mod:`app.rules.repayments`; :class:`Ledger` is its helper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from app.rules.repayment_plan import ZERO, PlannedInstalment, RepaymentPlan, Split, fill


@dataclass(frozen=True)
class Payment:
    """Money received: ``reference`` is the bank's or the creditor's unique reference."""

    reference: str
    amount: Decimal
    paid_on: date


@dataclass(frozen=True)
class Waiver:
    """The creditor releases what is unpaid of one instalment from ``waived_on``."""

    instalment: int
    waived_on: date


class InstalmentState(StrEnum):
    UPCOMING = "upcoming"  # not yet due, nothing paid
    DUE = "due"  # due on the day, nothing paid yet
    PARTLY_PAID = "partly_paid"  # something paid, not yet past due
    PAID = "paid"
    LATE = "late"  # past due and not paid in full
    WAIVED = "waived"  # the unpaid rest released by the creditor


@dataclass(frozen=True)
class Allocation:
    """Part of one payment applied to one instalment, split into the parts of the debt."""

    reference: str
    paid_on: date
    instalment: int
    amount: Decimal
    split: Split


@dataclass(frozen=True)
class Breach:
    """The agreement is in breach from ``on`` (the day after ``instalment``'s grace
    period ended unpaid); ``accelerated``: the whole unpaid balance fell due that day."""

    on: date
    instalment: int
    accelerated: bool
    calendar_certain: bool


@dataclass(frozen=True)
class InstalmentPosition:
    """One instalment on a day. ``due`` is the date it falls due, the breach date when
    acceleration brought it forward; ``settled_on`` the day it was paid in full (or
    waived)."""

    instalment: PlannedInstalment
    state: InstalmentState
    due: date
    paid: Split
    outstanding: Decimal
    waived: Decimal
    settled_on: date | None
    days_late: int

    @property
    def number(self) -> int:
        return self.instalment.number


class Ledger:
    """Running totals per instalment while the events are applied in date order."""

    def __init__(self, plan: RepaymentPlan) -> None:
        self.plan = plan
        self.paid = {row.number: ZERO for row in plan.instalments}
        self.settled_on: dict[int, date] = {}
        self.waived_on: dict[int, date] = {}
        self.allocations: list[Allocation] = []
        self.credit = ZERO

    def outstanding(self, row: PlannedInstalment) -> Decimal:
        if row.number in self.waived_on:
            return ZERO
        return row.amount - self.paid[row.number]

    def apply(self, event: Payment | Waiver) -> None:
        if isinstance(event, Waiver):
            row = self.plan.instalment(event.instalment)
            if self.outstanding(row):
                self.waived_on[row.number] = event.waived_on
                self.settled_on[row.number] = event.waived_on
            return
        left = event.amount
        for row in self.plan.in_payment_order():
            take = min(left, self.outstanding(row))
            if take > 0:
                self._pay(row, take, event)
                left -= take
        self.credit += left

    def _pay(self, row: PlannedInstalment, take: Decimal, payment: Payment) -> None:
        order = self.plan.allocation_order
        before = self.paid[row.number]
        split = fill(row.split, before + take, order) - fill(row.split, before, order)
        self.paid[row.number] = before + take
        if self.paid[row.number] == row.amount:
            self.settled_on[row.number] = payment.paid_on
        self.allocations.append(
            Allocation(payment.reference, payment.paid_on, row.number, take, split)
        )

    def waived_split(self, row: PlannedInstalment) -> Split:
        if row.number not in self.waived_on:
            return Split()
        paid = fill(row.split, self.paid[row.number], self.plan.allocation_order)
        return row.split - paid

    def breach(self, on: date) -> Breach | None:
        """The first instalment not settled by the end of its grace period, if the day
        after that has come (the grace period's last day is still in time)."""
        for row in sorted(self.plan.instalments, key=lambda r: (r.grace_ends, r.number)):
            settled = self.settled_on.get(row.number)
            if settled is not None and settled <= row.grace_ends:
                continue
            starts = row.grace_ends + timedelta(days=1)
            if starts > on:
                return None
            return Breach(starts, row.number, self.plan.accelerates, row.dates_certain)
        return None

    def position(
        self, row: PlannedInstalment, on: date, breach: Breach | None
    ) -> InstalmentPosition:
        paid = self.paid[row.number]
        outstanding = self.outstanding(row)
        due = row.due
        if breach is not None and breach.accelerated and outstanding and breach.on < due:
            due = breach.on  # the rest falls due at once on the breach date
        return InstalmentPosition(
            instalment=row,
            state=_instalment_state(row, paid, outstanding, due, on, self.waived_on),
            due=due,
            paid=fill(row.split, paid, self.plan.allocation_order),
            outstanding=outstanding,
            waived=row.amount - paid if row.number in self.waived_on else ZERO,
            settled_on=self.settled_on.get(row.number),
            days_late=max((on - due).days, 0) if outstanding else 0,
        )


def _instalment_state(
    row: PlannedInstalment,
    paid: Decimal,
    outstanding: Decimal,
    due: date,
    on: date,
    waived_on: dict[int, date],
) -> InstalmentState:
    if row.number in waived_on:
        return InstalmentState.WAIVED
    if not outstanding:
        return InstalmentState.PAID
    if on > due:
        return InstalmentState.LATE
    if paid:
        return InstalmentState.PARTLY_PAID
    return InstalmentState.DUE if on == due else InstalmentState.UPCOMING


def check_date(value: date) -> None:
    # A datetime is a date subclass; accepting one would hide a missing conversion to the
    # legal clock (Asia/Shanghai) and compare wrongly with plain dates.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError("pass a calendar date on the legal clock (Asia/Shanghai)")
