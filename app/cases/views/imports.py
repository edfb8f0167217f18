"""Bulk import of cases over the web: the creditor's page to upload a sheet of cases (CSV
or XLSX, the templates and the columns explained) with a ZIP of evidence, each import's
progress (a small JSON document the page polls) and its per-row report as XLSX. Only
creditor users see these pages, and only their own organisation's imports (another
organisation's import is "not found"). The rules are :mod:`app.cases.imports`."""

from __future__ import annotations

import csv
import io
import tempfile
from typing import Any

from flask import (
    Blueprint,
    Response,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook

from app.access import Permission, requires, requires_object
from app.cases import imports
from app.cases.presenters import mediation_orgs
from app.core import prg
from app.core.db import parse_id
from app.core.errors import DomainError
from app.extensions import db
from app.models.case_imports import CaseImport, CaseImportOutcome, CaseImportStatus
from app.models.users import User
from app.rules.case_sheet import COLUMNS, HEADERS, REQUIRED_COLUMNS, SheetRefused, escape_cell

bp = Blueprint("case_imports", __name__)

# Rows shown on the page; the downloadable report has them all.
PAGE_ROWS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE = {
    "debtor_name": "张三",
    "debtor_id_type": "resident_id",
    "debtor_id_number": "11010519491231002X",
    "debtor_phone": "13800138000",
    "debtor_email": "",
    "debtor_address": "",
    "contract_number": "HT-2024-001",
    "contract_date": "2024-01-15",
    "principal_lent": "50000",
    "annual_rate": "12",
    "term_months": "12",
    "outstanding_principal": "30000",
    "interest": "1200",
    "penalty": "0",
    "fees": "0",
    "overdue_since": "2025-03-15",
    "is_assignee": "no",
    "original_lender": "",
    "assignment_date": "",
    "debtor_notified": "",
    "receiving_account_name": "",
    "receiving_bank": "",
    "receiving_account_number": "",
    "evidence": "HT-2024-001.pdf",
}


def _user() -> User:
    return current_user._get_current_object()


def _load(import_id: int) -> CaseImport:
    job = db.session.get(CaseImport, import_id)
    requires_object(Permission.CASE_IMPORT, job)
    assert job is not None
    return job


def column_docs() -> list[dict[str, Any]]:
    """Each column: its key, its Chinese name, whether a row needs it and what goes in it
    (in the reader's language)."""
    date = _("A date as YYYY-MM-DD.")
    money = _("An amount in yuan, e.g. 12000, 12,000.50 or 1.2万.")
    meaning = {
        "debtor_name": _("The debtor's full name."),
        "debtor_id_type": _(
            "resident_id, passport or other (or 居民身份证, 护照, 其他); resident_id if unsure."
        ),
        "debtor_id_number": _("The ID number: 18 characters for a resident ID."),
        "debtor_phone": _("An 11-digit mainland mobile number."),
        "debtor_email": _("The debtor's email address (optional)."),
        "debtor_address": _("The debtor's address (optional)."),
        "contract_number": _(
            "The loan contract's number: one case per contract number. A number your "
            "organisation already has a case for is reported as already imported."
        ),
        "contract_date": date,
        "principal_lent": money,
        "annual_rate": _("The contractual simple annual rate in percent, e.g. 12 or 3.85."),
        "term_months": _("The term in whole months, from 1 to 600."),
        "outstanding_principal": money,
        "interest": money + " " + _("0 if none."),
        "penalty": money + " " + _("0 if none."),
        "fees": money + " " + _("0 if none."),
        "overdue_since": date,
        "is_assignee": _(
            "yes or no (是 or 否): whether you acquired the debt from another lender."
        ),
        "original_lender": _("Assignees only: the original lender."),
        "assignment_date": _("Assignees only: the date of the assignment."),
        "debtor_notified": _("Assignees only: yes or no, whether the debtor was notified."),
        "receiving_account_name": _(
            "The account the debtor pays into (optional; all three account columns or none)."
        ),
        "receiving_bank": _("The bank and branch of that account."),
        "receiving_account_number": _("The account number, 8 to 32 digits."),
        "evidence": _(
            "The names of this row's evidence files in the ZIP archive (PDF, JPEG or PNG), "
            "separated by semicolons; optional."
        ),
    }
    return [
        {
            "key": k,
            "zh": HEADERS[k],
            "required": k in REQUIRED_COLUMNS,
            "meaning": meaning[k],
        }
        for k in COLUMNS
    ]


@bp.route("/cases/imports", methods=["GET", "POST"])
@requires(Permission.CASE_IMPORT)
def index() -> Response | tuple[str, int]:
    if request.method == "POST":
        sheet = request.files.get("sheet")
        archive = request.files.get("evidence")
        has_zip = archive is not None and bool(archive.filename)
        try:
            if sheet is None or not sheet.filename:
                raise SheetRefused("sheet_required", "sheet")
            started = imports.start_import(
                _user(),
                sheet.stream,
                sheet.filename,
                parse_id(request.form.get("mediation_org_id")),
                archive.stream if has_zip and archive is not None else None,
                archive.filename if has_zip and archive is not None else None,
            )
        except DomainError as err:  # post/redirect/get; the files are chosen again
            return prg.redirect_with(request.path, err.message, status=422)
        return redirect(url_for("case_imports.show", import_id=started.id))
    stash = prg.take()  # a refused upload: its refusal, once
    error = stash.error
    orgs = mediation_orgs()
    limits = imports.import_limits()
    return render_template(
        "cases/imports/index.html",
        columns=column_docs(),
        orgs=orgs,
        imports=[_summary(j) for j in imports.recent_imports(_user())],
        error=error,
        max_rows=f"{limits.max_rows:,}",
        sheet_mb=limits.sheet_bytes // imports.MB,
        zip_mb=limits.zip_bytes // imports.MB,
    ), (422 if error else 200)


@bp.route("/cases/imports/template.csv")
@requires(Permission.CASE_IMPORT)
def template_csv() -> Response:
    """The header (the Chinese names) and one example row, UTF-8 with a byte-order mark
    (so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([HEADERS[k] for k in COLUMNS])
    writer.writerow([EXAMPLE[k] for k in COLUMNS])
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="cases-template.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/cases/imports/template.xlsx")
@requires(Permission.CASE_IMPORT)
def template_xlsx() -> Response:
    """The same template as a workbook: every cell text (an ID number or a phone number
    stays as typed), the keys in a second sheet with what goes in each column."""
    book = Workbook()
    sheet = book.active
    sheet.title = "cases"
    sheet.append([HEADERS[k] for k in COLUMNS])
    sheet.append([EXAMPLE[k] for k in COLUMNS])
    for column in sheet.iter_cols(min_row=1, max_row=200):
        for cell in column:
            cell.number_format = "@"
    docs = book.create_sheet("columns")
    docs.append(["key", "中文列名", _("What goes in it")])
    for column in column_docs():
        docs.append([column["key"], column["zh"], escape_cell(str(column["meaning"]))])
    return _xlsx(book, "cases-template.xlsx")


@bp.route("/cases/imports/<int:import_id>")
@requires(Permission.CASE_IMPORT)
def show(import_id: int) -> str:
    job = _load(import_id)
    error = prg.take().error  # a refused resume
    finished = job.status in (CaseImportStatus.DONE, CaseImportStatus.FAILED)
    rows = [_row(*r) for r in imports.import_rows(job, limit=PAGE_ROWS)] if finished else []
    return render_template(
        "cases/imports/show.html",
        job=_summary(job),
        rows=rows,
        more=max(0, job.done - PAGE_ROWS) if finished else 0,
        finished=finished,
        status_url=url_for("case_imports.status", import_id=job.id),
        report_url=url_for("case_imports.report", import_id=job.id),
        resume_url=url_for("case_imports.resume", import_id=job.id),
        error=error,
    )


@bp.route("/cases/imports/<int:import_id>/resume", methods=["POST"])
@requires(Permission.CASE_IMPORT)
def resume(import_id: int) -> Response:
    """A stopped import asked for again: the worker resumes after the last line reported."""
    job = _load(import_id)
    try:
        imports.resume_import(_user(), job.id)
    except DomainError as err:
        return prg.redirect_with(url_for("case_imports.show", import_id=job.id), err.message)
    return redirect(url_for("case_imports.show", import_id=job.id))


@bp.route("/cases/imports/<int:import_id>/status.json")
@requires(Permission.CASE_IMPORT)
def status(import_id: int) -> Response:
    """Where the import stands (the page's progress bar polls this every second)."""
    job = _load(import_id)
    body = imports.job_status(_user(), job.id)
    body["label"] = _status_labels()[CaseImportStatus(body["status"])]
    body["error_detail"] = imports.failure_words(body["error"])
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cases/imports/<int:import_id>/report.xlsx")
@requires(Permission.CASE_IMPORT)
def report(import_id: int) -> Response:
    """Every row reported, with its result, its case and the reason of a refusal in the
    reader's language. A cell a spreadsheet would take for a formula is written as text
    (prefixed with ``'``): the report shows what was uploaded, and runs none of it."""
    job = _load(import_id)
    imports.record_report_download(_user(), job)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("report")
    sheet.append(
        [
            _("Line"),
            HEADERS["contract_number"] + " / contract_number",
            HEADERS["debtor_name"] + " / debtor_name",
            _("Result"),
            _("Case"),
            _("Reason"),
        ]
    )
    for row, reference in imports.import_rows(job):
        shown = _row(row, reference)
        sheet.append(
            [
                escape_cell(v)
                for v in (
                    row.line,
                    row.contract_number,
                    row.debtor_name,
                    shown["result"],
                    shown["case_reference"],
                    shown["reason"],
                )
            ]
        )
    return _xlsx(book, f"case-import-{job.id}-report.xlsx")


def _xlsx(book: Any, name: str) -> Response:
    """The workbook saved to a temporary file (spooled: a large report is not held in
    memory) and sent."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    response = send_file(out, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _result_labels() -> dict[CaseImportOutcome, str]:
    return {
        CaseImportOutcome.CREATED: _("Created"),
        CaseImportOutcome.ALREADY: _("Already imported"),
        CaseImportOutcome.REFUSED: _("Refused"),
    }


def _status_labels() -> dict[CaseImportStatus, str]:
    return {
        CaseImportStatus.QUEUED: _("Waiting to start"),
        CaseImportStatus.RUNNING: _("Being imported"),
        CaseImportStatus.DONE: _("Done"),
        CaseImportStatus.FAILED: _("Stopped"),
    }


def _summary(job: CaseImport) -> dict[str, Any]:
    return {
        "id": job.id,
        "url": url_for("case_imports.show", import_id=job.id),
        "sheet_name": job.sheet_name,
        "zip_name": job.zip_name,
        "created_at": job.created_at,
        "uploaded_by": job.uploaded_by.name,
        "status": _status_labels()[job.status],
        "status_code": job.status.value,
        "total": job.total,
        "done": job.done,
        "created": job.created,
        "refused": job.refused,
        "percent": 100 if not job.total else min(100, job.done * 100 // job.total),
        "failed": job.status is CaseImportStatus.FAILED,
        "error_detail": imports.failure_words(job.error),
    }


def _row(row: Any, reference: str) -> dict[str, Any]:
    english = str(get_locale() or "").startswith("en")
    return {
        "line": row.line,
        "contract_number": row.contract_number,
        "debtor_name": row.debtor_name,
        "outcome": row.outcome.value,
        "result": _result_labels()[row.outcome],
        "case_id": row.case_id,
        "case_reference": reference,
        "reason": row.reason_en if english else row.reason_zh,
    }
