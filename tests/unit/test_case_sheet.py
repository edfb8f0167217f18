"""The sheet of cases and its ZIP as plain Python (app/rules/case_sheet.py): header names
in either language, cells as form text, evidence names, formula escaping, unsafe names."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from app.rules.case_sheet import (
    HEADERS,
    REQUIRED_COLUMNS,
    SheetRefused,
    SheetRow,
    ZipLimits,
    cell_text,
    escape_cell,
    evidence_names,
    form_values,
    read_header,
    scan_sheet,
)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("a")'])
def test_a_cell_a_spreadsheet_would_run_is_escaped(value: str) -> None:
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["HT-1", "张三", "", " =not first", 12, None])
def test_other_cells_are_written_as_they_are(value: object) -> None:
    assert escape_cell(value) == value


def test_headers_in_either_language_full_width_and_marked_required() -> None:
    header = [" 债务人姓名 * ", *REQUIRED_COLUMNS[1:], ""]
    header[header.index("term_months")] = "借款期限(月)"  # half-width brackets: the same name
    columns = read_header(header)
    assert columns[0] == "debtor_name" and columns[-1] is None
    assert "term_months" in columns
    assert read_header([HEADERS[c] for c in REQUIRED_COLUMNS]) == REQUIRED_COLUMNS
    assert read_header([c.upper() for c in REQUIRED_COLUMNS]) == REQUIRED_COLUMNS


def test_cells_become_the_forms_text() -> None:
    assert cell_text(datetime(2024, 3, 1, 0, 0)) == "2024-03-01"
    assert cell_text(date(2024, 3, 1)) == "2024-03-01"
    assert cell_text(50000.0) == "50000" and cell_text(12.5) == "12.5"
    assert cell_text(13800138000) == "13800138000" and cell_text(None) == ""
    assert cell_text(True) == "yes"
    row = SheetRow(2, {"debtor_id_type": "护照", "is_assignee": "是", "debtor_notified": "否"})
    values = form_values(row)
    assert (values["debtor_id_type"], values["is_assignee"], values["debtor_notified"]) == (
        "passport",
        "yes",
        "no",
    )


def test_evidence_names_by_either_semicolon_or_line() -> None:
    row = SheetRow(2, {"evidence": "a.pdf; b.pdf；c/d.pdf\nA.pdf;a.pdf;"})
    assert evidence_names(row) == ["a.pdf", "b.pdf", "c/d.pdf", "A.pdf"]


def test_a_spreadsheet_that_is_no_zip_is_malformed_and_binary_is_not_text() -> None:
    with pytest.raises(SheetRefused) as refused:
        scan_sheet(io.BytesIO(b"PK\x03\x04garbage"), max_rows=10, limits=ZipLimits())
    assert refused.value.code == "zip_not_zip"
    with pytest.raises(SheetRefused) as refused:
        scan_sheet(io.BytesIO(b"a,b\x00c"), max_rows=10, limits=ZipLimits())
    assert refused.value.code == "sheet_not_text"
