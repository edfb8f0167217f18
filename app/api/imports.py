"""``/api/v1/imports``: a creditor organisation's bulk imports of cases over the API, the
same jobs as its import page (:mod:`app.cases.views.imports`): the upload is accepted by
:func:`app.cases.imports.start_import` (the sheet checked whole, both files stored, the
worker asked), the job read by :func:`app.cases.imports.job_status` (the figures the
page's progress bar polls), its rows by :func:`app.cases.imports.import_rows`. Another
organisation's import does not exist here (404)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.views import MethodView
from flask_babel import get_locale
from marshmallow import Schema, fields, validate

from app.api import api_blueprint
from app.api.auth import current_user
from app.api.cases import cursor_id, cursor_of, load_form
from app.api.operation import BEARER, IDEMPOTENCY_KEY, MULTIPART, operation, problems
from app.api.schemas import StrictSchema
from app.cases import imports as import_service
from app.cases.presenters import mediation_orgs
from app.core.errors import InvalidInput
from app.models.case_imports import CaseImport, CaseImportOutcome, CaseImportStatus
from app.rules.case_sheet import SheetRefused

blp = api_blueprint(
    "api_imports",
    __name__,
    "Bulk imports of cases: a CSV or XLSX sheet (and a ZIP of evidence), imported by the "
    "worker row by row.",
)

# The API's status for a sheet or ZIP refused at upload (the rest are 422: a sheet that
# cannot be imported as it stands).
TOO_LARGE = {"sheet_too_large", "zip_too_large"}
WRONG_TYPE = {"sheet_not_text", "zip_not_zip"}


class ImportIn(StrictSchema):
    mediation_org_id = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "The mediation organisation the cases go to (GET "
            "/mediation-organisations); the first one when omitted."
        },
    )


class ImportOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in CaseImportStatus])
    )
    total = fields.Integer(required=True, metadata={"description": "Rows in the sheet."})
    done = fields.Integer(required=True, metadata={"description": "Rows handled so far."})
    created = fields.Integer(required=True, metadata={"description": "Cases created."})
    refused = fields.Integer(
        required=True, metadata={"description": "Rows refused or already imported."}
    )
    percent = fields.Integer(required=True)
    finished = fields.Boolean(required=True)
    error = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Why a failed import stopped (a stable code)."},
    )
    error_detail = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The same in words (Accept-Language)."},
    )
    sheet_name = fields.String(required=True)
    zip_name = fields.String(allow_none=True, required=True)
    mediation_org_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(allow_none=True, required=True)
    finished_at = fields.DateTime(allow_none=True, required=True)


class ImportPageOut(Schema):
    items = fields.List(fields.Nested(ImportOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class PageQuery(StrictSchema):
    cursor = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "next_cursor of the previous page."},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class ImportRowOut(Schema):
    line = fields.Integer(required=True, metadata={"description": "The sheet's line (1: header)."})
    contract_number = fields.String(required=True)
    debtor_name = fields.String(required=True)
    outcome = fields.String(
        required=True, validate=validate.OneOf([o.value for o in CaseImportOutcome])
    )
    code = fields.String(allow_none=True, required=True)
    field = fields.String(allow_none=True, required=True)
    reason = fields.String(required=True, metadata={"description": "In Accept-Language."})
    case_id = fields.Integer(allow_none=True, required=True)
    case_reference = fields.String(allow_none=True, required=True)


class ImportRowPageOut(Schema):
    items = fields.List(fields.Nested(ImportRowOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


def import_out(job: CaseImport, figures: dict[str, Any] | None = None) -> dict[str, Any]:
    """The job resource: :func:`~app.cases.imports.job_status`'s figures and the files."""
    return (figures or import_service.status_of(job)) | {
        "error_detail": import_service.failure_words(job.error),
        "sheet_name": job.sheet_name,
        "zip_name": job.zip_name,
        "mediation_org_id": job.mediation_org_id,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _english() -> bool:
    return str(get_locale() or "").startswith("en")


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sheet"],
                "properties": {
                    "sheet": {
                        "type": "string",
                        "format": "binary",
                        "description": "The cases: CSV (UTF-8 or GBK) or XLSX, the columns "
                        "of the template (/cases/imports/template.csv).",
                    },
                    "evidence": {
                        "type": "string",
                        "format": "binary",
                        "description": "A ZIP of the evidence files the rows name.",
                    },
                    "mediation_org_id": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 2**31 - 1,
                    },
                },
            }
        }
    },
}


