"""Cells of an exported table (CSV, XLSX) made safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some spreadsheets strip before reading the rest) is read as a formula: a debtor's
name or a staff member's could run one on the reader's machine (CSV/formula injection,
OWASP). Such a text is written with a leading apostrophe, which spreadsheets show as
text. Numbers stay numbers.
"""

from __future__ import annotations

from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value to write: numbers as they are, text defused, nothing as empty text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
