"""Payments against an agreement in force, through the use cases: recorded by the
creditor, reported by the debtor with proof, confirmed or disputed; every refusal of the
rules, idempotency by reference, and the case closing as performed at the last fen."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.cases.lifecycle import today
from app.core.storage import StorageRefused, blob_store
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.notifications import OutboundMessage
from app.models.repayments import PaymentSource, PaymentStatus, RepaymentPayment
from app.notifications.texts.repayments import PAYMENT_EVENTS
from app.repayments.common import RepaymentInvalid, RepaymentRefused, performance_of
from app.repayments.decisions import confirm_payment, dispute_payment, resolve_dispute
from app.repayments.payments import Proof, record_payment, report_payment
from app.rules.cases import CaseState
from app.rules.repayments import InstalmentState, PaymentRefused, RepaymentState
from tests.repayment_support import PDF, PNG, entry, performing_case


@pytest.fixture
def world(app: Any) -> tuple[dict[str, Any], Any, Any]:
    return performing_case()


def _count(case: Any) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RepaymentPayment)
        .where(RepaymentPayment.case_id == case.id)
    )


def _actions(case: Any) -> list[str]:
    """The case's audit events, without the contact log of the messages sent."""
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.case_id == case.id, AuditEvent.action.not_like("contact:%"))
            .order_by(AuditEvent.id)
        )
    )


def _notices(case: Any) -> list[tuple[str, bool]]:
    """(template, to the debtor?) of the case's messages, in order."""
    rows = db.session.execute(
        select(OutboundMessage.template, OutboundMessage.is_debtor)
        .where(OutboundMessage.case_id == case.id, OutboundMessage.template.in_(PAYMENT_EVENTS))
        .order_by(OutboundMessage.id)
    )
    return [(t, bool(d)) for t, d in rows]


def test_a_recorded_payment_counts_at_once_and_pays_the_oldest_instalment(world: Any) -> None:
    who, case, _ = world
    outcome = record_payment(who["creditor"], case, entry("1500.00"))
    assert not outcome.duplicate and not outcome.performed
    row = outcome.payment
    assert (row.status, row.source, row.amount) == (
        PaymentStatus.RECORDED,
        PaymentSource.CREDITOR,
        Decimal("1500.00"),
    )
    status = performance_of(case, today()).status
    assert status.paid.total == Decimal("1500.00")
    assert status.balance.total == Decimal("22500.00")
    first, second = status.positions[:2]
    assert (first.state, first.outstanding) == (InstalmentState.PAID, Decimal("0.00"))
    assert (second.state, second.outstanding) == (InstalmentState.PARTLY_PAID, Decimal("500.00"))
    assert _actions(case)[-1] == "case:payment:record"


def test_the_same_reference_and_amount_twice_is_one_payment(world: Any) -> None:
    who, case, _ = world
    first = record_payment(who["creditor"], case, entry("800.00", " TX-9 "))
    again = record_payment(who["creditor"], case, entry("800.00", "TX-9"))
    assert again.duplicate and again.payment.id == first.payment.id
    assert _count(case) == 1
    assert _actions(case).count("case:payment:record") == 1


def test_a_reference_reused_for_another_amount_is_refused(world: Any) -> None:
    who, case, _ = world
    record_payment(who["creditor"], case, entry("800.00", "TX-9"))
    with pytest.raises(PaymentRefused) as err:
        record_payment(who["creditor"], case, entry("900.00", "TX-9"))
    assert (err.value.code, err.value.field) == ("payment_reference_reused", "reference")
    assert _count(case) == 1


@pytest.mark.parametrize(
    ("amount", "days", "code", "field"),
    [
        ("24000.01", 0, "payment_exceeds_balance", "amount"),
        ("0.00", 0, "payment_not_positive", "amount"),
        ("-5.00", 0, "payment_not_positive", "amount"),
        ("10.001", 0, "money_precision", "amount"),
        ("100.00", 1, "payment_in_future", "paid_on"),
    ],
)
def test_a_payment_the_rules_refuse_records_nothing(
    world: Any, amount: str, days: int, code: str, field: str
) -> None:
    who, case, _ = world
    with pytest.raises(PaymentRefused) as err:
        record_payment(who["creditor"], case, entry(amount, paid_on=today() + timedelta(days=days)))
    assert (err.value.code, err.value.field) == (code, field)
    assert code in PaymentRefused.messages  # the feature gives every code its words
    assert _count(case) == 0 and "case:payment:record" not in _actions(case)


