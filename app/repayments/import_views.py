"""Statement import over the web: the creditor's page to upload a CSV of payments (with
the template and the columns explained), each import's status and per-row report (the
page refreshes itself while the worker applies a large file), and the report as CSV.
Only creditor users see these pages, and only their own organisation's imports (another
organisation's import is "not found"). The rules are :mod:`app.repayments.imports`."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Permission, requires, requires_object
from app.core import prg
from app.core.errors import DomainError
from app.extensions import db
from app.models.payment_imports import ImportStatus, PaymentImport, RowOutcome
from app.models.users import User
from app.repayments import imports
from app.repayments.import_words import refusal_message
from app.repayments.presenters import channel_choices
from app.rules.payment_statement import COLUMNS, HEADERS, MAX_ROWS, StatementRefused

bp = Blueprint("payment_imports", __name__)

# Rows shown on the page; the downloadable report has them all.
PAGE_ROWS = 500
REFRESH_SECONDS = 3


def _user() -> User:
    return current_user._get_current_object()


def _load(import_id: int) -> PaymentImport:
    upload = db.session.get(PaymentImport, import_id)
    requires_object(Permission.PAYMENT_IMPORT, upload)
    assert upload is not None
    return upload


def column_docs() -> list[dict[str, str]]:
    """Each column: its key, its Chinese name and what goes in it (in the reader's language)."""
    meaning = {
        "case_reference": _("The case reference on Concord, e.g. HZ-2026-000123."),
        "amount": _("The amount received in yuan, e.g. 1000 or 1,000.50 (at most two decimals)."),
        "paid_on": _("The day the money was paid, as YYYY-MM-DD (not after today)."),
        "channel": _(
            "bank_transfer, cash, alipay, wechat_pay or other (or the Chinese name); "
            "empty means a bank transfer."
        ),
        "reference": _(
            "The bank's reference of the payment (up to 64 characters): the same reference "
            "is never counted twice."
        ),
    }
    return [{"key": k, "zh": HEADERS[k], "meaning": meaning[k]} for k in COLUMNS]


@bp.route("/payments/imports", methods=["GET", "POST"])
@requires(Permission.PAYMENT_IMPORT)
def index() -> Response | tuple[str, int]:
    if request.method == "POST":
        upload = request.files.get("statement")
        try:
            if upload is None or not upload.filename:
                raise StatementRefused("statement_required", "statement")
            started = imports.start_import(_user(), upload.filename, upload.read())
        except DomainError as err:  # post/redirect/get; the file is chosen again
            return prg.redirect_with(request.path, err.message, status=422)
        if imports.runs_inline(started):
            imports.apply_import(started.id)
        return redirect(url_for("payment_imports.show", import_id=started.id))
    stash = prg.take()  # a refused upload: its refusal, once
    error = stash.error
    return render_template(
        "repayments/imports/index.html",
        columns=column_docs(),
        channels=channel_choices(),
        imports=[_summary(u) for u in imports.recent_imports(_user())],
        error=error,
        max_rows=f"{MAX_ROWS:,}",
    ), (422 if error else 200)


@bp.route("/payments/imports/template.csv")
@requires(Permission.PAYMENT_IMPORT)
def template() -> Response:
    """An empty statement with its header (the Chinese names) and one example line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([HEADERS[k] for k in COLUMNS])
    writer.writerow(["HZ-2026-000123", "1000.00", "2026-12-01", "bank_transfer", "B20261201001"])
    return _csv(out.getvalue(), "payments-template.csv")


@bp.route("/payments/imports/<int:import_id>")
@requires(Permission.PAYMENT_IMPORT)
def show(import_id: int) -> Response:
    upload = _load(import_id)
    rows = imports.import_rows(upload, limit=PAGE_ROWS)
    page = render_template(
        "repayments/imports/show.html",
        upload=_summary(upload),
        rows=[_row(r) for r in rows],
        more=max(0, upload.row_count - PAGE_ROWS),
        done_rows=imports.rows_done(upload),
        refresh=upload.status is not ImportStatus.DONE,
        report_url=url_for("payment_imports.report", import_id=upload.id),
    )
    response = Response(page)
    if upload.status is not ImportStatus.DONE:
        response.headers["Refresh"] = str(REFRESH_SECONDS)  # until the worker is done
    return response


@bp.route("/payments/imports/<int:import_id>/report.csv")
@requires(Permission.PAYMENT_IMPORT)
def report(import_id: int) -> Response:
    """Every row as uploaded, with its result and the reason of a refusal, in the reader's
    language (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese)."""
    upload = _load(import_id)
    imports.record_report_download(_user(), upload)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("Line"),
            *(HEADERS[k] + " / " + k for k in COLUMNS),
            _("Result"),
            _("Reason"),
        ]
    )
    for row in imports.import_rows(upload):
        shown = _row(row)
        writer.writerow(
            [
                row.line,
                row.case_reference,
                row.amount,
                row.paid_on,
                row.channel,
                row.reference,
                shown["result"],
                shown["reason"],
            ]
        )
    return _csv(out.getvalue(), f"payments-import-{upload.id}-report.csv")


def _csv(text: str, name: str) -> Response:
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _result_labels() -> dict[RowOutcome, str]:
    return {
        RowOutcome.PENDING: _("Waiting"),
        RowOutcome.APPLIED: _("Applied"),
        RowOutcome.DUPLICATE: _("Already recorded"),
        RowOutcome.REFUSED: _("Not applied"),
    }


def _status_labels() -> dict[ImportStatus, str]:
    return {
        ImportStatus.QUEUED: _("Waiting to start"),
        ImportStatus.RUNNING: _("Being applied"),
        ImportStatus.DONE: _("Done"),
    }


def _summary(upload: PaymentImport) -> dict[str, Any]:
    return {
        "id": upload.id,
        "url": url_for("payment_imports.show", import_id=upload.id),
        "file_name": upload.file_name,
        "created_at": upload.created_at,
        "uploaded_by": upload.uploaded_by.name,
        "status": _status_labels()[upload.status],
        "done": upload.status is ImportStatus.DONE,
        "rows": upload.row_count,
        "applied": upload.applied,
        "duplicates": upload.duplicates,
        "refused": upload.refused,
    }


def _row(row: Any) -> dict[str, Any]:
    return {
        "line": row.line,
        "case_reference": row.case_reference,
        "amount": row.amount,
        "paid_on": row.paid_on,
        "channel": row.channel,
        "reference": row.reference,
        "outcome": row.outcome.value,
        "result": _result_labels()[row.outcome],
        "reason": refusal_message(row.code) if row.outcome is RowOutcome.REFUSED else "",
    }
