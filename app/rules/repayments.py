"""Payments against a repayment plan, to the last fen: where each payment goes, what every
instalment's status is on a given day, when a missed instalment puts the agreement in
breach, and the state of the repayment as a whole.

A payment pays the instalments in the plan's payment order (oldest first unless the
agreement says otherwise), each instalment's parts in the plan's allocation order (民法典
Art. 561 unless agreed otherwise); what is left over pays the next instalments. An
instalment still unpaid after its grace period puts the agreement in breach; where the
agreement provides acceleration, the whole unpaid balance then falls due on the breach
date. A creditor's release of an instalment (民法典 Art. 575) is a :class:`Waiver`.

The plan is :mod:`app.rules.repayment_plan`; the enforcement deadline is
:mod:`app.rules.enforcement`. Import the public API from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from app.rules.errors import InvalidInput
from app.rules.repayment_plan import (
    STATUTORY_ORDER,
    ZERO,
    Item,
    PaymentOrder,
    PlannedInstalment,
    RepaymentPlan,
    RepaymentRules,
    Split,
    fill,
    plan_from_terms,
    repayment_plan,
    rules_from_terms,
)
from app.rules.schedules import require_fen

__all__ = [
    "STATUTORY_ORDER",
    "Allocation",
    "Breach",
    "InstalmentPosition",
    "InstalmentState",
    "Item",
    "Payment",
    "PaymentCheck",
    "PaymentOrder",
    "PaymentRefused",
    "PlannedInstalment",
    "RepaymentPlan",
    "RepaymentRules",
    "RepaymentState",
    "RepaymentStatus",
    "Split",
    "Waiver",
    "check_payment",
    "plan_from_terms",
    "repayment_plan",
    "repayment_status",
    "rules_from_terms",
]

MAX_REFERENCE_LENGTH = 64


class PaymentRefused(InvalidInput):
    """A payment that cannot be recorded; ``code`` says why. The words are the repayment
    feature's: it fills ``messages`` (lazy gettext strings keyed by code)."""

    messages: ClassVar[dict[str, Any]] = {}


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


class RepaymentState(StrEnum):
    ON_TRACK = "on_track"
    LATE = "late"  # an instalment missed, still within its grace period
    IN_BREACH = "in_breach"
    COMPLETED = "completed"  # nothing left to pay (paid or waived)


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


@dataclass(frozen=True)
class RepaymentStatus:
    """The repayment as of ``on``, counting the payments and waivers dated on or before it.

    ``balance`` is what remains to be paid, by part (``balance.total`` to the fen);
    ``overdue`` the unpaid amount of instalments past their due date; ``payable_now`` of
    those due on or before ``on``; ``credit`` money received beyond the whole plan (never
    from :func:`check_payment`, which refuses it)."""

    plan: RepaymentPlan
    on: date
    state: RepaymentState
    positions: tuple[InstalmentPosition, ...]
    allocations: tuple[Allocation, ...]
    paid: Split
    waived: Split
    balance: Split
    overdue: Decimal
    payable_now: Decimal
    credit: Decimal
    breach: Breach | None

    @property
    def next_due(self) -> InstalmentPosition | None:
        """The first instalment not yet due and not settled."""
        return next((p for p in self.positions if p.outstanding and p.due >= self.on), None)


@dataclass(frozen=True)
class PaymentCheck:
    """The outcome of :func:`check_payment`: a duplicate to ignore, or where it goes."""

    duplicate: bool
    allocations: tuple[Allocation, ...]


