"""Enforcement on the case page and its routes: the creditor generates and downloads the
enforcement application of a confirmed agreement in breach, or reads the summary of claim
of an agreement the court did not confirm. Rules live in :mod:`app.enforcement.application`
and :mod:`app.enforcement.common`; everyone but the case's creditor is refused."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Permission, can, requires, requires_object
from app.core import clock, prg
from app.core.errors import DomainError
from app.core.storage import send_blob
from app.enforcement import application, presenters
from app.enforcement.common import (
    EnforcementUnavailable,
    applications_of,
    enforceability,
)
from app.enforcement.content import claim_summary
from app.extensions import db
from app.models.cases import Case
from app.models.users import User
from app.rules.cases import PERFORMANCE_STATES, CaseState

bp = Blueprint("enforcement", __name__)


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(Permission.ENFORCEMENT_APPLY, case)
    assert case is not None
    return case


def _back(case: Case) -> Response:
    return redirect(url_for("cases.show", case_id=case.id) + "#enforcement")


def enforcement_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The enforcement deadline for everyone who sees the repayment; the creditor's
    application (confirmed agreement) or summary of claim (civil contract)."""
    if case.state not in PERFORMANCE_STATES or not can(viewer, Permission.REPAYMENT_VIEW, case):
        return None
    today = clock.today()
    enf = enforceability(case, today)
    if enf is None:
        return None
    creditor = can(viewer, Permission.ENFORCEMENT_APPLY, case)
    return "enforcement/_panel.html", {
        "case_id": case.id,
        "summary": presenters.summary(enf, today, filed=case.state == CaseState.FILED),
        "creditor": creditor,
        "generate_url": url_for("enforcement.generate", case_id=case.id) if creditor else None,
        "claim_url": url_for("enforcement.claim", case_id=case.id) if creditor else None,
        "applications": presenters.application_rows(
            applications_of(case),
            lambda doc: url_for("enforcement.download", case_id=case.id, version=doc.version),
        )
        if creditor
        else [],
    }


@bp.route("/cases/<int:case_id>/enforcement/application", methods=["POST"])
@requires(Permission.ENFORCEMENT_APPLY)
def generate(case_id: int) -> Response:
    case = _load(case_id)
    try:
        doc = application.generate_application(_user(), case)
    except DomainError as err:  # post/redirect/get: the case page with the refusal
        target = url_for("cases.show", case_id=case.id) + "#enforcement"
        return prg.refused_to(target, err.message, err.status)
    flash(
        _("The enforcement application is ready: download it, sign it and file it with the court."),
        "success",
    )
    return redirect(url_for("enforcement.download", case_id=case.id, version=doc.version))


@bp.route("/cases/<int:case_id>/enforcement/application/<int:version>.pdf")
@requires(Permission.ENFORCEMENT_APPLY)
def download(case_id: int, version: int) -> Response:
    case = _load(case_id)
    doc = next((d for d in applications_of(case) if d.version == version), None)
    if doc is None:
        abort(404)
    application.record_download(_user(), case, doc)
    return send_blob(
        doc.sha256,
        mimetype="application/pdf",
        download_name=f"enforcement-{case.reference}-{version}.pdf",
    )


@bp.route("/cases/<int:case_id>/enforcement/claim")
@requires(Permission.ENFORCEMENT_APPLY)
def claim(case_id: int) -> tuple[str, int]:
    """The summary of claim (起诉状 facts) of an agreement in force the court did not
    confirm: a civil contract, enforced by suing on it (人民调解法 Art. 31)."""
    case = _load(case_id)
    today = clock.today()
    enf = enforceability(case, today)
    if enf is None:
        raise EnforcementUnavailable("not_in_performance")
    if enf.ruling is not None:
        raise EnforcementUnavailable("confirmed_agreement")
    return render_template(
        "enforcement/claim.html", case=case, s=claim_summary(case, enf, today)
    ), 200
