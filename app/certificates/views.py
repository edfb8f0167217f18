"""The certificate on the case page: download it (the creditor, the debtor, the assigned
mediator), or, for the mediator, ask for it when it is missing. Every download is audited."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.access import Permission, can, requires, requires_object
from app.certificates import issuing
from app.core import prg
from app.core.errors import DomainError
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import DocumentKind
from app.models.cases import Case
from app.models.users import User
from app.signing.views import pdf_response

bp = Blueprint("certificates", __name__)

LABELS = {
    DocumentKind.FAILURE_CERTIFICATE: _l("Certificate that mediation ended without agreement"),
    DocumentKind.SETTLEMENT_CERTIFICATE: _l("Settlement certificate"),
}


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def certificate_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The closed case's certificate, or (for the mediator) the way to issue it."""
    kind = issuing.kind_for(case)
    if kind is None or not can(viewer, Permission.CERTIFICATE_VIEW, case):
        return None
    doc = issuing.certificate_of(case)
    return "certificates/_panel.html", {
        "label": str(LABELS[kind]),
        "pdf_url": url_for("certificates.pdf", case_id=case.id) if doc else None,
        "issued_at": doc.created_at if doc else None,
        "sha256": doc.sha256 if doc else None,
        "issue_url": url_for("certificates.issue", case_id=case.id)
        if doc is None and can(viewer, Permission.CERTIFICATE_ISSUE, case)
        else None,
    }


def debtor_certificates(user: User) -> list[dict[str, Any]]:
    """For the debtor's home: the certificate of each of their closed cases, once issued."""
    cases = db.session.scalars(
        select(Case)
        .where(Case.debtor_user_id == user.id, Case.state.in_(tuple(issuing.KIND_OF_STATE)))
        .order_by(Case.id)
    )
    out = []
    for case in cases:
        doc = issuing.certificate_of(case)
        if doc is not None and can(user, Permission.CERTIFICATE_VIEW, case):
            out.append(
                {
                    "reference": case.reference,
                    "label": str(LABELS[doc.kind]),
                    "pdf_url": url_for("certificates.pdf", case_id=case.id),
                }
            )
    return out


@bp.route("/cases/<int:case_id>/certificate.pdf")
@requires(Permission.CERTIFICATE_VIEW)
def pdf(case_id: int) -> Response:
    """The exact bytes of the certificate; ``?download=1`` saves it. Audited."""
    case = _load(case_id, Permission.CERTIFICATE_VIEW)
    doc = issuing.certificate_of(case)
    if doc is None:
        abort(404)
    response = pdf_response(
        documents.read_pdf(doc.sha256),
        doc.sha256,
        f"{issuing.FILE_NAMES[doc.kind]}-{case.reference}.pdf",
    )
    issuing.record_download(_user(), case, doc)
    return response


@bp.route("/cases/<int:case_id>/certificate/issue", methods=["POST"])
@requires(Permission.CERTIFICATE_ISSUE)
def issue(case_id: int) -> Response:
    case = _load(case_id, Permission.CERTIFICATE_ISSUE)
    target = url_for("cases.show", case_id=case.id) + "#certificate"
    try:
        issuing.request_certificate(_user(), case)
    except DomainError as err:  # post/redirect/get: the case page with the refusal
        return prg.refused_to(target, err.message, err.status)
    flash(_("The certificate is being prepared."), "success")
    return redirect(target)
