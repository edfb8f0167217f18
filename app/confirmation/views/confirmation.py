"""Judicial confirmation on the case page and its pages (BRIEF §2 journey 6, §5): the
30-day clock, the competent courts, the pre-checks (blocks to fix, warnings to
acknowledge), releasing the package, the parties' signatures on the application, the
package's PDF and ZIP, and what the court did. Rules live in the confirmation services."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import Permission, can, requires, requires_object
from app.agreements.views import ERRORS as AGREEMENT_ERRORS
from app.calendar.overrides import legal_calendar
from app.cases.lifecycle import today
from app.confirmation import release as service
from app.confirmation import signing
from app.confirmation.common import ConfirmationConflict, ConfirmationError, current_package
from app.confirmation.facts import competent_courts_for, confirmation_deadline_for
from app.confirmation.outcome import record_filing, record_ruling, remediate
from app.extensions import db
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus, Ruling
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.claims import Finding
from app.signing.reauth import ReauthError
from app.signing.views import signature_rows

bp = Blueprint("confirmation", __name__)

ERRORS = {
    # The signing refusals (mark, password, one-time code) read as on the agreement's page.
    **AGREEMENT_ERRORS,
    "wrong_state": _l("This cannot be done at this stage of the case."),
    "not_in_force": _l("The agreement is not in force yet."),
    "court_not_competent": _l("This court may not hear the application (CPL Art. 205)."),
    "blocked": _l("The checks below stop the package. Fix them first."),
    "unacknowledged": _l("Read and acknowledge every warning first."),
    "evidence_changed": _l(
        "An evidence file no longer matches the file uploaded (%(detail)s). Upload it again."
    ),
    "nothing_to_acknowledge": _l("Tick the warnings you have read."),
    "not_a_warning": _l("That warning no longer applies. Reload the page."),
    "superseded": _l("This package was replaced by a newer one."),
    "not_signable": _l("This package is not open for signing."),
    "not_a_signer": _l("You do not sign this application."),
    "already_signed": _l("You have already signed this package."),
    "not_the_agent": _l(
        "The application names %(detail)s as the creditor's agent: they sign it for the creditor."
    ),
    "document_changed": _l("The document changed since you opened it. Review it again."),
    "not_ready": _l("Both parties must sign the application before it is filed."),
    "case_number_invalid": _l("Enter the court's case number (at most 64 characters)."),
    "date_in_future": _l("The date cannot be in the future."),
    "date_before_release": _l("The filing date cannot be before the package was released."),
    "date_before_filing": _l("The ruling date cannot be before the filing."),
    "not_filed": _l("Record the filing first."),
    "reason_required": _l("Give the court's reason for refusing."),
    "reason_too_long": _l("The reason is too long."),
    "date_invalid": _l("Enter a date as YYYY-MM-DD."),
    "conflict": _l("Someone else changed the case at the same moment. Nothing was saved."),
}
STATUS_LABELS = {
    PackageStatus.RENDERING: _l("Being assembled"),
    PackageStatus.FAILED: _l("Could not be assembled"),
    PackageStatus.SIGNING: _l("Waiting for the parties to sign the application"),
    PackageStatus.READY: _l("Signed by both parties: ready to file"),
    PackageStatus.SUPERSEDED: _l("Replaced by a newer package"),
}
GROUND_LABELS = {
    "debtor_domicile": _l("the debtor's domicile"),
    "creditor_domicile": _l("the creditor's domicile"),
    "subject_matter": _l("where the subject matter is"),
    "organisation": _l("where the mediation organisation is"),
    "inviting_court": _l("the court that invited the mediation"),
}
_SHOWN_IN = (
    CaseState.IN_FORCE,
    CaseState.FILED,
    CaseState.CONFIRMED,
    CaseState.CONFIRMATION_REJECTED,
)
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def message(err: ConfirmationError | ReauthError | str) -> str:
    code = err if isinstance(err, str) else err.code
    detail = getattr(err, "detail", None) or ""
    return str(ERRORS.get(code, ERRORS["conflict"])) % {"detail": detail}


def _finding(f: Finding) -> dict[str, str]:
    zh = str(get_locale()).startswith("zh")
    return {
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message_zh if zh else f.message_en,
        "source": f.source,
    }


def _date(value: str) -> date:
    if not _ISO.fullmatch(value.strip()):
        raise ConfirmationError("date_invalid")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfirmationError("date_invalid") from None


# --- the panel ----------------------------------------------------------------------------


def confirmation_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The clock, the package and the court's answer, for the parties and the mediator."""
    if case.state not in _SHOWN_IN or not can(viewer, Permission.PACKAGE_VIEW, case):
        return None
    package = current_package(case)
    return "cases/_confirmation.html", {
        "clock": _clock(case),
        "package": _package_view(case, package, viewer) if package else None,
        "manage_url": url_for("confirmation.checks", case_id=case.id)
        if can(viewer, Permission.CONFIRMATION_MANAGE, case) and case.state == CaseState.IN_FORCE
        else None,
        "outcome_forms": can(viewer, Permission.CONFIRMATION_MANAGE, case),
        "may_file": package is not None
        and package.status == PackageStatus.READY
        and case.state == CaseState.IN_FORCE,
        "may_rule": case.state == CaseState.FILED,
        "may_remediate": case.state == CaseState.CONFIRMATION_REJECTED,
        "today": today().isoformat(),
        "case_id": case.id,
    }


