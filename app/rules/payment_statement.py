"""A statement of payments as an institution exports it: a CSV file, one payment a line.

The file is UTF-8 (a byte-order mark, as spreadsheet programs write it, is allowed). Its
first line names the five columns, in any order, by their English key or their Chinese
name (:data:`HEADERS`); every other non-blank line is a payment. A line with the wrong
number of fields, or a field longer than :data:`MAX_FIELD`, is a malformed row: it is
kept in the report as refused and never stops the others. The whole file is refused only
when it cannot be a statement at all (not text, no header, no row, too many rows).

Reading a row (:func:`read_row`) gives the case reference and the payment's amount and
date; whether the case exists, belongs to the importer and is in performance, and
whether the payment fits its plan, is the repayment feature's business.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from app.rules.cases import CaseReference
from app.rules.errors import InvalidInput
from app.rules.money import parse_money

COLUMNS = ("case_reference", "amount", "paid_on", "channel", "reference")
# Each column's key and its Chinese name; either may head the column.
HEADERS = {
    "case_reference": "案件编号",
    "amount": "金额",
    "paid_on": "付款日期",
    "channel": "支付方式",
    "reference": "银行流水号",
}
MAX_ROWS = 50_000
MAX_FIELD = 255
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CASE_REFERENCE = re.compile(r"HZ-(?P<year>[0-9]{4})-(?P<number>[0-9]{6,12})", re.IGNORECASE)


class StatementRefused(InvalidInput):
    """The file cannot be read as a statement; ``code`` says why. The words are the
    repayment feature's (lazy gettext strings keyed by code)."""

    messages: ClassVar[dict[str, Any]] = {}


class RowRefused(InvalidInput):
    """One row cannot be a payment; ``code`` says why (``field`` names the column)."""

    messages: ClassVar[dict[str, Any]] = {}


@dataclass(frozen=True)
class StatementRow:
    """One line of the file as written (fields trimmed); ``malformed`` when its fields do
    not fit the header."""

    line: int
    case_reference: str = ""
    amount: str = ""
    paid_on: str = ""
    channel: str = ""
    reference: str = ""
    malformed: bool = False


@dataclass(frozen=True)
class RowPayment:
    """What a well-formed row states: the case (by reference) and the payment."""

    case_reference: CaseReference
    amount: Decimal
    paid_on: date
    channel: str  # as written (lower case, trimmed); the feature knows the channels
    reference: str


def read_statement(data: bytes, *, max_rows: int = MAX_ROWS) -> list[StatementRow]:
    """The rows of a statement file, or :class:`StatementRefused` with one of the codes
    ``statement_not_text`` (not UTF-8 text: a binary file, a spreadsheet, another
    encoding), ``statement_malformed`` (the CSV cannot be parsed, e.g. an unclosed
    quote), ``statement_header`` (the first line does not name the five columns, each
    once), ``statement_empty`` (no payment line) or ``statement_too_many_rows``."""
    text = _text(data)
    try:
        lines = [(n, fields) for n, fields in _records(text) if any(f.strip() for f in fields)]
    except csv.Error:
        raise StatementRefused("statement_malformed") from None
    if not lines:
        raise StatementRefused("statement_empty")
    order = _header(lines[0][1])
    rows = [_row(n, fields, order) for n, fields in lines[1:]]
    if not rows:
        raise StatementRefused("statement_empty")
    if len(rows) > max_rows:
        raise StatementRefused("statement_too_many_rows", max=max_rows)
    return rows


def _text(data: bytes) -> str:
    if b"\x00" in data:
        raise StatementRefused("statement_not_text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StatementRefused("statement_not_text") from None
    return text.removeprefix("\ufeff")


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(line number where the record starts, fields) for every record of the file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    start = 1
    for fields in reader:
        records.append((start, fields))
        start = reader.line_num + 1
    return records


def _header(fields: list[str]) -> list[str]:
    names = {key: key for key in COLUMNS} | {zh: key for key, zh in HEADERS.items()}
    order = [names.get(f.strip().lower(), names.get(f.strip(), "")) for f in fields]
    if sorted(order) != sorted(COLUMNS):
        raise StatementRefused("statement_header")
    return order


def _row(line: int, fields: list[str], order: list[str]) -> StatementRow:
    if len(fields) != len(order) or any(len(f) > MAX_FIELD for f in fields):
        return StatementRow(line, malformed=True)
    values = {key: value.strip() for key, value in zip(order, fields, strict=True)}
    return StatementRow(line, **values)


def read_row(row: StatementRow) -> RowPayment:
    """The payment a row states, or :class:`RowRefused`: ``row_malformed``,
    ``no_such_case`` (not a case reference of the form HZ-2026-000123), ``amount_negative``,
    the amount's codes of :func:`app.rules.money.parse_money` (``money_format``,
    ``money_precision``, ``money_zero``, ``money_too_large``), ``paid_on`` (not a date as
    YYYY-MM-DD). The reference and the channel are checked by the feature."""
    if row.malformed:
        raise RowRefused("row_malformed")
    match = _CASE_REFERENCE.fullmatch(row.case_reference)
    if match is None:
        raise RowRefused("no_such_case", "case_reference")
    if row.amount.lstrip().startswith(("-", "−")):
        raise RowRefused("amount_negative", "amount")
    try:
        amount = parse_money(row.amount)
    except InvalidInput as err:
        raise RowRefused(err.code, "amount") from None
    try:
        paid_on = date.fromisoformat(row.paid_on) if _DATE.fullmatch(row.paid_on) else None
    except ValueError:
        paid_on = None
    if paid_on is None:
        raise RowRefused("paid_on", "paid_on")
    reference = CaseReference(int(match["year"]), int(match["number"]))
    return RowPayment(reference, amount, paid_on, row.channel.strip().lower(), row.reference)
