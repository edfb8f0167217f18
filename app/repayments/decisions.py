"""The creditor's answer to a payment the debtor reported: confirmed (it counts from the
day it was paid) or disputed, with the reason (it does not count; the mediator takes it
up with the parties). A payment is decided once: two answers at the same instant, one
lands (the row's version moves with the first)."""

from __future__ import annotations

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.cases import Case
from app.models.repayments import PaymentStatus, RepaymentPayment
from app.models.users import User
from app.notifications.content import check_words_to_debtor
from app.repayments.common import (
    RepaymentInvalid,
    RepaymentRefused,
    as_rule,
    close_if_performed,
    counted,
    notify,
    payments_of,
    plan_of,
    require_performance,
)
from app.rules.repayments import check_payment

MAX_REASON = 300


def reported_payment(case: Case, payment_id: int) -> RepaymentPayment:
    payment = db.session.get(RepaymentPayment, payment_id)
    if payment is None or payment.case_id != case.id:
        raise RepaymentRefused("not_a_payment")
    return payment


@use_case
def confirm_payment(actor: User, case: Case, payment_id: int) -> bool:
    """Confirm a reported payment: checked again against what remains now (another payment
    may have come in meanwhile). Returns whether it completed the agreement."""
    agreement = require_performance(case)
    payment = _open(case, payment_id)
    plan = plan_of(agreement)
    today = clock.today()
    others = [row for row in payments_of(case) if row.id != payment.id]
    check = check_payment(plan, counted(others), as_rule(payment), today=today)
    payment.status = PaymentStatus.CONFIRMED
    _decided(actor, case, payment)
    audit.record(
        AuditAction.CASE_PAYMENT_CONFIRM,
        actor=actor,
        object_type="payment",
        object_id=payment.id,
        case_id=case.id,
        data={
            "amount": str(payment.amount),
            "reference": payment.reference,
            "allocations": [[a.instalment, str(a.amount)] for a in check.allocations],
        },
    )
    performed = close_if_performed(actor, case, plan, today)
    if not performed:
        notify(case, "payment_confirmed", roles={"debtor"})
    return performed


@use_case
def dispute_payment(actor: User, case: Case, payment_id: int, reason: str) -> None:
    """Dispute a reported payment (the money did not arrive, or not in full)."""
    require_performance(case)
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise RepaymentInvalid("dispute_reason", "reason")
    check_words_to_debtor(reason, case, field="reason")  # the debtor reads the creditor's reason
    payment = _open(case, payment_id)
    payment.status = PaymentStatus.DISPUTED
    payment.dispute_reason = reason
    _decided(actor, case, payment)
    audit.record(
        AuditAction.CASE_PAYMENT_DISPUTE,
        actor=actor,
        object_type="payment",
        object_id=payment.id,
        case_id=case.id,
        data={"amount": str(payment.amount), "reference": payment.reference, "reason": reason},
    )
    notify(case, "payment_disputed", roles={"debtor", "mediator"})


def _open(case: Case, payment_id: int) -> RepaymentPayment:
    payment = reported_payment(case, payment_id)
    if payment.status is not PaymentStatus.REPORTED:
        raise RepaymentRefused("already_decided")
    claim(payment)  # of two answers at once, the second stops here
    if payment.status is not PaymentStatus.REPORTED:
        raise RepaymentRefused("already_decided")
    return payment


def _decided(actor: User, case: Case, payment: RepaymentPayment) -> None:
    payment.decided_by_id = actor.id
    payment.decided_at = clock.now()
    case.last_activity_at = clock.now()


@use_case
def record_proof_download(actor: User, payment: RepaymentPayment) -> None:
    audit.record(
        AuditAction.CASE_PAYMENT_PROOF_DOWNLOAD,
        actor=actor,
        object_type="payment",
        object_id=payment.id,
        case_id=payment.case_id,
        data={"sha256": payment.proof_sha256},
    )


@use_case
def resolve_dispute(actor: User, case: Case, payment_id: int, received: bool, note: str) -> bool:
    """The mediator resolves a disputed payment after hearing both parties: received (it
    counts from the day it was paid, checked again against what remains) or not received
    (it never counts). Returns whether it completed the agreement."""
    agreement = require_performance(case)
    note = note.strip()
    if not note or len(note) > MAX_REASON:
        raise RepaymentInvalid("resolution_note", "note")
    check_words_to_debtor(note, case, field="note")  # the mediator's finding, read by the debtor
    payment = reported_payment(case, payment_id)
    if payment.status is not PaymentStatus.DISPUTED:
        raise RepaymentRefused("not_disputed")
    claim(payment)
    plan, today = plan_of(agreement), clock.today()
    if received:
        others = [row for row in payments_of(case) if row.id != payment.id]
        check_payment(plan, counted(others), as_rule(payment), today=today)
    payment.status = PaymentStatus.CONFIRMED if received else PaymentStatus.REJECTED
    payment.resolved_by_id, payment.resolved_at = actor.id, clock.now()
    payment.resolution_note = note
    case.last_activity_at = clock.now()
    audit.record(
        AuditAction.CASE_PAYMENT_RESOLVE,
        actor=actor,
        object_type="payment",
        object_id=payment.id,
        case_id=case.id,
        data={"received": received, "reference": payment.reference, "note": note},
    )
    performed = received and close_if_performed(actor, case, plan, today)
    if not performed:
        event = "payment_resolved_received" if received else "payment_resolved_not_received"
        notify(case, event, roles={"debtor", "creditor"})
    return performed