def _clock(case: Case) -> dict[str, Any] | None:
    calendar = legal_calendar()
    deadline = confirmation_deadline_for(case, calendar)
    if deadline is None:
        return None
    left = (deadline.end - today()).days
    return {
        "end": deadline.end,
        "days_left": left,
        "overdue": left < 0 and case.state == CaseState.IN_FORCE,
        "extended": deadline.extended_by_holiday,
        "nominal_end": deadline.nominal_end,
        "certain": deadline.calendar_certain,
        "running": case.state == CaseState.IN_FORCE,
    }


def _package_view(case: Case, package: ConfirmationPackage, viewer: User) -> dict[str, Any]:
    signed = {s.role: s for s in package.signatures}
    ready = package.current_sha256 is not None
    return {
        "number": package.number,
        "court": package.court_name,
        "status": str(STATUS_LABELS[package.status]),
        "status_key": package.status.value,
        "render_error": package.render_error,
        "signatures": signature_rows(signed, signing.PACKAGE_SIGNERS),
        "pdf_url": url_for("packages.pdf", case_id=case.id, number=package.number)
        if ready
        else None,
        "zip_url": url_for("packages.zip", case_id=case.id, number=package.number)
        if ready
        else None,
        "sign_url": url_for("packages.sign", case_id=case.id, number=package.number)
        if signing.may_sign_package(viewer, case, package)
        else None,
        "sha256": package.current_sha256,
        "filed_on": package.filed_on,
        "court_case_number": package.court_case_number,
        "ruling": package.ruling.value if package.ruling else None,
        "ruling_on": package.ruling_on,
        "ruling_reason": package.ruling_reason,
    }


# --- checks, court, release (the mediator) -----------------------------------------------


@bp.route("/cases/<int:case_id>/confirmation", methods=["GET"])
@requires(Permission.CONFIRMATION_MANAGE)
def checks(case_id: int, error: str | None = None, status: int = 200) -> tuple[str, int]:
    case = _load(case_id, Permission.CONFIRMATION_MANAGE)
    if case.state != CaseState.IN_FORCE:
        abort(404)
    competent = competent_courts_for(case)
    names = [c.court.name for c in competent.courts]
    court = request.values.get("court") or (names[0] if names else None)
    findings = service.run_checks(case, court)
    acknowledged = {a["code"] for a in service.pending_acknowledgements(case)}
    return render_template(
        "confirmation/checks.html",
        case=case,
        clock=_clock(case),
        courts=[
            {
                "name": c.court.name,
                "grounds": ", ".join(str(GROUND_LABELS.get(g, g)) for g in c.grounds),
                "chosen": c.court.name == court,
            }
            for c in competent.courts
        ],
        unresolved=[u.value for u in competent.unresolved],
        court=court,
        findings=[_finding(f) | {"acknowledged": f.code in acknowledged} for f in findings],
        replaces=current_package(case),
        blocked=any(f.severity.value == "block" for f in findings),
        unacknowledged=[
            f.code for f in findings if f.severity.value == "warn" and f.code not in acknowledged
        ],
        error=error,
    ), status


@bp.route("/cases/<int:case_id>/confirmation/acknowledge", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def acknowledge(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.CONFIRMATION_MANAGE)
    try:
        service.acknowledge(_user(), case, request.form.getlist("code"))
    except ConfirmationError as err:
        return checks(case_id, error=message(err), status=422)
    except ConfirmationConflict:
        return checks(case_id, error=message("conflict"), status=409)
    flash(_("Your acknowledgement is recorded."))
    return redirect(
        url_for("confirmation.checks", case_id=case.id, court=request.form.get("court"))
    )


@bp.route("/cases/<int:case_id>/confirmation/release", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def release(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.CONFIRMATION_MANAGE)
    try:
        service.release_package(_user(), case, request.form.get("court", ""))
    except ConfirmationError as err:
        return checks(case_id, error=message(err), status=422)
    except ConfirmationConflict:
        return checks(case_id, error=message("conflict"), status=409)
    flash(_("The package is being assembled. The parties are asked to sign the application."))
    return redirect(url_for("cases.show", case_id=case.id) + "#confirmation")


# --- after filing (the mediator) ------------------------------------------------------------


def _outcome(case_id: int, act: Any) -> Response:
    case = _load(case_id, Permission.CONFIRMATION_MANAGE)
    try:
        act(case)
    except ConfirmationError as err:
        flash(message(err), "error")
    except ConfirmationConflict:
        flash(message("conflict"), "error")
    else:
        flash(_("Recorded."))
    return redirect(url_for("cases.show", case_id=case.id) + "#confirmation")


@bp.route("/cases/<int:case_id>/confirmation/filing", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def filing(case_id: int) -> Response:
    return _outcome(
        case_id,
        lambda case: record_filing(
            _user(),
            case,
            _date(request.form.get("filed_on", "")),
            request.form.get("court_case_number", ""),
        ),
    )


@bp.route("/cases/<int:case_id>/confirmation/ruling", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def ruling(case_id: int) -> Response:
    def act(case: Case) -> None:
        value = request.form.get("ruling", "")
        if value not in {r.value for r in Ruling}:
            raise ConfirmationError("wrong_state")
        record_ruling(
            _user(),
            case,
            Ruling(value),
            _date(request.form.get("ruling_on", "")),
            request.form.get("reason", ""),
        )

    return _outcome(case_id, act)


@bp.route("/cases/<int:case_id>/confirmation/remediate", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def remediate_case(case_id: int) -> Response:
    return _outcome(case_id, lambda case: remediate(_user(), case))
