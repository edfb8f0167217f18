"""The agreement on the case page and its pages: draft (mediator), view the exact PDF,
ask for a signing code, sign (typed or drawn), download. Rules live in
``app.agreements.drafting`` and ``app.agreements.signing``; every download is audited."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import Permission, can, requires, requires_object
from app.agreements import common, content, drafting, recovery, signing
from app.agreements.common import AgreementRefused, DraftInput
from app.core import prg
from app.core.errors import DomainError
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.users import User
from app.rules.cases import CaseState
from app.signing.views import (
    announce_code,
    channel_choices,
    page_images,
    page_response,
    party_signature_rows,
    pdf_response,
    refused_signing,
    requested_channel,
    signature_form_input,
    typed_form,
)

bp = Blueprint("agreements", __name__)

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
    for agreement in common.agreements_of(case):
        if agreement.version == version:
            return agreement
    abort(404)


def agreement_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """Where the agreement stands: the current version, who signed when, the PDF, and the
    one next step this viewer may take (draft, sign)."""
    if case.state not in _SHOWN_IN:
        return None
    may_view = can(viewer, Permission.AGREEMENT_VIEW, case)
    may_draft = can(viewer, Permission.AGREEMENT_DRAFT, case)
    agreement = common.current_agreement(case)
    if agreement is None and not may_draft:
        return None
    return "cases/_agreement.html", {
        "agreement": _agreement_view(case, agreement, viewer, may_view, may_draft)
        if agreement
        else None,
        "may_draft": may_draft
        and (agreement is None or agreement.status != AgreementStatus.IN_FORCE),
        "draft_url": url_for("agreements.draft", case_id=case.id),
    }


def _agreement_view(
    case: Case, agreement: Agreement, viewer: User, may_view: bool, may_draft: bool
) -> dict[str, Any]:
    signed = {s.role: s for s in agreement.signatures if s.version == agreement.version}
    ready = agreement.current_sha256 is not None and may_view
    failed = agreement.status == AgreementStatus.FAILED
    return {
        "version": agreement.version,
        "status": str(STATUS_LABELS[agreement.status]),
        "status_key": agreement.status.value,
        "in_force": agreement.status == AgreementStatus.IN_FORCE,
        "effective_at": agreement.effective_at,
        "failed": failed,
        "timed_out": failed and agreement.render_error == recovery.TIMED_OUT,
        "attempts": agreement.render_attempts,
        "retry_url": url_for("agreements.retry", case_id=case.id, version=agreement.version)
        if failed and may_draft
        else None,
        "signatures": party_signature_rows(case, signed),
        "pdf_url": url_for("agreements.pdf", case_id=case.id, version=agreement.version)
        if ready
        else None,
        "sign_url": url_for("agreements.sign", case_id=case.id, version=agreement.version)
        if signing.may_sign(viewer, case, agreement)
        else None,
        "sha256": agreement.current_sha256 if ready else None,
    }


@bp.route("/cases/<int:case_id>/agreement/draft", methods=["GET", "POST"])
@requires(Permission.AGREEMENT_DRAFT)
def draft(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.AGREEMENT_DRAFT)
    current = common.current_agreement(case)
    if current is not None and current.status == AgreementStatus.IN_FORCE:
        abort(404)
    values = _draft_defaults(case, current)
    if request.method == "GET":
        stash = prg.take()  # a refused draft: the account typed and the refusal, once
        if stash:
            values = {k: stash.value(k, v) for k, v in values.items()}
            findings = [_finding(f) for f in stash.extra.get("findings", [])]
            return _draft_form(case, current, values, stash.errors, findings, stash.status)
        return _draft_form(case, current, values)
    values = {k: request.form.get(k, "").strip() for k in values}
    try:
        agreement = drafting.draft_agreement(_user(), case, DraftInput(**values))
    except DomainError as err:
        # Post/redirect/get: the refusal next to the field at fault, as the form's
        # message, or as the findings that block the terms (both languages kept).
        found = [_finding_facts(f) for f in err.findings]
        errors = {} if found else {err.field or "form": err.message}
        return prg.redirect_with(request.path, errors, extra={"findings": found}, status=err.status)
    flash(_("The agreement is being prepared. The parties are told when it is ready."), "success")
    for warning in drafting.drafting_warnings(case, agreement):
        flash(_finding(warning)["message"], "warning")
    return redirect(url_for("cases.show", case_id=case.id) + "#agreement")


def _draft_form(
    case: Case,
    current: Agreement | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    findings: list[dict[str, str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The drafting form, again with the refusal: next to the field at fault, as the
    form's message, or as the findings that block the terms."""
    return render_template(
        "agreements/draft.html",
        case=case,
        values=values,
        errors=errors or {},
        findings=findings or [],
        revising=current is not None,
        from_creditor=current is None and bool(case.receiving_account_number),
        default_clause=_default_clause(case),
    ), status


def _default_clause(case: Case) -> str | None:
    """What the new version's default clause states: the organisation's grace period
    (the administrator's setting), for instalments; a lump sum has no grace period."""
    proposal = common.accepted_proposal(case)
    if proposal is None or proposal.kind != "instalments":
        return None
    return _(
        "Default clause: an instalment more than %(days)s days late makes the whole unpaid "
        "balance due at once. %(days)s days is the organisation's grace period; once signed, "
        "the agreement's own rule applies.",
        days=case.mediation_org.grace_days,
    )


