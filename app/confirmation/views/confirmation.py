"""Judicial confirmation, the mediator's pages: the competent courts, the pre-checks
(blocks to fix, warnings to acknowledge), releasing the package, and recording what the
court did (CPL Arts. 205, 206; 民诉法解释 Arts. 354, 355, 358). The rules live in the
confirmation use cases; the case page's section is :mod:`app.confirmation.views.panel`."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, requires, requires_object
from app.confirmation import acknowledgements, lifts, outcome
from app.confirmation import release as release_service
from app.confirmation.common import current_package
from app.confirmation.courts import competent_courts_for, dispute_amount
from app.confirmation.errors import ConfirmationInvalid
from app.confirmation.views.panel import clock_view
from app.confirmation.views.panel import confirmation_panel as confirmation_panel  # app.features
from app.core import prg
from app.core.errors import DomainError, InvalidInput
from app.extensions import db
from app.models.cases import Case
from app.models.confirmation import Ruling
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.claims import Finding, Severity
from app.rules.collusion import finding_key, is_liftable

bp = Blueprint("confirmation", __name__)

GROUND_LABELS = {
    "debtor_domicile": _l("the debtor's domicile"),
    "creditor_domicile": _l("the creditor's domicile"),
    "subject_matter": _l("where the subject matter is"),
    "organisation": _l("where the mediation organisation is"),
    "inviting_court": _l("the court that invited the mediation"),
}
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(Permission.CONFIRMATION_MANAGE, case)
    assert case is not None
    return case


def _finding(
    f: Finding, acknowledged: set[str], lifted: dict[str, str] | None = None
) -> dict[str, object]:
    zh = str(get_locale()).startswith("zh")
    key = finding_key(f) if is_liftable(f) else None
    return {
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message_zh if zh else f.message_en,
        "source": f.source,
        "acknowledged": f.code in acknowledged,
        # A sham-mediation signal the mediator may lift in writing (app.confirmation.lifts).
        "lift_key": key,
        "lifted": (lifted or {}).get(key or ""),
    }


def _date(value: str, field: str) -> date:
    if not _ISO.fullmatch(value.strip()):
        raise ConfirmationInvalid("date_invalid", field)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfirmationInvalid("date_invalid", field) from None


# --- checks, court, release ---------------------------------------------------------------


@bp.route("/cases/<int:case_id>/confirmation", methods=["GET"])
@requires(Permission.CONFIRMATION_MANAGE)
def checks(case_id: int, error: str | None = None, status: int = 200) -> tuple[str, int]:
    case = _load(case_id)
    if case.state != CaseState.IN_FORCE:
        abort(404)
    stash = prg.take()  # a refused acknowledgement or release: its refusal, once
    if stash:
        error, status = stash.error, stash.status
    competent = competent_courts_for(case)
    names = [c.court.name for c in competent.courts]
    court = request.values.get("court") or (names[0] if names else None)
    findings = acknowledgements.run_checks(case, court)
    acknowledged = {a["code"] for a in acknowledgements.pending_acknowledgements(case)}
    lifted = {lift["key"]: lift["justification"] for lift in lifts.pending_lifts(case)}
    shown = [_finding(f, acknowledged, lifted) for f in findings]
    return render_template(
        "confirmation/checks.html",
        case=case,
        clock=clock_view(case),
        courts=[
            {
                "name": c.court.name,
                "grounds": ", ".join(str(GROUND_LABELS.get(g, g)) for g in c.grounds),
                "chosen": c.court.name == court,
            }
            for c in competent.courts
        ],
        unresolved=[u.value for u in competent.unresolved if u.kind != "intermediate_court"],
        # CPL Art. 205(2): the amount calls for the intermediate court, none on file above
        no_intermediate=sorted(
            {u.value for u in competent.unresolved if u.kind == "intermediate_court"}
        ),
        level_amount=dispute_amount(case),
        court=court,
        findings=shown,
        liftable=[f for f in shown if f["lift_key"] and not f["lifted"]],
        replaces=current_package(case),
        blocked=bool(lifts.still_blocking(findings, set(lifted))),
        unacknowledged=[
            f.code for f in findings if f.severity is Severity.WARN and f.code not in acknowledged
        ],
        error=error,
    ), status


@bp.route("/cases/<int:case_id>/confirmation/acknowledge", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def acknowledge(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id)
    try:
        acknowledgements.acknowledge(_user(), case, request.form.getlist("code"))
    except DomainError as err:
        return _checks_again(case_id, err)
    flash(_("Your acknowledgement is recorded."))
    return redirect(
        url_for("confirmation.checks", case_id=case_id, court=request.form.get("court"))
    )


@bp.route("/cases/<int:case_id>/confirmation/lift", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def lift(case_id: int) -> Response | tuple[str, int]:
    """Lift sham-mediation signals with a written justification (CPL Art. 115)."""
    case = _load(case_id)
    try:
        lifts.lift_signals(
            _user(), case, request.form.getlist("key"), request.form.get("justification", "")
        )
    except DomainError as err:
        return _checks_again(case_id, err)
    flash(_("Your justification is recorded; it will be printed in the package."))
    return redirect(
        url_for("confirmation.checks", case_id=case_id, court=request.form.get("court"))
    )


@bp.route("/cases/<int:case_id>/confirmation/release", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def release(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id)
    try:
        release_service.release_package(_user(), case, request.form.get("court", ""))
    except DomainError as err:
        return _checks_again(case_id, err)
    flash(_("The package is being assembled. The parties are asked to sign the application."))
    return redirect(url_for("cases.show", case_id=case_id) + "#confirmation")


def _checks_again(case_id: int, err: DomainError) -> Response:
    """Post/redirect/get (:mod:`app.core.prg`): the checks page for the court chosen, with
    the refusal."""
    court = request.form.get("court") or None
    target = url_for("confirmation.checks", case_id=case_id, court=court)
    return prg.redirect_with(target, err.message, status=err.status)


# --- after filing -----------------------------------------------------------------------------


def _to_case(case_id: int) -> Response:
    return redirect(url_for("cases.show", case_id=case_id) + "#confirmation")


def _refused(case_id: int, form: str, err: DomainError) -> Response:
    """Post/redirect/get: the case page's confirmation section with the values typed in
    the refused form and its refusal (read by :mod:`app.confirmation.views.panel`)."""
    target = url_for("cases.show", case_id=case_id) + "#confirmation"
    state = {"form": form, "values": prg.kept_values(), "error": err.message}
    return prg.redirect_with_page_state(target, err.status, outcome_form=state)


@bp.route("/cases/<int:case_id>/confirmation/filing", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def filing(case_id: int) -> Response:
    case = _load(case_id)
    form = request.form
    try:
        filed_on = _date(form.get("filed_on", ""), "filed_on")
        outcome.record_filing(_user(), case, filed_on, form.get("court_case_number", ""))
    except DomainError as err:
        return _refused(case_id, "filing", err)
    flash(_("Recorded."))
    return _to_case(case_id)


@bp.route("/cases/<int:case_id>/confirmation/ruling", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def ruling(case_id: int) -> Response:
    case = _load(case_id)
    form = request.form
    try:
        value = form.get("ruling", "")
        if value not in {r.value for r in Ruling}:
            raise InvalidInput("choice", "ruling")
        ruling_on = _date(form.get("ruling_on", ""), "ruling_on")
        outcome.record_ruling(_user(), case, Ruling(value), ruling_on, form.get("reason", ""))
    except DomainError as err:
        return _refused(case_id, "ruling", err)
    flash(_("Recorded."))
    return _to_case(case_id)


@bp.route("/cases/<int:case_id>/confirmation/remediate", methods=["POST"])
@requires(Permission.CONFIRMATION_MANAGE)
def remediate_case(case_id: int) -> Response:
    case = _load(case_id)
    try:
        outcome.remediate(_user(), case)
    except DomainError as err:
        return _refused(case_id, "remediate", err)
    flash(_("Recorded."))
    return _to_case(case_id)