def check_payment(
    plan: RepaymentPlan,
    recorded: Sequence[Payment],
    payment: Payment,
    *,
    today: date,
    waivers: Iterable[Waiver] = (),
) -> PaymentCheck:
    """May ``payment`` be recorded after ``recorded``? Returns where it goes.

    Idempotent: a payment whose reference is already recorded with the same amount is a
    duplicate (``duplicate=True``, record nothing). Refusal codes (:class:`PaymentRefused`,
    field ``amount`` unless stated), first failure wins: ``payment_reference`` (blank or
    longer than 64 characters; field ``reference``), ``payment_reference_reused`` (the
    reference is recorded with another amount; field ``reference``), ``money_precision``
    (not a finite amount in whole fen), ``payment_not_positive`` (zero or negative),
    ``payment_in_future`` (dated after ``today``; field ``paid_on``),
    ``payment_exceeds_balance`` (more than everything that remains to be paid, waived
    instalments excluded).
    """
    _check_date(today)
    reference = payment.reference.strip()
    if not reference or len(reference) > MAX_REFERENCE_LENGTH:
        raise PaymentRefused("payment_reference", "reference")
    for earlier in recorded:
        if earlier.reference.strip() == reference:
            if earlier.amount == payment.amount:
                return PaymentCheck(duplicate=True, allocations=())
            raise PaymentRefused("payment_reference_reused", "reference")
    _check_amount(payment.amount)
    _check_date(payment.paid_on)
    if payment.paid_on > today:
        raise PaymentRefused("payment_in_future", "paid_on")
    before = repayment_status(plan, recorded, today, waivers=waivers)
    if payment.amount > before.balance.total:
        raise PaymentRefused("payment_exceeds_balance", "amount")
    after = repayment_status(plan, [*recorded, payment], today, waivers=waivers)
    mine = tuple(a for a in after.allocations if a.reference == payment.reference)
    return PaymentCheck(duplicate=False, allocations=mine)


def _check_amount(amount: Decimal) -> None:
    try:
        require_fen(amount)  # NaN and infinities included
    except InvalidInput as exc:
        raise PaymentRefused("money_precision", "amount") from exc
    if amount <= 0:
        raise PaymentRefused("payment_not_positive", "amount")


def repayment_status(
    plan: RepaymentPlan,
    payments: Iterable[Payment],
    on: date,
    *,
    waivers: Iterable[Waiver] = (),
) -> RepaymentStatus:
    """The repayment as of the end of ``on``: payments and waivers dated after it are not
    counted. Payments are applied in date order (same day: in the order given), before
    the same day's waivers. Refusal code: ``instalment_number`` (a waiver of an instalment
    the plan does not have; field ``instalment``)."""
    _check_date(on)
    ledger = _Ledger(plan)
    for _, _, _, event in sorted(_events(payments, waivers, on, plan)):
        ledger.apply(event)
    breach = ledger.breach(on)
    positions = tuple(ledger.position(row, on, breach) for row in plan.instalments)
    paid = sum((p.paid for p in positions), Split())
    waived = sum((ledger.waived_split(row) for row in plan.instalments), Split())
    return RepaymentStatus(
        plan=plan,
        on=on,
        state=_state(positions, breach),
        positions=positions,
        allocations=tuple(ledger.allocations),
        paid=paid,
        waived=waived,
        balance=plan.totals - paid - waived,
        overdue=sum((p.outstanding for p in positions if p.due < on), ZERO),
        payable_now=sum((p.outstanding for p in positions if p.due <= on), ZERO),
        credit=ledger.credit,
        breach=breach,
    )


def _events(
    payments: Iterable[Payment], waivers: Iterable[Waiver], on: date, plan: RepaymentPlan
) -> list[tuple[date, int, int, Payment | Waiver]]:
    events: list[tuple[date, int, int, Payment | Waiver]] = []
    for index, payment in enumerate(payments):
        if payment.paid_on <= on:
            events.append((payment.paid_on, 0, index, payment))
    for index, waiver in enumerate(waivers):
        plan.instalment(waiver.instalment)  # refuses an unknown number
        if waiver.waived_on <= on:
            events.append((waiver.waived_on, 1, index, waiver))
    return events


def _state(positions: Sequence[InstalmentPosition], breach: Breach | None) -> RepaymentState:
    if all(p.outstanding == 0 for p in positions):
        return RepaymentState.COMPLETED
    if breach is not None:
        return RepaymentState.IN_BREACH
    if any(p.state is InstalmentState.LATE for p in positions):
        return RepaymentState.LATE
    return RepaymentState.ON_TRACK


class _Ledger:
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


def _check_date(value: date) -> None:
    # A datetime is a date subclass; accepting one would hide a missing conversion to the
    # legal clock (Asia/Shanghai) and compare wrongly with plain dates.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError("pass a calendar date on the legal clock (Asia/Shanghai)")
