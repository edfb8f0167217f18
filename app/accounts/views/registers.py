"""The administrator's registers the court papers rely on: the per-province amounts that
send an application to the intermediate court (CPL Art. 205(2); 法发〔2021〕27号) and each
mediator's appointment record (人民调解法 Arts. 13-14), printed in the package's proof
that the organisation presided. The thresholds are platform-wide, like the LPR history and
the legal calendar (any administrator keeps them); a mediator's record is kept only by the
administrator of the mediator's own organisation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, requires, requires_object
from app.accounts import appointments, court_levels
from app.accounts.activity import mediation_staff
from app.core import prg
from app.core.errors import DomainError
from app.extensions import db
from app.models.users import Role, User

bp = Blueprint("admin_registers", __name__, url_prefix="/admin/registers")

THRESHOLD_FIELDS = ("province", "same_min", "cross_min", "effective_from", "source")
APPOINTMENT_FIELDS = ("appointment_number", "appointed_on", "appointed_by")


@bp.before_request
def _back_to_index() -> None:
    """A refused action goes back to the registers page (:mod:`app.core.prg`)."""
    g.prg_back = url_for("admin_registers.index")


@bp.route("/")
@requires(Permission.COURT_LEVELS_MANAGE)
def index() -> tuple[str, int]:
    stash = prg.take()
    status, typed, which = 200, {}, None
    if stash:
        status, which = stash.status, stash.extra.get("form")
        typed = {name: stash.value(name) for name in (*THRESHOLD_FIELDS, *APPOINTMENT_FIELDS)}
        for message in stash.errors.values():
            flash(message, "error")
    return render_template(
        "admin/registers.html",
        thresholds=court_levels.threshold_rows(),
        mediators=_mediators(),
        typed=typed,
        typed_for=which,
    ), status


def _mediators() -> list[User]:
    return [u for u in mediation_staff(current_user.mediation_org_id) if u.role == Role.MEDIATOR]


def _refused(err: DomainError, anchor: str, extra: dict[str, Any]) -> Response:
    target = url_for("admin_registers.index") + anchor
    return prg.redirect_with(target, err.message, form=request.form, extra=extra, status=err.status)


@bp.route("/court-levels", methods=["POST"])
@requires(Permission.COURT_LEVELS_MANAGE)
def set_threshold() -> Response:
    """Add or correct one province's figures (:mod:`app.accounts.court_levels`)."""
    form = request.form
    try:
        item = court_levels.read_threshold(*(form.get(name, "") for name in THRESHOLD_FIELDS))
        court_levels.set_threshold(current_user._get_current_object(), item)
    except DomainError as err:
        return _refused(err, "#court-levels", {"form": "threshold"})
    flash(_("The thresholds of %(province)s were saved.", province=item.province), "success")
    return redirect(url_for("admin_registers.index") + "#court-levels")


@bp.route("/mediators/<int:user_id>/appointment", methods=["POST"])
@requires(Permission.USER_MANAGE)
def set_appointment(user_id: int) -> Response:
    """Record a mediator's appointment (:mod:`app.accounts.appointments`). Only the
    administrator of the mediator's own organisation may (404 otherwise)."""
    mediator = db.session.get(User, user_id)
    requires_object(Permission.USER_MANAGE, mediator)
    assert mediator is not None
    form = request.form
    try:
        record = appointments.read_appointment(*(form.get(name, "") for name in APPOINTMENT_FIELDS))
        appointments.set_appointment(current_user._get_current_object(), mediator, record)
    except DomainError as err:
        return _refused(err, f"#mediator-{user_id}", {"form": f"mediator-{user_id}"})
    flash(_("The appointment record of %(name)s was saved.", name=mediator.name), "success")
    return redirect(url_for("admin_registers.index") + f"#mediator-{user_id}")
