"""The judicial-confirmation package's files and the parties' signatures on it: the PDF
and the ZIP (parties and mediator; every download audited), the signing page and its
one-time code (电子签名法 Arts. 13–14)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Permission, requires, requires_object
from app.agreements.content import key_terms_of
from app.confirmation import downloads, signing
from app.confirmation.common import packages_of
from app.confirmation.errors import ConfirmationRefused
from app.confirmation.package.archive import package_zip
from app.confirmation.package.recovery import retry_build
from app.core import prg
from app.core.errors import DomainError
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage
from app.models.users import User
from app.signing.flow import revisions
from app.signing.views import (
    announce_code,
    channel_choices,
    page_images,
    page_response,
    pdf_response,
    refused_signing,
    requested_channel,
    signature_form_input,
    typed_form,
)

bp = Blueprint("packages", __name__)


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def _package(case: Case, number: int) -> ConfirmationPackage:
    for package in packages_of(case):
        if package.number == number:
            return package
    abort(404)


@bp.route("/cases/<int:case_id>/package/<int:number>/retry", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def retry(case_id: int, number: int) -> Response:
    """The mediator asks again for a package that could not be assembled."""
    case = _load(case_id, Permission.CONFIRMATION_MANAGE)
    package = _package(case, number)
    try:
        retry_build(_user(), case, package)
    except DomainError as err:  # post/redirect/get: back with the refusal
        return prg.refused_to(
            url_for("cases.show", case_id=case.id) + "#confirmation", err.message, err.status
        )
    flash(_("The package is being assembled again."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#confirmation")


@bp.route("/cases/<int:case_id>/package/<int:number>.pdf")
@requires(Permission.PACKAGE_VIEW)
def pdf(case_id: int, number: int) -> Response:
    case = _load(case_id, Permission.PACKAGE_VIEW)
    package = _package(case, number)
    sha = package.current_sha256
    if sha is None:
        abort(404)
    response = pdf_response(documents.read_pdf(sha), sha, f"package-{case.reference}-{number}.pdf")
    downloads.record_download(_user(), case, package, sha, "pdf")
    return response


@bp.route("/cases/<int:case_id>/package/<int:number>/pages/<sha>/<int:page>.png")
@requires(Permission.PACKAGE_VIEW)
def page(case_id: int, number: int, sha: str, page: int) -> Response:
    """One page of one of the package's files (as released, or as a signature left it)
    as an image, for the signing page; the same access as the PDF itself."""
    case = _load(case_id, Permission.PACKAGE_VIEW)
    package = _package(case, number)
    shown = revisions(package.base_sha256, (s.result_sha256 for s in package.signatures))
    if sha not in shown | {package.current_sha256}:
        abort(404)
    return page_response(sha, page)


@bp.route("/cases/<int:case_id>/package/<int:number>.zip")
@requires(Permission.PACKAGE_VIEW)
def zip(case_id: int, number: int) -> Response:  # noqa: A001 - the URL's name
    case = _load(case_id, Permission.PACKAGE_VIEW)
    package = _package(case, number)
    if package.current_sha256 is None:
        abort(404)
    try:
        data = package_zip(package)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("cases.show", case_id=case.id) + "#confirmation")  # type: ignore[return-value]
    downloads.record_download(_user(), case, package, documents.sha256_of(data), "zip")
    response = Response(data, mimetype="application/zip")
    name = f"package-{case.reference}-{number}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/cases/<int:case_id>/package/<int:number>/sign", methods=["GET", "POST"])
@requires(Permission.PACKAGE_SIGN)
def sign(case_id: int, number: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PACKAGE_VIEW)
    package = _package(case, number)
    user = _user()
    if request.method == "POST":
        try:
            signing.sign_package(user, case, package, signature_form_input(number))
        except DomainError as err:
            return refused_signing(request.path, err)
        flash(_("You signed the application."), "success")
        return redirect(url_for("cases.show", case_id=case.id) + "#confirmation")
    stash = prg.take()
    error = stash.error
    may_sign = signing.may_sign_package(user, case, package)
    if not may_sign and error is None:
        error = ConfirmationRefused("not_signable").message
    sha = package.current_sha256
    agreement = db.session.get(Agreement, package.agreement_id)
    return render_template(
        "confirmation/sign.html",
        case=case,
        number=number,
        seen_sha256=sha,
        key_terms=key_terms_of(case, agreement) if agreement else None,
        pages=page_images(sha, lambda n: _page_url(case, number, sha, n)) if sha else [],
        pdf_url=url_for("packages.pdf", case_id=case.id, number=number),
        code_url=url_for("packages.send_code", case_id=case.id, number=number),
        channels=channel_choices(user),
        form=typed_form(user, stash),
        error=error,
        may_sign=may_sign,
    ), stash.status


def _page_url(case: Case, number: int, sha: str, page: int) -> str:
    return url_for("packages.page", case_id=case.id, number=number, sha=sha, page=page)


@bp.route("/cases/<int:case_id>/package/<int:number>/code", methods=["POST"])
@requires(Permission.PACKAGE_SIGN)
def send_code(case_id: int, number: int) -> Response:
    case = _load(case_id, Permission.PACKAGE_VIEW)
    package = _package(case, number)
    try:
        announce_code(signing.send_package_code(_user(), case, package, requested_channel()))
    except DomainError as err:  # post/redirect/get: back with the refusal
        return prg.refused_to(
            url_for("packages.sign", case_id=case.id, number=number), err.message, err.status
        )
    return redirect(url_for("packages.sign", case_id=case.id, number=number))
