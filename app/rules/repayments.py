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
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from app.rules.errors import InvalidInput
from app.rules.repayment_ledger import (
    Allocation,
    Breach,
    InstalmentPosition,
    InstalmentState,
    Ledger,
    Payment,
    Waiver,
    check_date,
)
from app.rules.repayment_plan import (
    STATUTORY_ORDER,
    ZERO,
    Item,
    PaymentOrder,
    PlannedInstalment,
    RepaymentPlan,
    RepaymentRules,
    Split,
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


class RepaymentState(StrEnum):
    ON_TRACK = "on_track"
    LATE = "late"  # an instalment missed, still within its grace period
    IN_BREACH = "in_breach"
    COMPLETED = "completed"  # nothing left to pay (paid or waived)


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
    check_date(today)
    reference = payment.reference.strip()
    if not reference or len(reference) > MAX_REFERENCE_LENGTH:
        raise PaymentRefused("payment_reference", "reference")
    for earlier in recorded:
        if earlier.reference.strip() == reference:
            if earlier.amount == payment.amount:
                return PaymentCheck(duplicate=True, allocations=())
            raise PaymentRefused("payment_reference_reused", "reference")
    _check_amount(payment.amount)
    check_date(payment.paid_on)
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
    check_date(on)
    ledger = Ledger(plan)
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
