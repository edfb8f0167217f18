"""The debtor's way in: the invitation link, identity check, password and consents.

The link page is public (the debtor has no account yet); each step checks the invitation.
After the one-time code, the rest happens in this browser session only: the link itself
no longer opens anything.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_user
from werkzeug.wrappers import Response

from app.access import public
from app.accounts.auth import MIN_PASSWORD_LENGTH, open_session
from app.accounts.views.auth import client_ip, session_limits
from app.cases import invitations as service
from app.core.messages import INVITATION_ERRORS
from app.extensions import db
from app.models.cases import Case
from app.models.invitations import Invitation
from app.models.notifications import Channel
from app.rules.consents import CONSENTS
from app.rules.contacts import mask_email, mask_phone

bp = Blueprint("invite", __name__, url_prefix="/invite")
SESSION_KEY = "invitation_id"


def _message(code: str) -> str:
    text = str(INVITATION_ERRORS.get(code, code))
    return text % {"n": MIN_PASSWORD_LENGTH} if "%(n)s" in text else text


def _case(invitation: Invitation) -> Case:
    case = db.session.get(Case, invitation.case_id)
    assert case is not None
    return case


def _refused(code: str, status: int = 400) -> tuple[str, int]:
    return render_template("invite/refused.html", message=_message(code)), status


def _channels(case: Case) -> list[tuple[str, str]]:
    options = []
    if case.debtor_phone:
        options.append((Channel.SMS.value, _("SMS to %(to)s", to=mask_phone(case.debtor_phone))))
    if case.debtor_email:
        options.append(
            (Channel.EMAIL.value, _("Email to %(to)s", to=mask_email(case.debtor_email)))
        )
    return options


@bp.route("/<token>", methods=["GET"])
@public
def start(token: str) -> str | tuple[str, int]:
    try:
        invitation = service.open_invitation(token)
    except service.InvitationError as err:
        return _refused(err.code, 404 if err.code == "unknown" else 410)
    case = _case(invitation)
    return render_template(
        "invite/start.html", token=token, case=case, channels=_channels(case), error=None
    )


@bp.route("/<token>/identity", methods=["POST"])
@public
def identity(token: str) -> str | tuple[str, int]:
    try:
        invitation = service.open_invitation(token)
    except service.InvitationError as err:
        return _refused(err.code, 404 if err.code == "unknown" else 410)
    case = _case(invitation)
    try:
        channel = Channel(request.form.get("channel", ""))
        service.check_id_suffix(invitation, request.form.get("id_suffix", ""), channel)
    except ValueError:
        error = _("Choose where to send the code.")
    except service.InvitationError as err:
        if err.code == "revoked":
            return _refused("revoked", 410)
        error = _message(err.code)
    else:
        _kick_outbox()
        return render_template("invite/code.html", token=token, case=case, error=None)
    return render_template(
        "invite/start.html", token=token, case=case, channels=_channels(case), error=error
    ), 400


@bp.route("/<token>/code", methods=["POST"])
@public
def code(token: str) -> str | Response | tuple[str, int]:
    try:
        invitation = service.open_invitation(token)
    except service.InvitationError as err:
        return _refused(err.code, 404 if err.code == "unknown" else 410)
    try:
        service.verify_code(invitation, request.form.get("code", ""))
    except service.InvitationError as err:
        return render_template(
            "invite/code.html", token=token, case=_case(invitation), error=_message(err.code)
        ), 400
    session.clear()
    session[SESSION_KEY] = invitation.id
    return redirect(url_for("invite.join"))


def _consents() -> list[tuple[str, str, bool]]:
    english = str(get_locale()) == "en"
    return [(c.kind, c.en if english else c.zh, c.required_to_join) for c in CONSENTS]


@bp.route("/join", methods=["GET", "POST"])
@public
def join() -> str | Response | tuple[str, int]:
    try:
        invitation = service.pending_invitation(session.get(SESSION_KEY))
    except service.InvitationError as err:
        return _refused(err.code, 410)
    case = _case(invitation)
    if request.method == "GET":
        return render_template(
            "invite/join.html",
            case=case,
            consents=_consents(),
            error=None,
            min_length=MIN_PASSWORD_LENGTH,
        )
    password = request.form.get("password", "")
    error = None
    if password != request.form.get("confirm", ""):
        error = _("The two passwords differ.")
    else:
        try:
            user = service.join_case(invitation, password, set(request.form.getlist("consent")))
        except service.InvitationError as err:
            db.session.rollback()
            error = _message(err.code)
        else:
            # Signed in at once, with a server-side session like any sign-in.
            open_session(
                user, client_ip(), request.headers.get("User-Agent", ""), session_limits().lifetime
            )
            db.session.commit()
            session.clear()
            login_user(user)
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template(
        "invite/join.html",
        case=case,
        consents=_consents(),
        error=error,
        min_length=MIN_PASSWORD_LENGTH,
    ), 400


@bp.route("/decline", methods=["POST"])
@public
def decline() -> str | tuple[str, int]:
    try:
        invitation = service.pending_invitation(session.get(SESSION_KEY))
    except service.InvitationError as err:
        return _refused(err.code, 410)
    case = _case(invitation)
    try:
        service.decline_mediation(invitation, request.form.get("reason", ""))
    except service.InvitationError as err:
        db.session.rollback()
        return render_template(
            "invite/join.html",
            case=case,
            consents=_consents(),
            error=_message(err.code),
            min_length=MIN_PASSWORD_LENGTH,
        ), 400
    session.clear()
    return render_template("invite/declined.html", case=case)


def _kick_outbox() -> None:
    from app.notifications.tasks import deliver_outbox_now

    deliver_outbox_now()