def test_a_blank_reference_is_refused(world: Any) -> None:
    who, case, _ = world
    with pytest.raises(PaymentRefused) as err:
        record_payment(who["creditor"], case, entry(reference="   "))
    assert err.value.code == "payment_reference"


def test_no_payment_on_a_case_that_is_not_in_performance(world: Any) -> None:
    who, case, _ = world
    case.state = CaseState.CONFIRMATION_REJECTED
    db.session.commit()
    with pytest.raises(RepaymentRefused) as err:
        record_payment(who["creditor"], case, entry())
    assert err.value.code == "not_in_performance"
    assert _count(case) == 0


def test_paying_the_last_fen_closes_the_case_as_performed(app: Any) -> None:
    who, case, _ = performing_case(count=2)
    case.next_deadline = today()  # as if the 30-day window to apply to the court ran
    record_payment(who["creditor"], case, entry("12000.00", "A"))
    assert case.state == CaseState.IN_FORCE and case.next_deadline is not None
    outcome = record_payment(who["creditor"], case, entry("12000.00", "B"))
    assert outcome.performed and case.state == CaseState.PERFORMED
    assert case.next_deadline is None  # nothing is pending on a closed case
    assert performance_of(case, today()).status.state is RepaymentState.COMPLETED
    # The settlement certificate is issued by the worker once the closing commit is done.
    assert _actions(case)[-3:] == [
        "case:payment:record",
        "case:performed",
        "case:certificate:issue",
    ]
    assert ("case_performed", True) in _notices(case)  # the debtor, and the staff
    assert ("case_performed", False) in _notices(case)
    with pytest.raises(RepaymentRefused):
        record_payment(who["creditor"], case, entry("1.00", "C"))


def test_a_reported_payment_keeps_its_proof_and_counts_only_once_confirmed(world: Any) -> None:
    who, case, _ = world
    outcome = report_payment(
        who["debtor"], case, entry("1000.00", "BANK-1"), Proof(io.BytesIO(PNG), "回单.png")
    )
    row = outcome.payment
    assert (row.status, row.source) == (PaymentStatus.REPORTED, PaymentSource.DEBTOR)
    assert (row.proof_media_type, row.proof_name) == ("image/png", "回单.png")
    assert blob_store().verify(row.proof_sha256)
    assert performance_of(case, today()).status.paid.total == 0

    confirm_payment(who["creditor"], case, row.id)
    assert row.status == PaymentStatus.CONFIRMED and row.decided_by_id == who["creditor"].id
    assert performance_of(case, today()).status.paid.total == Decimal("1000.00")
    assert _actions(case)[-2:] == ["case:payment:report", "case:payment:confirm"]
    # The creditor was told of the report; the debtor of the confirmation.
    notices = _notices(case)
    assert ("payment_reported", False) in notices and ("payment_confirmed", True) in notices


def test_a_payment_is_decided_once(world: Any) -> None:
    who, case, _ = world
    row = report_payment(who["debtor"], case, entry(), Proof(io.BytesIO(PDF), "r.pdf")).payment
    confirm_payment(who["creditor"], case, row.id)
    with pytest.raises(RepaymentRefused) as err:
        confirm_payment(who["creditor"], case, row.id)
    assert err.value.code == "already_decided"
    with pytest.raises(RepaymentRefused):
        dispute_payment(who["creditor"], case, row.id, "没有收到")
    assert _actions(case).count("case:payment:confirm") == 1


def test_a_disputed_payment_does_not_count_and_says_why(world: Any) -> None:
    who, case, _ = world
    row = report_payment(who["debtor"], case, entry(), Proof(io.BytesIO(PDF), "r.pdf")).payment
    with pytest.raises(RepaymentInvalid) as err:
        dispute_payment(who["creditor"], case, row.id, "  ")
    assert err.value.field == "reason"
    dispute_payment(who["creditor"], case, row.id, "账户未收到该笔款项")
    assert (row.status, row.dispute_reason) == (PaymentStatus.DISPUTED, "账户未收到该笔款项")
    assert performance_of(case, today()).status.paid.total == 0
    assert _actions(case)[-1] == "case:payment:dispute"
    assert ("payment_disputed", True) in _notices(case)


