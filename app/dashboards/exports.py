"""A chart's numbers as a file: CSV (UTF-8 with a byte-order mark, so that spreadsheets
read the Chinese) and XLSX (openpyxl). Every text cell passes :func:`safe_cell`, so a
label that looks like a formula is written as text."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from app.rules.charts import Chart
from app.rules.exports import safe_cell

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(chart: Chart) -> list[list[object]]:
    header, rows = chart.table()
    return [[safe_cell(v) for v in header], *([safe_cell(v) for v in row] for row in rows)]


def to_csv(chart: Chart) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_rows(chart))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(chart: Chart) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = chart.key[:31]
    sheet.append([safe_cell(chart.title)])
    for row in _rows(chart):
        sheet.append(row)  # a Decimal is written as the number it is
    # Each text cell is stored as text, never as a formula (openpyxl reads a leading "="
    # as one: safe_cell already prefixed it).
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
