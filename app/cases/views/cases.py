"""Cases: the creditor's intake and evidence, the case page, the mediator's accept/decline,
the admin's reassignment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.access import Permission, requires, requires_object
from app.cases import evidence as evidence_service
from app.cases import lifecycle as case_service
from app.cases.forms import rows, values_from_case
from app.cases.intake import parse_case_form
from app.cases.panels import render_panels
from app.cases.presenters import case_actions, finding_view, mediation_orgs, mediators_for
from app.cases.timeline import timeline_for
from app.core.db import parse_id
from app.core.errors import DomainError, InvalidInput
from app.core.parties import evidence_category_choices, state_label
from app.core.storage import StorageRefused, blob_store
from app.extensions import db
from app.models.cases import Case
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.organisations import CreditorOrganisation
from app.models.users import User
from app.rules.claims import Finding

bp = Blueprint("cases", __name__)


def _user() -> User:
    return current_user._get_current_object()


def load_case(case_id: int, permission: Permission) -> Case:
    """The case, if the signed-in user holds ``permission`` on it (else 404)."""
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def max_upload_mb() -> int:
    return int(current_app.config["SETTINGS"].max_upload_mb)


@bp.route("/cases")
@requires(Permission.CASE_CREATE)
def index() -> str:
    cases = db.session.scalars(
        select(Case)
        .where(Case.creditor_org_id == current_user.creditor_org_id)
        .order_by(Case.last_activity_at.desc())
        .limit(200)
    )
    listing = [(c, state_label(c.state)) for c in cases]
    return render_template("cases/index.html", cases=listing)


def _render_form(
    case: Case | None,
    values: dict[str, str],
    errors: Mapping[str, DomainError],
    findings: Sequence[Finding] = (),
    status: int = 200,
) -> tuple[str, int]:
    orgs = mediation_orgs()
    return render_template(
        "cases/form.html",
        case=case,
        groups=rows(values, errors),
        orgs=orgs,
        chosen_org=values.get("mediation_org_id") or (str(orgs[0].id) if orgs else ""),
        findings=[finding_view(f) for f in findings],
        error_summary=bool(errors),
    ), status


@bp.route("/cases/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
def new() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return _render_form(None, {"debtor_id_type": "resident_id", "is_assignee": "no"}, {})
    return _save(None)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def edit(case_id: int) -> str | Response | tuple[str, int]:
    case = load_case(case_id, Permission.CASE_EDIT)
    if request.method == "GET":
        values = values_from_case(case)
        values["mediation_org_id"] = str(case.mediation_org_id)
        return _render_form(case, values, {})
    return _save(case)


def _chosen_org_id(raw: str | None) -> int | None:
    ids = {org.id for org in mediation_orgs()}
    chosen = parse_id(raw)
    return chosen if chosen in ids else None


def _save(case: Case | None) -> Response | tuple[str, int]:
    submitting = request.form.get("action") == "submit"
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    parsed = parse_case_form(form, case_service.today(), complete=submitting)
    org_id = _chosen_org_id(form.get("mediation_org_id"))
    if org_id is None:
        parsed.refuse(InvalidInput("choice", "mediation_org_id"))
    if parsed.errors:
        return _render_form(case, form, parsed.errors, status=400)
    case = case_service.save_draft(_user(), parsed, org_id, case)
    if not submitting:
        flash(_("Draft %(ref)s saved. You can finish it later.", ref=case.reference), "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return _submit(case, form)


def _submit(case: Case, form: dict[str, str]) -> Response | tuple[str, int]:
    """Submit the saved draft; refused with findings, the form again with them (the draft
    stays as typed), otherwise the case page with the reason."""
    try:
        findings = case_service.submit_case(_user(), case)
    except DomainError as err:
        flash(err.message, "error")
        if err.findings:
            return _render_form(case, form, {}, err.findings, status=err.status)
        return redirect(url_for("cases.show", case_id=case.id))
    if findings:
        flash(_("Submitted with findings to note: see the claim check below."), "info")
    else:
        flash(_("Submitted. The claim check found nothing to note."), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/cases/<int:case_id>/submit", methods=["POST"])
@requires(Permission.CASE_SUBMIT)
def submit(case_id: int) -> Response | tuple[str, int]:
    case = load_case(case_id, Permission.CASE_SUBMIT)
    return _submit(case, values_from_case(case) | {"mediation_org_id": str(case.mediation_org_id)})


@bp.route("/cases/<int:case_id>")
@requires(Permission.CASE_VIEW)
def show(case_id: int, upload_error: str | None = None, status: int = 200) -> tuple[str, int]:
    """The case page; other features' views call it to show the page again with a
    refusal (``status``), the upload form's own refusal in ``upload_error``."""
    return show_case(case_id, upload_error=upload_error, status=status)