@blp.route("/imports", endpoint="Imports")
class Imports(MethodView):
    @blp.doc(security=BEARER, summary="The organisation's imports, newest first")
    @problems(blp, (400, 422))
    @operation("cases:read")
    @blp.arguments(PageQuery, location="query", as_kwargs=True)
    @blp.response(200, ImportPageOut)
    def get(self, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        before = cursor_id(cursor) if cursor else None
        jobs = import_service.recent_imports(current_user(), limit + 1, before)
        page = jobs[:limit]
        return {
            "items": [import_out(j) for j in page],
            "next_cursor": cursor_of(page[-1].id) if len(jobs) > limit and page else None,
        }

    @blp.doc(
        security=BEARER,
        summary="Import a sheet of cases (and a ZIP of their evidence)",
        parameters=[IDEMPOTENCY_KEY],
        description="multipart/form-data: `sheet` (CSV or XLSX), optionally `evidence` (ZIP) "
        "and `mediation_org_id`. The sheet is checked whole first (its columns, encoding and "
        "number of rows: 422 with the reason; 415 for a file that is not a sheet or not a "
        "ZIP; 413 over IMPORT_MAX_SHEET_MB or IMPORT_MAX_ZIP_MB); then 202 and the worker "
        "imports the rows: follow the job at `Location`, each row's outcome at its `/rows`.",
        requestBody=_UPLOAD_BODY,
    )
    @problems(blp, (400, 409, 413, 415, 422))
    @operation("cases:write", body=MULTIPART, idempotent=True)
    @blp.response(202, ImportOut, headers={"Location": {"schema": {"type": "string"}}})
    def post(self) -> tuple[dict[str, Any], int, dict[str, str]]:
        form = load_form(ImportIn(), {k: v for k, v in request.form.items()})
        sheet = request.files.get("sheet")
        if sheet is None or not sheet.filename:
            raise InvalidInput("required", "sheet", status=422)
        archive = request.files.get("evidence")
        has_zip = archive is not None and bool(archive.filename)
        orgs = [o.id for o in mediation_orgs()]
        org_id = form.get("mediation_org_id") or (orgs[0] if orgs else None)
        try:
            job = import_service.start_import(
                current_user(),
                sheet.stream,
                sheet.filename or "",
                org_id,
                archive.stream if has_zip and archive is not None else None,
                archive.filename if has_zip and archive is not None else None,
            )
        except SheetRefused as err:
            if err.status < 500 and err.status != 403:
                err.status = (  # type: ignore[misc]
                    413 if err.code in TOO_LARGE else 415 if err.code in WRONG_TYPE else 422
                )
                err.field = err.field or ("evidence" if err.code.startswith("zip_") else "sheet")
            raise
        except InvalidInput as err:  # the mediation organisation
            err.status = 422  # type: ignore[misc]
            raise
        location = url_for("api_imports.Import", import_id=job.id)
        return import_out(job), 202, {"Location": location}


@blp.route("/imports/<int:import_id>", endpoint="Import")
class ImportResource(MethodView):
    @blp.doc(
        security=BEARER,
        summary="An import: where it stands (the figures its page's progress bar shows)",
    )
    @problems(blp, (404,))
    @operation("cases:read")
    @blp.response(200, ImportOut)
    def get(self, import_id: int) -> dict[str, Any]:
        figures = import_service.job_status(current_user(), import_id)
        return import_out(import_service.load_import(current_user(), import_id), figures)


@blp.route("/imports/<int:import_id>/rows", endpoint="ImportRows")
class ImportRows(MethodView):
    @blp.doc(security=BEARER, summary="Each row's outcome in the sheet's order, with reasons")
    @problems(blp, (400, 404, 422))
    @operation("cases:read")
    @blp.arguments(PageQuery, location="query", as_kwargs=True)
    @blp.response(200, ImportRowPageOut)
    def get(self, import_id: int, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        job = import_service.load_import(current_user(), import_id)
        after = cursor_id(cursor) if cursor else 0
        rows = list(import_service.import_rows(job, limit + 1, after_line=after))
        page = rows[:limit]
        english = _english()
        return {
            "items": [
                {
                    "line": row.line,
                    "contract_number": row.contract_number,
                    "debtor_name": row.debtor_name,
                    "outcome": row.outcome.value,
                    "code": row.code,
                    "field": row.field,
                    "reason": row.reason_en if english else row.reason_zh,
                    "case_id": row.case_id,
                    "case_reference": reference or None,
                }
                for row, reference in page
            ],
            "next_cursor": cursor_of(page[-1][0].line) if len(rows) > limit and page else None,
        }


@blp.route("/imports/<int:import_id>/resume", endpoint="ResumeImport")
class ResumeImport(MethodView):
    @blp.doc(
        security=BEARER,
        summary="Resume a stopped import",
        parameters=[IDEMPOTENCY_KEY],
        description="A failed import (`error` says why) asked for again: the worker resumes "
        "after the last line reported; rows are idempotent by contract number. 409 when the "
        "import is not stopped.",
    )
    @problems(blp, (400, 404, 409))
    @operation("cases:write", idempotent=True)
    @blp.response(202, ImportOut, headers={"Location": {"schema": {"type": "string"}}})
    def post(self, import_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
        job = import_service.resume_import(current_user(), import_id)
        location = url_for("api_imports.Import", import_id=job.id)
        return import_out(job), 202, {"Location": location}
