"""A case whose agreement is being performed, and payments to record on it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.cases.lifecycle import today
from app.models.repayments import PaymentChannel
from app.repayments.payments import PaymentEntry
from tests.confirmation_support import in_force_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% receipt\n%%EOF\n"


def performing_case(who: dict[str, Any] | None = None, *, count: int = 24, **kw: Any):
    """(people, case, agreement): 24,000 yuan in ``count`` monthly instalments, the first
    due in 30 days, the agreement in force since two days ago."""
    return in_force_case(who, count=count, **kw)


def entry(
    amount: str = "1000.00",
    reference: str = "TX-0001",
    paid_on: date | None = None,
    channel: PaymentChannel = PaymentChannel.BANK_TRANSFER,
) -> PaymentEntry:
    return PaymentEntry(Decimal(amount), paid_on or today(), channel, reference)


IMPORT_HEADER = ("case_reference", "amount", "paid_on", "channel", "reference")


def statement(*rows: tuple[str, ...], header: tuple[str, ...] = IMPORT_HEADER, bom: bool = False):
    """A statement file (CSV bytes, UTF-8) with ``header`` and ``rows``."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")