def test_a_proof_that_is_not_an_image_or_pdf_is_refused(world: Any) -> None:
    who, case, _ = world
    with pytest.raises(StorageRefused) as err:
        report_payment(
            who["debtor"], case, entry(), Proof(io.BytesIO(b"<html>fake</html>"), "r.pdf")
        )
    assert err.value.code == "file_type"
    with pytest.raises(RepaymentInvalid) as missing:
        report_payment(who["debtor"], case, entry(), None)
    assert missing.value.code == "proof_required"
    assert _count(case) == 0


def test_confirming_checks_the_balance_again(world: Any) -> None:
    who, case, _ = world
    row = report_payment(
        who["debtor"], case, entry("20000.00", "BIG"), Proof(io.BytesIO(PDF), "r.pdf")
    ).payment
    record_payment(who["creditor"], case, entry("10000.00", "OWN"))
    with pytest.raises(PaymentRefused) as err:
        confirm_payment(who["creditor"], case, row.id)
    assert err.value.code == "payment_exceeds_balance"
    db.session.refresh(row)
    assert row.status == PaymentStatus.REPORTED


def test_a_payment_of_another_case_is_not_found(world: Any) -> None:
    who, case, _ = world
    _, other, _ = performing_case()
    row = report_payment(other.debtor_user, other, entry(), Proof(io.BytesIO(PDF), "r.pdf")).payment
    with pytest.raises(RepaymentRefused) as err:
        confirm_payment(who["creditor"], case, row.id)
    assert err.value.code == "not_a_payment"
    assert row.status == PaymentStatus.REPORTED


def test_a_payment_dated_before_the_agreement_took_effect_is_refused(world: Any) -> None:
    who, case, agreement = world
    before = today() - timedelta(days=3)  # the agreement took effect two days ago
    with pytest.raises(RepaymentInvalid) as err:
        record_payment(who["creditor"], case, entry(paid_on=before))
    assert (err.value.code, err.value.field) == ("paid_before_agreement", "paid_on")
    record_payment(who["creditor"], case, entry(paid_on=today() - timedelta(days=2)))
    assert _count(case) == 1


def _disputed(who: dict[str, Any], case: Any, amount: str = "1000.00") -> Any:
    row = report_payment(
        who["debtor"], case, entry(amount, "D-1"), Proof(io.BytesIO(PDF), "r.pdf")
    ).payment
    dispute_payment(who["creditor"], case, row.id, "未到账")
    return row


def test_the_mediator_finds_a_disputed_payment_received_and_it_counts(world: Any) -> None:
    who, case, _ = world
    row = _disputed(who, case)
    resolve_dispute(who["mediator"], case, row.id, True, "银行流水显示已到账")
    assert (row.status, row.resolved_by_id) == (PaymentStatus.CONFIRMED, who["mediator"].id)
    assert performance_of(case, today()).status.paid.total == Decimal("1000.00")
    assert _actions(case)[-1] == "case:payment:resolve"
    assert ("payment_resolved_received", True) in _notices(case)


def test_the_mediator_finds_a_disputed_payment_not_received_and_it_never_counts(
    world: Any,
) -> None:
    who, case, _ = world
    row = _disputed(who, case)
    resolve_dispute(who["mediator"], case, row.id, False, "回单系伪造")
    assert row.status == PaymentStatus.REJECTED
    assert performance_of(case, today()).status.paid.total == 0
    with pytest.raises(RepaymentRefused) as err:
        resolve_dispute(who["mediator"], case, row.id, True, "再次处理")
    assert err.value.code == "not_disputed"


def test_only_a_disputed_payment_with_a_note_is_resolved(world: Any) -> None:
    who, case, _ = world
    reported = report_payment(
        who["debtor"], case, entry("10.00", "R-9"), Proof(io.BytesIO(PDF), "r.pdf")
    ).payment
    with pytest.raises(RepaymentRefused):
        resolve_dispute(who["mediator"], case, reported.id, True, "已到账")
    row = _disputed(who, case)
    with pytest.raises(RepaymentInvalid) as err:
        resolve_dispute(who["mediator"], case, row.id, True, " ")
    assert err.value.field == "note"
    assert row.status == PaymentStatus.DISPUTED
