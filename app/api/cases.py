"""``/api/v1/cases``: a creditor organisation's cases, through the same use cases and
checks as its pages (:mod:`app.cases.views.cases`): a draft is read by the intake's
parser (:func:`app.cases.intake.parse_case_form`) and saved by
:func:`app.cases.lifecycle.save_draft`, submitted by ``submit_case``; evidence is stored by
:func:`app.cases.evidence.add_evidence` (content checked by its bytes, hashed, size limited
while streaming)."""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal
from typing import Any

from flask import abort, request, url_for
from flask.views import MethodView
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from app.access import Permission, can
from app.api import api_blueprint
from app.api.auth import current_user
from app.api.errors import ApiInputError
from app.api.operation import BEARER, IDEMPOTENCY_KEY, JSON, MULTIPART, operation, problems
from app.api.schemas import (
    CaseDraftIn,
    CaseListQuery,
    CaseOut,
    CasePageOut,
    EvidenceIn,
    EvidenceOut,
    MediationOrgListOut,
)
from app.cases import evidence as evidence_service
from app.cases import lifecycle as case_service
from app.cases.intake import parse_case_form
from app.cases.presenters import finding_view, mediation_orgs
from app.cases.timeline import timeline_for
from app.core.errors import InvalidInput
from app.extensions import db
from app.models.cases import Case
from app.models.evidence import PARTY_ID_CATEGORIES, EvidenceCategory, EvidenceFile
from app.rules.cases import CaseState

blp = api_blueprint("api", __name__, "Cases of the token's creditor organisation.")


def load_case(case_id: int, permission: Permission) -> Case:
    """The case, if the token's account holds ``permission`` on it (else 404): the pages'
    rule (:func:`app.access.can`), so another organisation's case does not exist here."""
    case = db.session.get(Case, case_id)
    if case is None or not can(current_user(), permission, case):
        if case is not None and can(current_user(), Permission.CASE_VIEW, case):
            # Yours, but its stage does not allow it: say so rather than "not found".
            raise case_service.CaseRuleError("wrong_state")
        abort(404)
    return case


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "state": case.state.value,
        "mediation_org_id": case.mediation_org_id,
        "debtor_name": case.debtor_name,
        "claim_total": _money(case.claim_total) or "0.00",
        "created_at": case.created_at,
        "submitted_at": case.submitted_at,
        "last_activity_at": case.last_activity_at,
    }


def case_detail(case: Case) -> dict[str, Any]:
    user = current_user()
    return case_summary(case) | {
        "debtor": {
            "name": case.debtor_name,
            "id_type": case.debtor_id_type,
            "id_masked": case.debtor_id_masked,
            "phone": case.debtor_phone,
            "email": case.debtor_email,
            "address": case.debtor_address,
        },
        "claim": {
            "contract_number": case.contract_number,
            "contract_date": case.contract_date,
            "principal_lent": _money(case.principal_lent),
            "annual_rate": _rate(case.annual_rate),
            "term_months": case.term_months,
            "outstanding_principal": _money(case.outstanding_principal),
            "interest": _money(case.interest),
            "penalty": _money(case.penalty),
            "fees": _money(case.fees),
            "total": _money(case.claim_total) or "0.00",
            "overdue_since": case.overdue_since,
            "is_assignee": bool(case.is_assignee),
            "original_lender": case.original_lender,
            "assignment_date": case.assignment_date,
            "debtor_notified": case.debtor_notified,
        },
        "claim_check": [finding_view(f) for f in case_service.claim_findings(case)],
        "timeline": [
            {"at": e.at, "action": e.action, "actor_role": e.actor_role}
            for e in timeline_for(case, user)
        ],
    }


def _form_values(data: dict[str, Any]) -> dict[str, str]:
    """The JSON body as the form would have typed it, for the intake's own parser."""
    form: dict[str, str] = {}
    for name, value in data.items():
        if isinstance(value, bool):
            form[name] = "yes" if value else "no"
        elif value is not None:
            form[name] = str(value)
    form.setdefault("debtor_id_type", "resident_id")
    return form


@blp.route("/mediation-organisations")
class MediationOrganisations(MethodView):
    @blp.doc(security=BEARER, summary="The mediation organisations a case may be sent to")
    @problems(blp, ())
    @operation("cases:read")
    @blp.response(200, MediationOrgListOut)
    def get(self) -> dict[str, Any]:
        return {"items": [{"id": o.id, "name": o.name} for o in mediation_orgs()]}


# ids are INTEGER columns: a larger number matches no row (and PostgreSQL refuses to compare)
MAX_ID = 2**31 - 1


