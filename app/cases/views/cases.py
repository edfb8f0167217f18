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
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from app.access import Permission, requires, requires_object
from app.cases import evidence as evidence_service
from app.cases import lifecycle as case_service
from app.cases.forms import rows, values_from_case
from app.cases.intake import parse_case_form
from app.cases.panels import render_panels
from app.cases.presenters import (
    assignment_reason,
    case_actions,
    finding_view,
    identity_copy_view,
    mediation_orgs,
    mediators_for,
    missing_badges,
    papers_view,
    rule_set_label,
)
from app.cases.timeline import timeline_for
from app.cases.views.contacts import contact_for
from app.core import prg
from app.core.db import parse_id
from app.core.errors import DomainError, InvalidInput
from app.core.parties import evidence_category_choices, evidence_category_names, state_label
from app.core.storage import StorageRefused, send_blob
from app.extensions import db
from app.models.cases import Case
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.organisations import CreditorOrganisation
from app.models.users import User
from app.notifications.told import with_truth
from app.rules.claims import Finding, Severity

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
    errors: Mapping[str, DomainError | str],
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
    ), status


@bp.route("/cases/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
def new() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        stash = prg.take()  # a refused draft: every value typed and the refusals, once
        if stash:
            return _render_form(None, _stashed(stash), stash.errors, status=stash.status)
        return _render_form(None, {"debtor_id_type": "resident_id", "is_assignee": "no"}, {})
    return _save(None)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def edit(case_id: int) -> str | Response | tuple[str, int]:
    case = load_case(case_id, Permission.CASE_EDIT)
    if request.method == "GET":
        stash = prg.take()  # a refused draft or submission: the values and refusals, once
        if stash:
            findings = []
            if stash.extra.get("findings"):  # the claim check that blocked the submission
                findings = [
                    f for f in case_service.claim_findings(case) if f.severity == Severity.BLOCK
                ]
            return _render_form(case, _stashed(stash), stash.errors, findings, stash.status)
        values = values_from_case(case)
        values["mediation_org_id"] = str(case.mediation_org_id)
        return _render_form(case, values, {})
    return _save(case)


def _stashed(stash: prg.Stash) -> dict[str, str]:
    return {name: stash.value(name) for name in stash.values}


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
        errors = {name: err.message for name, err in parsed.errors.items()}
        return prg.redirect_with(request.path, errors, status=400)
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
        if err.findings:  # the draft was saved as typed: its page shows the findings
            flash(err.message, "error")
            target = url_for("cases.edit", case_id=case.id)
            return prg.redirect_with(
                target, form=MultiDict(form), extra={"findings": True}, status=err.status
            )
        return prg.refused_to(url_for("cases.show", case_id=case.id), err.message, err.status)
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
    """The case page. A refused form on it answers with a redirect here
    (:func:`app.core.prg.redirect_with_page_state`): what was typed and the refusal come
    back on ``g`` for the section that shows them, once."""
    stash = prg.take()
    prg.restore_page_state(stash)
    upload_error = upload_error or stash.extra.get("g", {}).get("upload_error")
    return show_case(case_id, upload_error=upload_error, status=stash.status)


def show_case(
    case_id: int, *, upload_error: str | None = None, status: int = 200
) -> tuple[str, int]:
    case = load_case(case_id, Permission.CASE_VIEW)
    actions = case_actions(case, _user())
    findings = case_service.claim_findings(case) if actions["see_findings"] else []
    user = _user()
    evidence = [
        e
        for e in evidence_service.evidence_of(case)
        if not evidence_service.is_anothers_id_copy(user, case, e)
    ]
    return render_template(
        "cases/show.html",
        case=case,
        state=state_label(case.state),
        actions=actions,
        findings=[finding_view(f) for f in findings],
        rule_set=rule_set_label(case) if actions["see_findings"] else None,
        evidence=evidence,
        # The power of attorney is given with its content (the papers section, CPL Art. 62).
        categories=[c for c in evidence_category_choices() if c[0] != EvidenceCategory.ATTORNEY],
        category_names=evidence_category_names(),
        timeline=timeline_for(case, _user()),
        mediators=mediators_for(case) if actions["reassign"] else [],
        assignment_reason=assignment_reason(case, _user()),
        contact=contact_for(case, _user()),
        creditor=db.session.get(CreditorOrganisation, case.creditor_org_id),
        upload_error=upload_error,
        max_mb=max_upload_mb(),
        panels=render_panels(case, _user()),
        missing=missing_badges(case, _user()),
        papers=papers_view(case, _user(), g.get("papers_form")),
        identity_copy=identity_copy_view(case, _user(), g.get("identity_form")),
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
        target = url_for("cases.show", case_id=case.id) + "#evidence"
        return prg.redirect_with_page_state(target, err.status, upload_error=err.message)
    flash(_("The file was added to the case's evidence."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#evidence")


@bp.route("/cases/<int:case_id>/evidence/<int:evidence_id>")
@requires(Permission.EVIDENCE_DOWNLOAD)
def download_evidence(case_id: int, evidence_id: int) -> Response:
    case = load_case(case_id, Permission.EVIDENCE_DOWNLOAD)
    evidence = db.session.get(EvidenceFile, evidence_id)
    if (
        evidence is None
        or evidence.case_id != case.id
        or evidence_service.is_anothers_id_copy(_user(), case, evidence)
    ):
        abort(404)
    evidence_service.record_download(_user(), evidence)
    # The name is only data: whatever path it pretends to carry, offer its last part.
    name = PurePosixPath(evidence.original_name.replace("\\", "/")).name or "evidence"
    return send_blob(evidence.sha256, mimetype=evidence.media_type, download_name=name)


@bp.route("/cases/<int:case_id>/accept", methods=["POST"])
@requires(Permission.CASE_ACCEPT)
def accept(case_id: int) -> Response:
    case = load_case(case_id, Permission.CASE_ACCEPT)
    case_service.accept_case(_user(), case)
    flash(with_truth(_("You accepted the case.")), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/cases/<int:case_id>/decline", methods=["POST"])
@requires(Permission.CASE_ACCEPT)
def decline(case_id: int) -> Response:
    case = load_case(case_id, Permission.CASE_ACCEPT)
    try:
        case_service.decline_case(_user(), case, request.form.get("reason", ""))
    except DomainError as err:  # post/redirect/get: the case page, the reason typed kept
        target = url_for("cases.show", case_id=case.id) + "#accept"
        state = {"reason": request.form.get("reason", "")[:2000], "error": err.message}
        return prg.redirect_with_page_state(target, err.status, decline_form=state)
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
    except DomainError as err:  # post/redirect/get: the case page with the refusal
        return prg.refused_to(url_for("cases.show", case_id=case.id), err.message, err.status)
    assert mediator is not None
    flash(_("The case was reassigned to %(name)s.", name=mediator.name), "success")
    return redirect(url_for("cases.show", case_id=case.id))
