"""Restructuring on the case page and its pages: the debtor's request, the other party's
answer (accept, decline with a reason, other terms), the mediator's draft of the
supplementary agreement, its PDF and its signing. Rules live in
:mod:`app.restructuring.requests`, :mod:`app.restructuring.drafting` and
:mod:`app.restructuring.signing`; every download is audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Permission, requires, requires_object
from app.agreements.common import AgreementRefused
from app.core import clock, prg
from app.core.errors import DomainError
from app.documents import issued as documents
from app.extensions import db
from app.models.cases import Case
from app.models.restructuring import SupplementaryAgreement
from app.models.users import User
from app.negotiation.offers import FIELD_OF, schedule_for
from app.negotiation.views.proposal_form import FREQUENCY_LABELS, KIND_LABELS, parse_offer
from app.repayments.common import performance_of
from app.restructuring import drafting, presenters, requests, signing
from app.restructuring.common import (
    RestructuringInvalid,
)
from app.rules.schedules import MAX_INSTALMENTS
from app.signing.views import (
    announce_code,
    channel_choices,
    pdf_response,
    refused_signing,
    requested_channel,
    signature_form_input,
    typed_form,
)

bp = Blueprint("restructuring", __name__)


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def _back(case: Case) -> Response:
    return redirect(url_for("cases.show", case_id=case.id) + "#restructuring")


# --- the request and the answers ---------------------------------------------------------


def _terms_form(
    case: Case, mode: str, values: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> tuple[str, int]:
    perf = performance_of(case, clock.today())
    remaining = perf.status.balance if perf is not None else None
    return render_template(
        "restructuring/form.html",
        case=case,
        mode=mode,
        action=url_for(f"restructuring.{mode}", case_id=case.id),
        typed=dict(values),
        errors=dict(errors),
        remaining=remaining,
        paid=perf.status.paid.total if perf is not None else None,
        kinds=[(k.value, str(label)) for k, label in KIND_LABELS.items()],
        frequencies=[(f.value, str(label)) for f, label in FREQUENCY_LABELS.items()],
        max_count=MAX_INSTALMENTS,
    ), status


def _defaults(case: Case) -> dict[str, str]:
    remaining = presenters.remaining_balance(case)
    return {
        "kind": "instalments",
        "frequency": "monthly",
        "total": str(remaining) if remaining is not None else "",
    }


def _parsed(form: Mapping[str, str]) -> tuple[Any, dict[str, str]]:
    """The schedule typed into the form, or the refusals by input, in words."""
    offer, codes = parse_offer(form, clock.today())
    if offer is None:
        return None, {
            name: RestructuringInvalid(code, name).message for name, code in codes.items()
        }
    try:
        return schedule_for(offer), {}
    except DomainError as err:
        field = err.field or FIELD_OF.get(err.code) or "form"
        return None, {field: RestructuringInvalid(err.code, field).message}


def _refused_words(err: DomainError) -> dict[str, str]:
    return {err.field or "form": err.message}


def _terms_page(case: Case, mode: str) -> tuple[str, int]:
    """The terms form: fresh, or after a refusal (:mod:`app.core.prg`) with the terms
    typed and the refusals, once."""
    stash = prg.take()
    if stash:
        values = {name: stash.value(name) for name in stash.values}
        return _terms_form(case, mode, values, stash.errors, stash.status)
    return _terms_form(case, mode, _defaults(case), {})


@bp.route("/cases/<int:case_id>/restructuring/new", methods=["GET", "POST"])
@requires(Permission.RESTRUCTURING_REQUEST)
def new(case_id: int) -> Response | tuple[str, int]:
    """The debtor asks for new terms for what remains unpaid."""
    case = _load(case_id, Permission.RESTRUCTURING_REQUEST)
    if request.method == "GET":
        return _terms_page(case, "new")
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    schedule, errors = _parsed(values)
    if schedule is None:
        return prg.redirect_with(request.path, errors, status=422)
    try:
        requests.file_request(_user(), case, values.get("reason", ""), schedule)
    except DomainError as err:
        return prg.redirect_with(request.path, _refused_words(err), status=err.status)
    flash(_("Your request is sent. The creditor and the mediator are told."), "success")
    return _back(case)


@bp.route("/cases/<int:case_id>/restructuring/counter", methods=["GET", "POST"])
@requires(Permission.RESTRUCTURING_ANSWER)
def counter(case_id: int) -> Response | tuple[str, int]:
    """The party answering offers other terms for the remaining balance."""
    case = _load(case_id, Permission.RESTRUCTURING_ANSWER)
    if request.method == "GET":
        return _terms_page(case, "counter")
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    schedule, errors = _parsed(values)
    if schedule is None:
        return prg.redirect_with(request.path, errors, status=422)
    try:
        requests.counter_offer(_user(), case, schedule)
    except DomainError as err:
        return prg.redirect_with(request.path, _refused_words(err), status=err.status)
    flash(_("Your terms are sent. The other party is told."), "success")
    return _back(case)


@bp.route("/cases/<int:case_id>/restructuring/accept", methods=["POST"])
@requires(Permission.RESTRUCTURING_ANSWER)
def accept(case_id: int) -> Response:
    case = _load(case_id, Permission.RESTRUCTURING_ANSWER)
    try:
        requests.accept_offer(_user(), case)
    except DomainError as err:
        return _refused(case, err)
    flash(_("You accepted the terms. The mediator drafts the supplementary agreement."), "success")
    return _back(case)


def _refused(case: Case, err: DomainError) -> Response:
    """A refused button on the case page: a 303 back there with the refusal."""
    target = url_for("cases.show", case_id=case.id) + "#restructuring"
    return prg.refused_to(target, err.message, err.status)


@bp.route("/cases/<int:case_id>/restructuring/decline", methods=["GET", "POST"])
@requires(Permission.RESTRUCTURING_ANSWER)
def decline(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.RESTRUCTURING_ANSWER)
    if request.method == "POST":
        try:
            requests.decline_request(_user(), case, request.form.get("reason", ""))
        except DomainError as err:
            return prg.redirect_with(request.path, err.message, status=err.status)
        flash(_("You declined the request. The agreement stays as it is."), "success")
        return _back(case)
    stash = prg.take()  # a refused decline: the reason typed and the refusal, once
    return render_template(
        "restructuring/decline.html", case=case, reason=stash.value("reason"), error=stash.error
    ), stash.status


# --- the supplementary agreement ---------------------------------------------------------


@bp.route("/cases/<int:case_id>/supplementary/draft", methods=["POST"])
@requires(Permission.SUPPLEMENTARY_DRAFT)
def draft(case_id: int) -> Response:
    case = _load(case_id, Permission.SUPPLEMENTARY_DRAFT)
    try:
        drafting.draft_supplementary(_user(), case)
    except DomainError as err:
        return _refused(case, err)
    flash(
        _("The supplementary agreement is being prepared. The parties are told when it is ready."),
        "success",
    )
    return _back(case)


def _version(case: Case, version: int) -> SupplementaryAgreement:
    found = db.session.scalar(
        db.select(SupplementaryAgreement).where(
            SupplementaryAgreement.case_id == case.id, SupplementaryAgreement.version == version
        )
    )
    if found is None:
        abort(404)
    return found


@bp.route("/cases/<int:case_id>/supplementary/<int:version>.pdf")
@requires(Permission.RESTRUCTURING_VIEW)
def pdf(case_id: int, version: int) -> Response:
    """The exact bytes of the version's newest file (or an earlier revision by hash)."""
    case = _load(case_id, Permission.RESTRUCTURING_VIEW)
    s = _version(case, version)
    sha = request.args.get("rev") or s.current_sha256
    if sha is None or sha not in (signing.revisions_of(s) | {s.current_sha256}):
        abort(404)
    response = pdf_response(
        documents.read_pdf(sha), sha, f"supplementary-{case.reference}-v{version}.pdf"
    )
    signing.record_download(_user(), case, s, sha)
    return response


