"""Statement import through the use cases: each row matched to a case of the importing
organisation and recorded like the creditor's own payment; every refusal reason; a bad
row never stops the good ones; the same file twice records nothing twice; large files
through the worker's task."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from sqlalchemy import func, select

from app.cases.lifecycle import today
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.payment_imports import ImportStatus, PaymentImportRow, RowOutcome
from app.models.repayments import PaymentChannel, PaymentSource, PaymentStatus, RepaymentPayment
from app.models.users import Role
from app.repayments import imports
from app.repayments.common import performance_of
from app.repayments.import_words import refusal_message
from app.repayments.imports import apply_import, start_import
from app.rules.cases import CaseState
from app.rules.payment_statement import StatementRefused
from app.rules.repayments import InstalmentState
from tests.factories import make_case, make_user
from tests.repayment_support import performing_case, statement


@pytest.fixture
def world(app: Any) -> dict[str, Any]:
    who, case, _ = performing_case()
    _, foreign, _ = performing_case()  # another creditor organisation's case in performance
    negotiating = make_case(creditor=who["creditor"], state=CaseState.NEGOTIATING)
    return {"who": who, "case": case, "foreign": foreign, "negotiating": negotiating}


def _run(actor: Any, data: bytes, name: str = "statement.csv") -> Any:
    upload = start_import(actor, name, data)
    return apply_import(upload.id) or upload


def _rows(upload: Any) -> list[tuple[int, RowOutcome, str | None]]:
    return [(r.line, r.outcome, r.code) for r in imports.import_rows(upload)]


def _payments(case: Any) -> list[tuple[str, Decimal]]:
    return [
        (r.reference, r.amount)
        for r in db.session.scalars(
            select(RepaymentPayment)
            .where(RepaymentPayment.case_id == case.id)
            .order_by(RepaymentPayment.id)
        )
    ]


def _statement(w: dict[str, Any]) -> bytes:
    ref, day = w["case"].reference, today().isoformat()
    tomorrow = (today() + timedelta(days=1)).isoformat()
    return statement(
        (ref, "1000.00", day, "bank_transfer", "B-1"),  # 2 applied
        (ref, "一千", day, "", "B-2"),  # 3 wrong amount format (words, not figures)
        (ref, "-50.00", day, "", "B-3"),  # 4 negative
        (ref, "0", day, "", "B-4"),  # 5 zero
        (ref, "100.00", tomorrow, "", "B-5"),  # 6 in the future
        (ref, "999999.00", day, "", "B-6"),  # 7 more than the balance
        ("HZ-2026-999999", "100.00", day, "", "B-7"),  # 8 no such case
        (w["foreign"].reference, "100.00", day, "", "B-8"),  # 9 another organisation's
        (w["negotiating"].reference, "100.00", day, "", "B-9"),  # 10 not in performance
        (ref, "1000.00", day, "bank_transfer", "B-1"),  # 11 the same payment again
        (ref, "500.00", day, "", "B-1"),  # 12 the reference with another amount
        (ref, "100.00"),  # 13 a line with two fields
        (ref, "100.00", "2026/12/01", "", "B-13"),  # 14 a date not as YYYY-MM-DD
        (ref, "100.00", day, "paypal", "B-14"),  # 15 an unknown channel
        (ref, "100.00", day, "", ""),  # 16 no bank reference
        (ref, "1,500.50", day, "支付宝", "B-16"),  # 17 applied
    )


EXPECTED = [
    (2, RowOutcome.APPLIED, None),
    (3, RowOutcome.REFUSED, "money_format"),
    (4, RowOutcome.REFUSED, "amount_negative"),
    (5, RowOutcome.REFUSED, "money_zero"),
    (6, RowOutcome.REFUSED, "payment_in_future"),
    (7, RowOutcome.REFUSED, "payment_exceeds_balance"),
    (8, RowOutcome.REFUSED, "no_such_case"),
    (9, RowOutcome.REFUSED, "no_such_case"),
    (10, RowOutcome.REFUSED, "not_in_performance"),
    (11, RowOutcome.DUPLICATE, None),
    (12, RowOutcome.REFUSED, "payment_reference_reused"),
    (13, RowOutcome.REFUSED, "row_malformed"),
    (14, RowOutcome.REFUSED, "paid_on"),
    (15, RowOutcome.REFUSED, "channel_unknown"),
    (16, RowOutcome.REFUSED, "payment_reference"),
    (17, RowOutcome.APPLIED, None),
]


def test_good_rows_are_applied_and_every_bad_one_is_refused_with_its_reason(world: Any) -> None:
    who, case = world["who"], world["case"]
    upload = _run(who["creditor"], _statement(world))
    assert upload.status is ImportStatus.DONE
    assert _rows(upload) == EXPECTED
    assert (upload.applied, upload.duplicates, upload.refused) == (2, 1, 13)
    # Recorded exactly like the creditor's own payments, allocated oldest instalment first.
    rows = db.session.scalars(
        select(RepaymentPayment).where(RepaymentPayment.case_id == case.id)
    ).all()
    assert [(r.reference, r.amount, r.channel, r.source, r.status) for r in rows] == [
        ("B-1", Decimal("1000.00"), PaymentChannel.BANK_TRANSFER, PaymentSource.CREDITOR,
         PaymentStatus.RECORDED),
        ("B-16", Decimal("1500.50"), PaymentChannel.ALIPAY, PaymentSource.CREDITOR,
         PaymentStatus.RECORDED),
    ]  # fmt: skip
    assert {r.recorded_by_id for r in rows} == {who["creditor"].id}
    status = performance_of(case, today()).status
    assert status.paid.total == Decimal("2500.50")
    assert status.balance.total == Decimal("21499.50")
    first, second, third = status.positions[:3]
    assert (first.state, second.state) == (InstalmentState.PAID, InstalmentState.PAID)
    assert (third.state, third.outstanding) == (InstalmentState.PARTLY_PAID, Decimal("499.50"))
    # Nothing landed on the other organisation's case or the negotiating one.
    assert _payments(world["foreign"]) == [] and _payments(world["negotiating"]) == []


def test_every_refusal_has_words(app: Any) -> None:
    codes = {code for _, _, code in EXPECTED if code}
    with app.test_request_context():
        messages = {code: refusal_message(code) for code in codes}
        generic = refusal_message("no-such-code")
    assert all(message and message != generic for message in messages.values()), messages


def test_another_organisations_case_reads_exactly_like_a_missing_one(world: Any) -> None:
    upload = _run(
        world["who"]["creditor"],
        statement(
            (world["foreign"].reference, "100.00", today().isoformat(), "", "X-1"),
            ("HZ-2026-999999", "100.00", today().isoformat(), "", "X-2"),
        ),
    )
    rows = imports.import_rows(upload)
    assert {r.code for r in rows} == {"no_such_case"}
    assert rows[0].payment_id is None


def test_uploading_the_same_file_again_records_nothing_twice(world: Any) -> None:
    creditor, case = world["who"]["creditor"], world["case"]
    data = _statement(world)
    _run(creditor, data)
    payments = _payments(case)
    records = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "case:payment:record")
    )
    again = _run(creditor, data)
    assert _payments(case) == payments
    assert (again.applied, again.duplicates) == (0, 3)
    assert [o for _, o, _ in _rows(again)][0] == RowOutcome.DUPLICATE
    assert records == db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "case:payment:record")
    )


def test_a_colleague_uploading_the_same_statement_finds_it_recorded(world: Any) -> None:
    who, case = world["who"], world["case"]
    data = statement((case.reference, "1000.00", today().isoformat(), "", "C-1"))
    _run(who["creditor"], data)
    again = _run(who["creditor_colleague"], data)
    assert _rows(again) == [(2, RowOutcome.DUPLICATE, None)]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.4\n\x00binary", "statement_not_text"),
        ("案件编号,金额,付款日期,支付方式,银行流水号\n".encode("gbk"), "statement_not_text"),
        (b"case,amount\nHZ-2026-000001,1\n", "statement_header"),
        (b"case_reference,amount,paid_on,channel,reference\n", "statement_empty"),
        (b'case_reference,amount,paid_on,channel,reference\n"HZ,1,2,3,4\n', "statement_malformed"),
    ],
)
def test_a_file_that_is_no_statement_is_refused_and_nothing_is_stored(
    world: Any, data: bytes, code: str
) -> None:
    with pytest.raises(StatementRefused) as refused:
        start_import(world["who"]["creditor"], "x.csv", data)
    assert refused.value.code == code
    assert db.session.scalar(select(func.count()).select_from(PaymentImportRow)) == 0


def test_a_bom_and_the_chinese_header_are_accepted(world: Any) -> None:
    case = world["case"]
    data = statement(
        ("B-Z", "800", today().isoformat(), "现金", case.reference),
        header=("银行流水号", "金额", "付款日期", "支付方式", "案件编号"),
        bom=True,
    )
    upload = _run(world["who"]["creditor"], data)
    assert _rows(upload) == [(2, RowOutcome.APPLIED, None)]
    assert _payments(case) == [("B-Z", Decimal("800.00"))]


def test_a_large_file_goes_to_the_worker_and_resumes_where_it_stopped(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    creditor, case = world["who"]["creditor"], world["case"]
    monkeypatch.setattr(imports, "INLINE_ROWS", 1)
    day = today().isoformat()
    data = statement(*[(case.reference, "10.00", day, "", f"W-{n}") for n in range(5)])
    with mock.patch("app.core.jobs.enqueue") as enqueue:
        upload = start_import(creditor, "big.csv", data)
    enqueue.assert_called_once_with("apply_payment_import_task", upload.id)
    assert upload.status is ImportStatus.QUEUED
    imports.apply_row(imports.import_rows(upload)[0].id)  # a worker stopped after one row
    from app.repayments.tasks import apply_payment_import_task

    apply_payment_import_task(upload.id)  # immediate in tests: runs the task inline
    db.session.refresh(upload)
    assert upload.status is ImportStatus.DONE
    assert (upload.applied, upload.refused) == (5, 0)
    assert len(_payments(case)) == 5


def test_the_worker_applies_a_large_file_after_the_upload_commits(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = world["case"]
    monkeypatch.setattr(imports, "INLINE_ROWS", 1)
    day = today().isoformat()
    data = statement(*[(case.reference, "10.00", day, "", f"Q-{n}") for n in range(3)])
    upload = start_import(world["who"]["creditor"], "big.csv", data)
    db.session.refresh(upload)
    assert (upload.status, upload.applied) == (ImportStatus.DONE, 3)


def test_the_import_is_audited(world: Any) -> None:
    upload = _run(world["who"]["creditor"], _statement(world))
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.data)
        .where(AuditEvent.object_type == "payment_import", AuditEvent.object_id == str(upload.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [a for a, _ in events] == ["payment_import:start", "payment_import:finish"]
    assert events[0][1]["rows"] == 16
    assert events[1][1] == {"applied": 2, "duplicates": 1, "refused": 13}


def test_a_payment_that_completes_the_agreement_closes_the_case(app: Any) -> None:
    who, case, _ = performing_case(count=2)
    upload = _run(
        who["creditor"], statement((case.reference, "24000.00", today().isoformat(), "", "ALL"))
    )
    assert _rows(upload) == [(2, RowOutcome.APPLIED, None)]
    assert case.state == CaseState.PERFORMED


def test_a_creditor_of_no_organisation_matches_nothing(world: Any) -> None:
    mediator = make_user(Role.MEDIATOR)
    assert mediator.creditor_org_id is None
    assert not imports.recent_imports(mediator)
