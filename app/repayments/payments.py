"""Payments coming in: recorded by the creditor from its books, or reported by the debtor
with a transfer receipt for the creditor to confirm.

Either way the payment is checked against the plan (:func:`app.rules.repayments.
check_payment`): whole fen, more than zero, not after today, not more than what remains.
A reference already on the case with the same amount and date is the same payment sent
twice: nothing is added (idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.storage import blob_store, max_upload_bytes
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.repayments import (
    PaymentChannel,
    PaymentSource,
    PaymentStatus,
    RepaymentPayment,
)
from app.models.users import User
from app.repayments.common import (
    RepaymentInvalid,
    by_reference,
    close_if_performed,
    counted,
    notify,
    payments_of,
    plan_of,
    require_performance,
)
from app.rules.repayments import Payment, PaymentRefused, check_payment

MAX_NAME = 255


@dataclass(frozen=True)
class PaymentEntry:
    """A payment as typed into the form (already parsed)."""

    amount: Decimal
    paid_on: date
    channel: PaymentChannel
    reference: str


@dataclass(frozen=True)
class Proof:
    """The debtor's receipt: its bytes and the name it had on their device (data only)."""

    stream: BinaryIO
    name: str


@dataclass(frozen=True)
class Outcome:
    payment: RepaymentPayment
    duplicate: bool  # the same payment was already on record: nothing was added
    performed: bool = False  # this payment completed the agreement: the case closed


@use_case
def record_payment(actor: User, case: Case, entry: PaymentEntry) -> Outcome:
    """The creditor records money it received; it counts at once."""
    return _take(actor, case, entry, PaymentSource.CREDITOR, None)


@use_case
def report_payment(actor: User, case: Case, entry: PaymentEntry, proof: Proof | None) -> Outcome:
    """The debtor reports a payment with its receipt (PDF, JPEG or PNG by content, within
    the upload limit, stored by SHA-256 like evidence). It counts once the creditor
    confirms it."""
    if proof is None:
        raise RepaymentInvalid("proof_required", "proof")
    return _take(actor, case, entry, PaymentSource.DEBTOR, proof)


def _take(
    actor: User, case: Case, entry: PaymentEntry, source: PaymentSource, proof: Proof | None
) -> Outcome:
    agreement = require_performance(case)
    # The agreed total already accounts for what was paid before it took effect.
    if agreement.effective_at and entry.paid_on < clock.day_of(agreement.effective_at):
        raise RepaymentInvalid("paid_before_agreement", "paid_on")
    reference = entry.reference.strip()
    existing = by_reference(case, reference)
    if existing is not None:
        if existing.amount == entry.amount and existing.paid_on == entry.paid_on:
            return Outcome(existing, duplicate=True)
        raise PaymentRefused("payment_reference_reused", "reference")
    plan = plan_of(agreement)
    today = clock.today()
    payment = Payment(reference, entry.amount, entry.paid_on)
    check = check_payment(plan, counted(payments_of(case)), payment, today=today)
    row = RepaymentPayment(
        case_id=case.id,
        agreement_id=agreement.id,
        amount=entry.amount,
        paid_on=entry.paid_on,
        channel=entry.channel,
        reference=reference,
        source=source,
        status=PaymentStatus.RECORDED
        if source is PaymentSource.CREDITOR
        else PaymentStatus.REPORTED,
        recorded_by_id=actor.id,
    )
    if proof is not None:
        blob = blob_store().put(proof.stream, max_upload_bytes())
        row.proof_sha256, row.proof_media_type, row.proof_size = (
            blob.sha256,
            blob.media_type,
            blob.size,
        )
        row.proof_name = (proof.name or "receipt").strip()[:MAX_NAME]
    db.session.add(row)
    case.last_activity_at = clock.now()
    db.session.flush()
    audit.record(
        AuditAction.CASE_PAYMENT_RECORD
        if source is PaymentSource.CREDITOR
        else AuditAction.CASE_PAYMENT_REPORT,
        actor=actor,
        object_type="payment",
        object_id=row.id,
        case_id=case.id,
        data={
            "amount": str(entry.amount),
            "paid_on": entry.paid_on.isoformat(),
            "channel": entry.channel.value,
            "reference": reference,
            "proof_sha256": row.proof_sha256,
            "allocations": [[a.instalment, str(a.amount)] for a in check.allocations],
        },
    )
    performed = False
    if row.status is PaymentStatus.RECORDED:
        performed = close_if_performed(actor, case, plan, today)
        if not performed:
            notify(case, "payment_recorded", roles={"debtor"})
    else:
        notify(case, "payment_reported", roles={"creditor"})
    return Outcome(row, duplicate=False, performed=performed)
