"""Sheets of cases and ZIPs of evidence for the bulk import's tests and bench."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from app.rules.case_sheet import COLUMNS, HEADERS

# A lawful claim (a bank loan at 12%) as the form would post it.
ROW: dict[str, str] = {
    "debtor_name": "刘强",
    "debtor_id_type": "resident_id",
    "debtor_id_number": "11010519491231002X",
    "debtor_phone": "13800138001",
    "debtor_email": "",
    "debtor_address": "",
    "contract_number": "HT-2024-001",
    "contract_date": "2024-03-01",
    "principal_lent": "50000",
    "annual_rate": "12",
    "term_months": "24",
    "outstanding_principal": "30000",
    "interest": "1500",
    "penalty": "300",
    "fees": "0",
    "overdue_since": "2025-06-01",
    "is_assignee": "no",
    "original_lender": "",
    "assignment_date": "",
    "debtor_notified": "",
    "receiving_account_name": "",
    "receiving_bank": "",
    "receiving_account_number": "",
    "evidence": "",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def row(**changes: str) -> dict[str, str]:
    return {**ROW, **changes}


def sheet_csv(
    rows: Iterable[Mapping[str, str]],
    *,
    columns: Iterable[str] = COLUMNS,
    chinese: bool = False,
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    columns = list(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([HEADERS.get(c, c) if chinese else c for c in columns])
    for values in rows:
        writer.writerow([values.get(c, "") for c in columns])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def sheet_xlsx(rows: Iterable[Mapping[str, Any]], *, chinese: bool = True) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([HEADERS[c] if chinese else c for c in COLUMNS])
    for values in rows:
        sheet.append([values.get(c, "") for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def evidence_zip(files: Mapping[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=compression)
    return out.getvalue()