@bp.route("/cases/<int:case_id>/supplementary/<int:version>/sign", methods=["GET", "POST"])
@requires(Permission.SUPPLEMENTARY_SIGN)
def sign(case_id: int, version: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.SUPPLEMENTARY_SIGN)
    s = _version(case, version)
    user = _user()
    if request.method == "POST":
        try:
            signing.sign_supplementary(user, case, s, signature_form_input(version))
        except DomainError as err:
            return refused_signing(request.path, err)
        flash(_("You signed the supplementary agreement."), "success")
        return _back(case)
    stash = prg.take()  # a refused signature: the mark chosen and the refusal, once
    error = None if signing.may_sign(user, case, s) else AgreementRefused("not_signable").message
    return _sign_form(case, s, user, stash.error or error, stash.status, stash)


def _sign_form(
    case: Case,
    s: SupplementaryAgreement,
    user: User,
    error: str | None,
    status: int,
    stash: prg.Stash | None = None,
) -> tuple[str, int]:
    return render_template(
        "restructuring/sign.html",
        case=case,
        version=s.version,
        seen_sha256=s.current_sha256,
        pdf_url=url_for("restructuring.pdf", case_id=case.id, version=s.version),
        code_url=url_for("restructuring.send_code", case_id=case.id, version=s.version),
        channels=channel_choices(user),
        form=typed_form(user, stash),
        error=error,
        may_sign=signing.may_sign(user, case, s),
    ), status


@bp.route("/cases/<int:case_id>/supplementary/<int:version>/code", methods=["POST"])
@requires(Permission.SUPPLEMENTARY_SIGN)
def send_code(case_id: int, version: int) -> Response:
    case = _load(case_id, Permission.SUPPLEMENTARY_SIGN)
    s = _version(case, version)
    try:
        sent = signing.send_signing_code(_user(), case, s, requested_channel())
    except DomainError as err:  # post/redirect/get: back with the refusal
        return prg.refused_to(
            url_for("restructuring.sign", case_id=case.id, version=version), err.message, err.status
        )
    announce_code(sent)
    return redirect(url_for("restructuring.sign", case_id=case.id, version=version))