@blp.route("/cases")
class Cases(MethodView):
    @blp.doc(security=BEARER, summary="The organisation's cases, newest first")
    @problems(blp, (400, 422))
    @operation("cases:read")
    @blp.arguments(CaseListQuery, location="query", as_kwargs=True)
    @blp.response(200, CasePageOut)
    def get(
        self,
        limit: int = 50,
        state: str | None = None,
        reference: str | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        user = current_user()
        query = select(Case).where(Case.creditor_org_id == user.creditor_org_id)
        if state:
            query = query.where(Case.state == CaseState(state))
        if reference:
            number = int(reference.rsplit("-", 1)[1])
            if number > MAX_ID:  # no case has it; PostgreSQL would refuse the comparison
                return {"items": [], "next_cursor": None}
            query = query.where(Case.id == number)
        if cursor:
            query = query.where(Case.id < cursor_id(cursor))
        cases = list(db.session.scalars(query.order_by(Case.id.desc()).limit(limit + 1)))
        if reference:  # the year is part of the reference: HZ-2025-000001 is not HZ-2026-000001
            cases = [c for c in cases if c.reference == reference]
        more = len(cases) > limit
        page = cases[:limit]
        return {
            "items": [case_summary(c) for c in page],
            "next_cursor": cursor_of(page[-1].id) if more and page else None,
        }

    @blp.doc(
        security=BEARER,
        summary="Create a draft case",
        parameters=[IDEMPOTENCY_KEY],
        description="Saved as the form's 'Save draft' saves it: what is given must be "
        "valid (each refusal names its field); submission demands the whole claim.",
    )
    @problems(blp, (400, 409, 413, 415, 422))
    @operation("cases:write", body=JSON, idempotent=True)
    @blp.arguments(CaseDraftIn)
    @blp.response(201, CaseOut, headers={"Location": {"schema": {"type": "string"}}})
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        user = current_user()
        form = _form_values(data)
        parsed = parse_case_form(form, case_service.today(), complete=False)
        orgs = [o.id for o in mediation_orgs()]
        org_id = data.get("mediation_org_id") or (orgs[0] if orgs else None)
        if org_id not in orgs:
            parsed.refuse(InvalidInput("choice", "mediation_org_id"))
        if parsed.errors:
            first = next(iter(parsed.errors.values()))
            raise InvalidInput(
                first.code,
                first.field,
                findings=[
                    {"code": e.code, "field": name, "message": e.message}
                    for name, e in parsed.errors.items()
                ],
                **first.params,
            )
        assert org_id is not None
        case = case_service.save_draft(user, parsed, org_id, None)
        return case_detail(case), 201, {"Location": url_for("api.Case", case_id=case.id)}


@blp.route("/cases/<int:case_id>", endpoint="Case")
class CaseResource(MethodView):
    @blp.doc(security=BEARER, summary="A case: its state, claim, claim check and timeline")
    @problems(blp, (404,))
    @operation("cases:read")
    @blp.response(200, CaseOut)
    def get(self, case_id: int) -> dict[str, Any]:
        return case_detail(load_case(case_id, Permission.CASE_VIEW))


@blp.route("/cases/<int:case_id>/submit", endpoint="Submit")
class Submit(MethodView):
    @blp.doc(
        security=BEARER,
        summary="Submit a draft to mediation",
        parameters=[IDEMPOTENCY_KEY],
        description="Refused (400, with the findings) while the claim check blocks it: a "
        "claim above the legal caps cannot go to mediation as it stands.",
    )
    @problems(blp, (400, 404, 409))
    @operation("cases:write", idempotent=True)
    @blp.response(200, CaseOut)
    def post(self, case_id: int) -> dict[str, Any]:
        case = load_case(case_id, Permission.CASE_SUBMIT)
        case_service.submit_case(current_user(), case)
        return case_detail(case)


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "required": ["file", "category"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "category": {
                        "type": "string",
                        "enum": [c.value for c in EvidenceCategory if c not in PARTY_ID_CATEGORIES],
                    },
                    "description": {"type": "string", "maxLength": 300},
                    "supersedes_id": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 2**31 - 1,
                        "description": "The file of this case this one corrects.",
                    },
                },
            }
        }
    },
}


@blp.route("/cases/<int:case_id>/evidence", endpoint="Evidence")
class Evidence(MethodView):
    @blp.doc(
        security=BEARER,
        summary="Upload one evidence file (PDF, JPEG or PNG)",
        parameters=[IDEMPOTENCY_KEY],
        description="multipart/form-data with the file in `file`. Checked by its bytes, "
        "not its name; stored by its SHA-256; at most MAX_UPLOAD_MB (20 MB by default).",
        requestBody=_UPLOAD_BODY,
    )
    @problems(blp, (400, 404, 409, 413, 415, 422))
    @operation("evidence:write", body=MULTIPART, idempotent=True)
    @blp.response(201, EvidenceOut)
    def post(self, case_id: int) -> tuple[dict[str, Any], int]:
        case = load_case(case_id, Permission.EVIDENCE_UPLOAD)
        form = load_form(EvidenceIn(), {k: v for k, v in request.form.items()})
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InvalidInput("required", "file")
        stored = evidence_service.add_evidence(
            current_user(),
            case,
            upload.stream,
            upload.filename,
            EvidenceCategory(form["category"]),
            form.get("description", ""),
            form.get("supersedes_id"),
        )
        return evidence_out(stored), 201


def load_form(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """A multipart form's fields by ``schema``; refused as the JSON bodies are (422)."""
    try:
        return schema.load(data)  # type: ignore[no-any-return]
    except ValidationError as err:
        messages = err.normalized_messages()
        findings = [
            {"code": "schema", "location": "form", "field": name, "messages": words}
            for name, words in messages.items()
        ]
        field = next(iter(messages), None)
        raise ApiInputError("invalid_body", field, findings=findings, status=422) from None


def evidence_out(evidence: EvidenceFile) -> dict[str, Any]:
    return {
        "id": evidence.id,
        "case_id": evidence.case_id,
        "category": evidence.category.value,
        "description": evidence.description,
        "original_name": evidence.original_name,
        "media_type": evidence.media_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "supersedes_id": evidence.supersedes_id,
        "uploaded_at": evidence.uploaded_at,
    }


_CURSOR = re.compile(r"c1:(\d{1,10})")


def cursor_of(row_id: int) -> str:
    """The opaque cursor after ``row_id`` (a list ordered by id, newest first)."""
    return base64.urlsafe_b64encode(f"c1:{row_id}".encode()).decode().rstrip("=")


def cursor_id(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiInputError("invalid_cursor", "cursor") from None
    match = _CURSOR.fullmatch(raw)
    if match is None or int(match[1]) > MAX_ID:
        raise ApiInputError("invalid_cursor", "cursor")
    return int(match[1])