def _draft_defaults(case: Case, current: Agreement | None) -> dict[str, str]:
    """The receiving account the form starts from: the current version's, else the one the
    creditor gave on the case (:mod:`app.cases.papers`); the mediator may change it."""
    account = (current.terms.get("account") if current else None) or {
        "account_name": case.receiving_account_name,
        "bank": case.receiving_bank,
        "account_number": case.receiving_account_number,
    }
    return {
        "account_name": account.get("account_name") or case.creditor_org.name,
        "bank": account.get("bank") or "",
        "account_number": account.get("account_number") or "",
    }


def _finding_facts(f: Any) -> dict[str, str]:
    """A finding as the stash keeps it (:mod:`app.core.prg`): both languages."""
    return {
        "severity": f.severity.value,
        "message_zh": f.message_zh,
        "message_en": f.message_en,
        "source": f.source,
    }


def _finding(f: Any) -> dict[str, str]:
    """A finding (or its stashed facts) in the reader's language."""
    facts = f if isinstance(f, dict) else _finding_facts(f)
    zh = str(get_locale()).startswith("zh")
    return {
        "severity": facts["severity"],
        "message": facts["message_zh"] if zh else facts["message_en"],
        "source": facts["source"],
    }


@bp.route("/cases/<int:case_id>/agreement/<int:version>/retry", methods=["POST"])
@requires(Permission.AGREEMENT_DRAFT)
def retry(case_id: int, version: int) -> Response:
    """The mediator asks again for a version that could not be prepared."""
    case = _load(case_id, Permission.AGREEMENT_DRAFT)
    agreement = _version(case, version)
    try:
        recovery.retry_rendering(_user(), case, agreement)
    except DomainError as err:  # post/redirect/get: back with the refusal
        return prg.refused_to(
            url_for("cases.show", case_id=case.id) + "#agreement", err.message, err.status
        )
    flash(_("The document is being prepared again."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#agreement")


@bp.route("/cases/<int:case_id>/agreement/<int:version>.pdf")
@requires(Permission.AGREEMENT_VIEW)
def pdf(case_id: int, version: int) -> Response:
    """The exact bytes of the version's newest file (or an earlier revision by hash),
    inline; ``?download=1`` saves it. Every request is audited."""
    case = _load(case_id, Permission.AGREEMENT_VIEW)
    agreement = _version(case, version)
    sha = request.args.get("rev") or agreement.current_sha256
    if sha is None or sha not in (signing.revisions_of(agreement) | {agreement.current_sha256}):
        abort(404)
    response = pdf_response(
        documents.read_pdf(sha), sha, f"agreement-{case.reference}-v{version}.pdf"
    )
    common.record_download(_user(), case, agreement, sha)
    return response


@bp.route("/cases/<int:case_id>/agreement/<int:version>/pages/<sha>/<int:page>.png")
@requires(Permission.AGREEMENT_VIEW)
def page(case_id: int, version: int, sha: str, page: int) -> Response:
    """One page of one of the version's files as an image, for the signing page; the
    same access as the PDF itself."""
    case = _load(case_id, Permission.AGREEMENT_VIEW)
    agreement = _version(case, version)
    if sha not in (signing.revisions_of(agreement) | {agreement.current_sha256}):
        abort(404)
    return page_response(sha, page)


@bp.route("/cases/<int:case_id>/agreement/<int:version>/sign", methods=["GET", "POST"])
@requires(Permission.AGREEMENT_SIGN)
def sign(case_id: int, version: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.AGREEMENT_VIEW)
    agreement = _version(case, version)
    user = _user()
    if request.method == "POST":
        try:
            signing.sign_agreement(user, case, agreement, signature_form_input(version))
        except DomainError as err:
            return refused_signing(request.path, err)
        flash(_("You signed the agreement."), "success")
        return redirect(url_for("cases.show", case_id=case.id) + "#agreement")
    stash = prg.take()
    error = stash.error or _why_not_signable(user, case, agreement)
    return _sign_form(case, agreement, user, error, stash.status, stash)


def _why_not_signable(user: User, case: Case, agreement: Agreement) -> str | None:
    if signing.may_sign(user, case, agreement):
        return None
    current = common.current_agreement(case)
    code = "superseded" if current and current.id != agreement.id else "not_signable"
    return AgreementRefused(code).message


def _sign_form(
    case: Case,
    agreement: Agreement,
    user: User,
    error: str | None,
    status: int,
    stash: prg.Stash | None = None,
) -> tuple[str, int]:
    version = agreement.version
    sha = agreement.current_sha256
    return render_template(
        "agreements/sign.html",
        case=case,
        version=version,
        agreement=agreement,
        seen_sha256=sha,
        key_terms=content.key_terms_of(case, agreement),
        pages=page_images(sha, lambda n: _page_url(case, version, sha, n)) if sha else [],
        pdf_url=url_for("agreements.pdf", case_id=case.id, version=version),
        code_url=url_for("agreements.send_code", case_id=case.id, version=version),
        channels=channel_choices(user),
        form=typed_form(user, stash),
        error=error,
        may_sign=signing.may_sign(user, case, agreement),
    ), status


def _page_url(case: Case, version: int, sha: str, number: int) -> str:
    return url_for("agreements.page", case_id=case.id, version=version, sha=sha, page=number)


@bp.route("/cases/<int:case_id>/agreement/<int:version>/code", methods=["POST"])
@requires(Permission.AGREEMENT_SIGN)
def send_code(case_id: int, version: int) -> Response:
    case = _load(case_id, Permission.AGREEMENT_VIEW)
    agreement = _version(case, version)
    try:
        sent = signing.send_signing_code(_user(), case, agreement, requested_channel())
    except DomainError as err:  # post/redirect/get: back with the refusal
        return prg.refused_to(
            url_for("agreements.sign", case_id=case.id, version=version), err.message, err.status
        )
    announce_code(sent)
    return redirect(url_for("agreements.sign", case_id=case.id, version=version))
