"""Reading a statement of payments: the file as a whole, then each row (pure rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules.cases import CaseReference
from app.rules.payment_statement import (
    RowRefused,
    StatementRefused,
    StatementRow,
    read_row,
    read_statement,
)

HEADER = "case_reference,amount,paid_on,channel,reference\r\n"


def test_rows_are_read_with_either_header_in_any_order_with_or_without_bom() -> None:
    english = read_statement((HEADER + "HZ-2026-000001,100,2026-12-01,,B1\r\n").encode())
    chinese = read_statement(
        "\ufeff银行流水号,金额,案件编号,付款日期,支付方式\n\nB1,100,HZ-2026-000001,2026-12-01,\n".encode()
    )
    expected = StatementRow(2, "HZ-2026-000001", "100", "2026-12-01", "", "B1")
    assert english == [expected]
    assert chinese == [StatementRow(3, "HZ-2026-000001", "100", "2026-12-01", "", "B1")]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.4\n\x00\x01binary", "statement_not_text"),
        ("案件编号,金额\n".encode("gbk"), "statement_not_text"),
        (b"", "statement_empty"),
        (HEADER.encode(), "statement_empty"),
        (b"case,amount,date\nHZ-2026-000001,1,2026-12-01\n", "statement_header"),
        (HEADER.replace("channel", "reference").encode() + b"a,1,2,3,4\n", "statement_header"),
        ((HEADER + 'HZ-2026-000001,"100,2026-12-01,,B1\n').encode(), "statement_malformed"),
    ],
)
def test_a_file_that_cannot_be_a_statement_is_refused_whole(data: bytes, code: str) -> None:
    with pytest.raises(StatementRefused) as refused:
        read_statement(data)
    assert refused.value.code == code


def test_too_many_rows_are_refused() -> None:
    data = (HEADER + "HZ-2026-000001,1,2026-12-01,,B\n" * 3).encode()
    with pytest.raises(StatementRefused) as refused:
        read_statement(data, max_rows=2)
    assert refused.value.code == "statement_too_many_rows"


def test_a_line_with_the_wrong_number_of_fields_is_malformed_not_fatal() -> None:
    rows = read_statement((HEADER + "HZ-2026-000001,1\nHZ-2026-000001,1,2026-12-01,,B\n").encode())
    assert [r.malformed for r in rows] == [True, False]


def test_a_good_row_states_the_case_and_the_payment() -> None:
    row = StatementRow(2, "hz-2026-000123", "1,000.50", "2026-12-01", " Alipay ", "B1")
    paid = read_row(row)
    assert paid.case_reference == CaseReference(2026, 123)
    assert (paid.amount, paid.paid_on, paid.channel) == (
        Decimal("1000.50"),
        date(2026, 12, 1),
        "alipay",
    )


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("case_reference", "2026-000123", "no_such_case"),
        ("case_reference", "HZ-2026-12", "no_such_case"),
        ("amount", "一千", "money_format"),
        ("amount", "1e3", "money_format"),
        ("amount", "-100.00", "amount_negative"),
        ("amount", "0", "money_zero"),
        ("amount", "1.005", "money_precision"),
        ("paid_on", "2026/12/01", "paid_on"),
        ("paid_on", "2026-W48-1", "paid_on"),
        ("paid_on", "2026-02-30", "paid_on"),
    ],
)
def test_each_bad_field_refuses_the_row(field: str, value: str, code: str) -> None:
    good = {
        "case_reference": "HZ-2026-000123",
        "amount": "100",
        "paid_on": "2026-12-01",
        "channel": "",
        "reference": "B1",
    }
    with pytest.raises(RowRefused) as refused:
        read_row(StatementRow(2, **{**good, field: value}))
    assert refused.value.code == code


def test_a_malformed_row_is_refused() -> None:
    with pytest.raises(RowRefused) as refused:
        read_row(StatementRow(2, malformed=True))
    assert refused.value.code == "row_malformed"
