"""The mediator's view of the messages sent on a case, and the new invitation link."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, can, requires
from app.cases import invitations
from app.cases.deliveries import deliveries_of
from app.cases.views.cases import load_case
from app.core import prg
from app.core.errors import DomainError

bp = Blueprint("deliveries", __name__)


@bp.route("/cases/<int:case_id>/messages")
@requires(Permission.CASE_MESSAGES_VIEW)
def index(case_id: int) -> str:
    case = load_case(case_id, Permission.CASE_MESSAGES_VIEW)
    return render_template(
        "cases/messages.html",
        case=case,
        deliveries=deliveries_of(case),
        can_resend=can(current_user, Permission.INVITATION_RESEND, case),
    )


@bp.route("/cases/<int:case_id>/invitation/resend", methods=["POST"])
@requires(Permission.INVITATION_RESEND)
def resend(case_id: int) -> Response:
    case = load_case(case_id, Permission.INVITATION_RESEND)
    try:
        invitations.resend_invitation(current_user._get_current_object(), case)
    except DomainError as err:  # post/redirect/get: back with the refusal
        return prg.refused_to(url_for("deliveries.index", case_id=case.id), err.message, err.status)
    flash(
        _(
            "A new invitation link was issued; the old link no longer works. The table "
            "shows when each message goes out under the contact rules."
        ),
        "success",
    )
    return redirect(url_for("deliveries.index", case_id=case.id))
