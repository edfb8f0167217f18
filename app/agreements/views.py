"""The agreement on the case page and its pages: draft (mediator), view the exact PDF,
ask for a signing code, sign (typed or drawn), download. Rules live in
``app.agreements.drafting``; every download is audited."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import Permission, can, requires, requires_object
from app.agreements import drafting as service
from app.agreements.drafting import AgreementConflict, AgreementError, DraftInput
from app.core.messages import FIELD_ERRORS
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.users import User
from app.rules.cases import CaseState
from app.signing.reauth import ReauthError
from app.signing.views import (
    announce_code,
    channel_choices,
    pdf_response,
    requested_channel,
    signature_form_input,
    signature_rows,
    typed_form,
)

bp = Blueprint("agreements", __name__)

ERRORS = {
    **FIELD_ERRORS,
    "wrong_state": _l("The agreement cannot be drafted at this stage of the case."),
    "no_accepted_proposal": _l("No proposal has been accepted yet."),
    "superseded": _l("This version was replaced by a newer one. Review the new version."),
    "not_signable": _l("This version is not open for signing."),
    "not_a_signer": _l("You do not sign this agreement."),
    "already_signed": _l("You have already signed this version."),
    "parties_first": _l("The mediator signs after both parties."),
    "document_changed": _l(
        "The document changed since you opened it. Review it again before signing."
    ),
    "name_required": _l("Type your name as your signature."),
    "name_too_long": _l("The name is too long."),
    "drawing_invalid": _l("Draw your signature in the box, or type your name instead."),
    "no_channel": _l("There is no phone or email on your account to send a code to."),
    "no_code": _l("Ask for a one-time code first."),
    "code_expired": _l("The code has expired. Ask for a new one."),
    "code_locked": _l("Too many wrong tries. Ask for a new code."),
    "code_wrong": _l("The one-time code is not right."),
    "password_wrong": _l("The password is not right."),
    "account_name": _l("Enter the account holder's name."),
    "account_bank": _l("Enter the bank and branch."),
    "account_number": _l("An account number has 8 to 32 digits (spaces allowed)."),
    "invalid": _l("The terms cannot make an unambiguous agreement; see below."),
    "conflict": _l("Someone else changed the agreement at the same moment. Nothing was saved."),
}
_ACCOUNT_FIELDS = {
    "account_name": "account_name",
    "account_bank": "bank",
    "account_number": "account_number",
}
STATUS_LABELS = {
    AgreementStatus.RENDERING: _l("Being prepared"),
    AgreementStatus.FAILED: _l("Could not be prepared"),
    AgreementStatus.SIGNING: _l("Awaiting signatures"),
    AgreementStatus.SUPERSEDED: _l("Replaced by a newer version"),
    AgreementStatus.IN_FORCE: _l("In force"),
}
_SHOWN_IN = (
    CaseState.AGREEMENT_DRAFTING,
    CaseState.SIGNING,
    CaseState.IN_FORCE,
    CaseState.FILED,
    CaseState.CONFIRMED,
    CaseState.CONFIRMATION_REJECTED,
)


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def _version(case: Case, version: int) -> Agreement:
    for agreement in service.agreements_of(case):
        if agreement.version == version:
            return agreement
    abort(404)


def _message(code: str) -> str:
    return str(ERRORS.get(code, ERRORS["conflict"]))


def agreement_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """Where the agreement stands: the current version, who signed when, the PDF, and the
    one next step this viewer may take (draft, sign)."""
    if case.state not in _SHOWN_IN:
        return None
    may_view = can(viewer, Permission.AGREEMENT_VIEW, case)
    may_draft = can(viewer, Permission.AGREEMENT_DRAFT, case)
    agreement = service.current_agreement(case)
    if agreement is None and not may_draft:
        return None
    return "cases/_agreement.html", {
        "agreement": _agreement_view(case, agreement, viewer, may_view) if agreement else None,
        "may_draft": may_draft
        and (agreement is None or agreement.status != AgreementStatus.IN_FORCE),
        "draft_url": url_for("agreements.draft", case_id=case.id),
    }


def _agreement_view(
    case: Case, agreement: Agreement, viewer: User, may_view: bool
) -> dict[str, Any]:
    signed = {s.role: s for s in agreement.signatures if s.version == agreement.version}
    ready = agreement.current_sha256 is not None and may_view
    return {
        "version": agreement.version,
        "status": str(STATUS_LABELS[agreement.status]),
        "status_key": agreement.status.value,
        "in_force": agreement.status == AgreementStatus.IN_FORCE,
        "effective_at": agreement.effective_at,
        "failed": agreement.status == AgreementStatus.FAILED,
        "signatures": signature_rows(signed, service.ROLES),
        "pdf_url": url_for("agreements.pdf", case_id=case.id, version=agreement.version)
        if ready
        else None,
        "sign_url": url_for("agreements.sign", case_id=case.id, version=agreement.version)
        if service.may_sign(viewer, case, agreement)
        else None,
        "sha256": agreement.current_sha256 if ready else None,
    }


@bp.route("/cases/<int:case_id>/agreement/draft", methods=["GET", "POST"])
@requires(Permission.AGREEMENT_DRAFT)
def draft(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.AGREEMENT_DRAFT)
    current = service.current_agreement(case)
    if current is not None and current.status == AgreementStatus.IN_FORCE:
        abort(404)
    values = _draft_defaults(case, current)
    errors: dict[str, str] = {}
    findings: list[Any] = []
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in values}
        errors = {k: str(FIELD_ERRORS["required"]) for k, v in values.items() if not v}
        if not errors:
            try:
                agreement = service.draft_agreement(_user(), case, DraftInput(**values))
            except AgreementError as err:
                findings = [_finding(f) for f in err.findings]
                field = _ACCOUNT_FIELDS.get(err.code)
                if field:
                    errors[field] = _message(err.code)
                elif not findings:
                    errors["form"] = _message(err.code)
            except AgreementConflict:
                errors["form"] = _message("conflict")
            else:
                flash(
                    _("The agreement is being prepared. The parties are told when it is ready."),
                    "success",
                )
                for warning in service.drafting_warnings(case, agreement):
                    flash(_finding(warning)["message"], "warning")
                return redirect(url_for("cases.show", case_id=case.id) + "#agreement")
    status = 422 if errors or findings else 200
    return render_template(
        "agreements/draft.html",
        case=case,
        values=values,
        errors=errors,
        findings=findings,
        revising=current is not None,
    ), status


def _draft_defaults(case: Case, current: Agreement | None) -> dict[str, str]:
    account = (current.terms.get("account") if current else None) or {}
    return {
        "account_name": account.get("account_name") or case.creditor_org.name,
        "bank": account.get("bank", ""),
        "account_number": account.get("account_number", ""),
    }


def _finding(f: Any) -> dict[str, str]:
    from flask_babel import get_locale

    zh = str(get_locale()).startswith("zh")
    return {
        "severity": f.severity.value,
        "message": f.message_zh if zh else f.message_en,
        "source": f.source,
    }


@bp.route("/cases/<int:case_id>/agreement/<int:version>.pdf")
@requires(Permission.AGREEMENT_VIEW)
def pdf(case_id: int, version: int) -> Response:
    """The exact bytes of the version's newest file (or an earlier revision by hash),
    inline; ``?download=1`` saves it. Every request is audited."""
    case = _load(case_id, Permission.AGREEMENT_VIEW)
    agreement = _version(case, version)
    sha = request.args.get("rev") or agreement.current_sha256
    if sha is None or sha not in (service.revisions_of(agreement) | {agreement.current_sha256}):
        abort(404)
    response = pdf_response(
        documents.read_pdf(sha), sha, f"agreement-{case.reference}-v{version}.pdf"
    )
    service.record_download(_user(), case, agreement, sha)
    return response


@bp.route("/cases/<int:case_id>/agreement/<int:version>/sign", methods=["GET", "POST"])
@requires(Permission.AGREEMENT_SIGN)
def sign(case_id: int, version: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.AGREEMENT_VIEW)
    agreement = _version(case, version)
    user = _user()
    error = None
    if request.method == "POST":
        try:
            service.sign_agreement(user, case, agreement, signature_form_input(version))
        except (AgreementError, ReauthError) as err:
            error = _message(err.code)
        except AgreementConflict:
            error = _message("conflict")
        else:
            flash(_("You signed the agreement."), "success")
            return redirect(url_for("cases.show", case_id=case.id) + "#agreement")
    may_sign = service.may_sign(user, case, agreement)
    if request.method == "GET" and not may_sign:
        current = service.current_agreement(case)
        error = _message("superseded" if current and current.id != agreement.id else "not_signable")
    return render_template(
        "agreements/sign.html",
        case=case,
        version=version,
        agreement=agreement,
        seen_sha256=agreement.current_sha256,
        pdf_url=url_for("agreements.pdf", case_id=case.id, version=version),
        code_url=url_for("agreements.send_code", case_id=case.id, version=version),
        channels=channel_choices(user),
        form=typed_form(user),
        error=error,
        may_sign=may_sign,
    ), (422 if error and request.method == "POST" else 200)


@bp.route("/cases/<int:case_id>/agreement/<int:version>/code", methods=["POST"])
@requires(Permission.AGREEMENT_SIGN)
def send_code(case_id: int, version: int) -> Response:
    case = _load(case_id, Permission.AGREEMENT_VIEW)
    agreement = _version(case, version)
    try:
        announce_code(service.send_signing_code(_user(), case, agreement, requested_channel()))
    except (AgreementError, ReauthError) as err:
        flash(_message(err.code), "error")
    return redirect(url_for("agreements.sign", case_id=case.id, version=version))
