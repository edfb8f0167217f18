"""Judicial confirmation on the case page, for the parties and the mediator: the 30-day
clock (CPL Art. 205), the package of the moment with its signatures and files, what the
court did and the mediator's forms to record it."""

from __future__ import annotations

from typing import Any

from flask import g, url_for
from flask_babel import lazy_gettext as _l

from app.access import Permission, can
from app.confirmation import signing
from app.confirmation.common import current_package
from app.confirmation.deadline import confirmation_deadline_for
from app.confirmation.package.recovery import TIMED_OUT
from app.core import clock
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.users import User
from app.rules.cases import CaseState
from app.signing.views import party_signature_rows

STATUS_LABELS = {
    PackageStatus.RENDERING: _l("Being assembled"),
    PackageStatus.FAILED: _l("Could not be assembled"),
    PackageStatus.SIGNING: _l("Waiting for the parties to sign the application"),
    PackageStatus.READY: _l("Signed by both parties: ready to file"),
    PackageStatus.SUPERSEDED: _l("Replaced by a newer package"),
}
_SHOWN_IN = (
    CaseState.IN_FORCE,
    CaseState.FILED,
    CaseState.CONFIRMED,
    CaseState.CONFIRMATION_REJECTED,
)


def confirmation_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The clock, the package and the court's answer, for the parties and the mediator."""
    if case.state not in _SHOWN_IN or not can(viewer, Permission.PACKAGE_VIEW, case):
        return None
    package = current_package(case)
    manages = can(viewer, Permission.CONFIRMATION_MANAGE, case)
    return "cases/_confirmation.html", {
        "clock": clock_view(case),
        "package": _package_view(case, package, viewer, manages) if package else None,
        "manage_url": url_for("confirmation.checks", case_id=case.id)
        if manages and case.state == CaseState.IN_FORCE
        else None,
        "outcome_forms": manages,
        # Where the holidays are entered concerns the staff, not the parties.
        "calendar_note": manages,
        "may_file": package is not None
        and package.status == PackageStatus.READY
        and case.state == CaseState.IN_FORCE,
        "may_rule": case.state == CaseState.FILED,
        "may_remediate": case.state == CaseState.CONFIRMATION_REJECTED,
        "today": clock.today().isoformat(),
        "case_id": case.id,
        # A refused outcome form: its values and refusal (app.core.prg), once.
        "refused": _refused_form(),
    }


def _refused_form() -> dict[str, Any]:
    state = g.get("outcome_form") or {}
    values = {k: (v[0] if v else "") for k, v in (state.get("values") or {}).items()}
    return {"form": state.get("form"), "values": values, "error": state.get("error")}


def clock_view(case: Case) -> dict[str, Any] | None:
    """The 30-day window as the page shows it, or None while no agreement is in force."""
    deadline = confirmation_deadline_for(case)
    if deadline is None:
        return None
    left = (deadline.end - clock.today()).days
    return {
        "end": deadline.end,
        "days_left": left,
        "overdue": left < 0 and case.state == CaseState.IN_FORCE,
        "extended": deadline.extended_by_holiday,
        "nominal_end": deadline.nominal_end,
        "certain": deadline.calendar_certain,
        "running": case.state == CaseState.IN_FORCE,
    }


def _package_view(
    case: Case, package: ConfirmationPackage, viewer: User, manages: bool
) -> dict[str, Any]:
    signed = {s.role: s for s in package.signatures}
    failed = package.status == PackageStatus.FAILED
    ready = package.current_sha256 is not None
    number = package.number
    return {
        "number": number,
        "court": package.court_name,
        "status": str(STATUS_LABELS[package.status]),
        "status_key": package.status.value,
        "render_error": package.render_error,
        "timed_out": failed and package.render_error == TIMED_OUT,
        "attempts": package.render_attempts,
        "retry_url": url_for("packages.retry", case_id=case.id, number=number)
        if failed and manages
        else None,
        "signatures": party_signature_rows(case, signed, signing.package_signers(case)),
        "pdf_url": url_for("packages.pdf", case_id=case.id, number=number) if ready else None,
        "zip_url": url_for("packages.zip", case_id=case.id, number=number) if ready else None,
        "sign_url": url_for("packages.sign", case_id=case.id, number=number)
        if signing.may_sign_package(viewer, case, package)
        else None,
        "sha256": package.current_sha256,
        "filed_on": package.filed_on,
        "court_case_number": package.court_case_number,
        "ruling": package.ruling.value if package.ruling else None,
        "ruling_on": package.ruling_on,
        "ruling_reason": package.ruling_reason,
    }
