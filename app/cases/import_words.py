"""A bulk import's words: why a sheet, its ZIP or one of its rows is refused (both
languages, via lazy gettext strings keyed by code)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.rules.case_sheet import RowRefused, SheetRefused

SheetRefused.messages.update(
    {
        "sheet_required": _l("Choose the CSV or XLSX file of cases to import."),
        "sheet_not_text": _l(
            "This file is neither an XLSX workbook nor a CSV file in UTF-8 or GBK. Save it "
            "from your spreadsheet as XLSX or CSV and upload it again."
        ),
        "sheet_malformed": _l(
            "This file cannot be read (for example, a quotation mark is not closed, or the "
            "workbook is damaged)."
        ),
        "sheet_columns_missing": _l(
            "These required columns are missing: %(columns)s. Download the template."
        ),
        "sheet_columns_unknown": _l(
            "These columns are unknown: %(columns)s. Use the column names of the template "
            "(English or Chinese)."
        ),
        "sheet_columns_repeated": _l("These columns appear more than once: %(columns)s."),
        "sheet_empty": _l("The file has no case rows below its header."),
        "sheet_too_many_rows": _l(
            "The file has more than %(max)s case rows: split it into smaller files."
        ),
        "sheet_too_large": _l("The file is larger than the limit of %(mb)s MB."),
        "zip_not_zip": _l("The evidence file is not a ZIP archive."),
        "zip_too_large": _l("The ZIP archive is larger than the limit of %(mb)s MB."),
        "zip_too_many_files": _l("The ZIP archive holds more than %(max)s files."),
        "zip_too_large_unpacked": _l(
            "Unpacked, this archive would exceed %(mb)s MB (or it is compressed beyond "
            "what a real document allows). It was not opened."
        ),
        "import_not_creditor": _l("Only a creditor organisation's users can import cases."),
    }
)
RowRefused.messages.update(
    {
        "row_extra_cells": _l("This row has more cells than the header names."),
        "row_repeated": _l(
            "This contract number is repeated in the file (first on line %(line)s)."
        ),
        "already_imported": _l("Already imported (case %(case)s)."),
        "evidence_no_zip": _l("The row names evidence files, but no ZIP archive was uploaded."),
        "evidence_not_in_zip": _l("The ZIP archive has no file named %(name)s."),
        "evidence_name_unsafe": _l(
            "The file %(name)s was refused: its path leaves the archive's folder."
        ),
        "evidence_encrypted": _l("The file %(name)s is encrypted and cannot be read."),
        "evidence_too_large": _l("The file %(name)s is larger than the evidence limit."),
        "evidence_ratio": _l(
            "The file %(name)s was refused: it is compressed beyond what a real document allows."
        ),
        "evidence_budget": _l(
            "The file %(name)s was not read: the archive's files together exceed the limit."
        ),
        "evidence_ambiguous": _l(
            "Several files in the ZIP archive are named %(name)s: give its folder too."
        ),
        "evidence_type": _l("The file %(name)s: %(reason)s"),
    }
)