def show_case(
    case_id: int, *, upload_error: str | None = None, status: int = 200
) -> tuple[str, int]:
    case = load_case(case_id, Permission.CASE_VIEW)
    actions = case_actions(case, _user())
    findings = case_service.claim_findings(case) if actions["see_findings"] else []
    evidence = evidence_service.evidence_of(case)
    return render_template(
        "cases/show.html",
        case=case,
        state=state_label(case.state),
        actions=actions,
        findings=[finding_view(f) for f in findings],
        evidence=evidence,
        categories=evidence_category_choices(),
        category_names=dict(evidence_category_choices()),
        timeline=timeline_for(case, _user()),
        mediators=mediators_for(case) if actions["reassign"] else [],
        creditor=db.session.get(CreditorOrganisation, case.creditor_org_id),
        upload_error=upload_error,
        max_mb=max_upload_mb(),
        panels=render_panels(case, _user()),
    ), status


@bp.route("/cases/<int:case_id>/evidence", methods=["POST"])
@requires(Permission.EVIDENCE_UPLOAD)
def upload_evidence(case_id: int) -> Response | tuple[str, int]:
    case = load_case(case_id, Permission.EVIDENCE_UPLOAD)
    upload = request.files.get("file")
    category = request.form.get("category", "")
    raw_supersedes = request.form.get("supersedes_id") or None
    supersedes = parse_id(raw_supersedes)
    try:
        if upload is None or not upload.filename:
            raise InvalidInput("required", "file")
        if category not in {c.value for c in EvidenceCategory}:
            raise InvalidInput("choice", "category")
        if raw_supersedes is not None and supersedes is None:
            raise StorageRefused("unknown_evidence", "supersedes_id")
        evidence_service.add_evidence(
            _user(),
            case,
            upload.stream,
            upload.filename or "",
            EvidenceCategory(category),
            request.form.get("description", ""),
            supersedes,
        )
    except DomainError as err:
        return show_case(case_id, upload_error=err.message, status=err.status)
    flash(_("The file was added to the case's evidence."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#evidence")


@bp.route("/cases/<int:case_id>/evidence/<int:evidence_id>")
@requires(Permission.EVIDENCE_DOWNLOAD)
def download_evidence(case_id: int, evidence_id: int) -> Response:
    case = load_case(case_id, Permission.EVIDENCE_DOWNLOAD)
    evidence = db.session.get(EvidenceFile, evidence_id)
    if evidence is None or evidence.case_id != case.id:
        abort(404)
    path = blob_store().path_for(evidence.sha256)
    evidence_service.record_download(_user(), evidence)
    # The name is only data: whatever path it pretends to carry, offer its last part.
    name = PurePosixPath(evidence.original_name.replace("\\", "/")).name or "evidence"
    return send_file(
        path, mimetype=evidence.media_type, as_attachment=True, download_name=name, max_age=0
    )


@bp.route("/cases/<int:case_id>/accept", methods=["POST"])
@requires(Permission.CASE_ACCEPT)
def accept(case_id: int) -> Response:
    case = load_case(case_id, Permission.CASE_ACCEPT)
    case_service.accept_case(_user(), case)
    flash(_("You accepted the case. The debtor has been invited."), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/cases/<int:case_id>/decline", methods=["POST"])
@requires(Permission.CASE_ACCEPT)
def decline(case_id: int) -> Response:
    case = load_case(case_id, Permission.CASE_ACCEPT)
    try:
        case_service.decline_case(_user(), case, request.form.get("reason", ""))
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("cases.show", case_id=case.id))
    flash(_("You declined the case; it went to the next mediator."), "success")
    return redirect(
        url_for("docket.index") if "docket.index" in current_app.view_functions else "/"
    )


@bp.route("/cases/<int:case_id>/reassign", methods=["POST"])
@requires(Permission.CASE_REASSIGN)
def reassign(case_id: int) -> Response:
    case = load_case(case_id, Permission.CASE_REASSIGN)
    mediator = db.session.get(User, parse_id(request.form.get("mediator_id")) or 0)
    try:
        case_service.reassign_case(_user(), case, mediator)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("cases.show", case_id=case.id))
    assert mediator is not None
    flash(_("The case was reassigned to %(name)s.", name=mediator.name), "success")
    return redirect(url_for("cases.show", case_id=case.id))
