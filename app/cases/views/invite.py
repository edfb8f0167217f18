"""The debtor's way in: the invitation link, identity check, password and consents.

The link page is public (the debtor has no account yet); each step checks the invitation.
After the one-time code, the rest happens in this browser session only: the link itself
no longer opens anything. A link that can no longer be used (unknown, used, revoked,
expired) is answered with the refusal page by this blueprint's handler.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_user
from werkzeug.wrappers import Response

from app.access import public
from app.accounts.auth import MIN_PASSWORD_LENGTH
from app.accounts.views.auth import client_ip, session_limits
from app.cases import invitations as service
from app.cases import joining
from app.cases.errors import InvitationError, LinkRefused
from app.cases.joining import case_of
from app.core.errors import DomainError
from app.models.cases import Case
from app.models.notifications import Channel
from app.rules.consents import CONSENTS
from app.rules.contacts import mask_email, mask_phone

bp = Blueprint("invite", __name__, url_prefix="/invite")
SESSION_KEY = "invitation_id"


@bp.errorhandler(LinkRefused)
def _refused(err: LinkRefused) -> tuple[str, int]:
    return render_template("invite/refused.html", message=err.message), err.status


def _channels(case: Case) -> list[tuple[str, str]]:
    options = []
    if case.debtor_phone:
        options.append((Channel.SMS.value, _("SMS to %(to)s", to=mask_phone(case.debtor_phone))))
    if case.debtor_email:
        options.append(
            (Channel.EMAIL.value, _("Email to %(to)s", to=mask_email(case.debtor_email)))
        )
    return options


def _channel() -> Channel:
    try:
        return Channel(request.form.get("channel", ""))
    except ValueError:
        raise InvitationError("channel_choice", "channel") from None


def _start_page(token: str, case: Case, error: str | None = None) -> str:
    return render_template(
        "invite/start.html", token=token, case=case, channels=_channels(case), error=error
    )


@bp.route("/<token>", methods=["GET"])
@public
def start(token: str) -> str:
    return _start_page(token, case_of(service.open_invitation(token)))


@bp.route("/<token>/identity", methods=["POST"])
@public
def identity(token: str) -> str | tuple[str, int]:
    invitation = service.open_invitation(token)
    case = case_of(invitation)
    try:
        service.check_id_suffix(invitation, request.form.get("id_suffix", ""), _channel())
    except DomainError as err:
        if isinstance(err, LinkRefused):  # the fifth wrong answer closed the link
            raise
        return _start_page(token, case, err.message), err.status
    return render_template("invite/code.html", token=token, case=case, error=None)


@bp.route("/<token>/code", methods=["POST"])
@public
def code(token: str) -> Response | tuple[str, int]:
    invitation = service.open_invitation(token)
    try:
        service.verify_code(invitation, request.form.get("code", ""))
    except DomainError as err:
        return render_template(
            "invite/code.html", token=token, case=case_of(invitation), error=err.message
        ), err.status
    session.clear()
    session[SESSION_KEY] = invitation.id
    return redirect(url_for("invite.join"))


def _consents() -> list[tuple[str, str, bool]]:
    english = str(get_locale()) == "en"
    return [(c.kind, c.en if english else c.zh, c.required_to_join) for c in CONSENTS]


def _join_page(case: Case, error: str | None = None) -> str:
    return render_template(
        "invite/join.html",
        case=case,
        consents=_consents(),
        error=error,
        min_length=MIN_PASSWORD_LENGTH,
    )


@bp.route("/join", methods=["GET", "POST"])
@public
def join() -> str | Response | tuple[str, int]:
    invitation = joining.pending_invitation(session.get(SESSION_KEY))
    case = case_of(invitation)
    if request.method == "GET":
        return _join_page(case)
    try:
        user = joining.join_and_sign_in(
            invitation,
            request.form.get("password", ""),
            request.form.get("confirm", ""),
            set(request.form.getlist("consent")),
            ip=client_ip(),
            user_agent=request.headers.get("User-Agent", ""),
            lifetime=session_limits().lifetime,
        )
    except DomainError as err:
        return _join_page(case, err.message), err.status
    session.clear()
    login_user(user)
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/decline", methods=["POST"])
@public
def decline() -> str | tuple[str, int]:
    invitation = joining.pending_invitation(session.get(SESSION_KEY))
    case = case_of(invitation)
    try:
        joining.decline_mediation(invitation, request.form.get("reason", ""))
    except DomainError as err:
        return _join_page(case, err.message), err.status
    session.clear()
    return render_template("invite/declined.html", case=case)
