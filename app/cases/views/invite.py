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
from app.core import prg
from app.core.errors import DomainError
from app.extensions import db
from app.models.cases import Case
from app.models.invitations import Invitation
from app.models.notifications import Channel
from app.rules.case_parties import role_label
from app.rules.consents import CONSENTS
from app.rules.contacts import mask_email, mask_phone

bp = Blueprint("invite", __name__, url_prefix="/invite")
SESSION_KEY = "invitation_id"
DECLINED_KEY = "declined_case_id"


@bp.errorhandler(LinkRefused)
def _refused(err: LinkRefused) -> tuple[str, int]:
    return render_template("invite/refused.html", message=err.message), err.status


def _channels(invitation: Invitation) -> list[tuple[str, str]]:
    """Where the invitee's code may go: their own phone and email (the debtor's, or the
    guarantor's or co-borrower's own)."""
    invitee = joining.invitee_of(invitation)
    options = []
    if invitee.phone:
        options.append((Channel.SMS.value, _("SMS to %(to)s", to=mask_phone(invitee.phone))))
    if invitee.email:
        options.append((Channel.EMAIL.value, _("Email to %(to)s", to=mask_email(invitee.email))))
    return options


def _party_label(invitation: Invitation) -> str | None:
    """保证人 / 共同借款人 when the link invites an additional party; None for the debtor."""
    party = joining.invitee_of(invitation).party
    return role_label(party.role, party.guarantee_kind) if party is not None else None


def _channel() -> Channel:
    try:
        return Channel(request.form.get("channel", ""))
    except ValueError:
        raise InvitationError("channel_choice", "channel") from None


def _start_page(token: str, invitation: Invitation) -> tuple[str, int]:
    stash = prg.take()
    return render_template(
        "invite/start.html",
        token=token,
        case=case_of(invitation),
        party_label=_party_label(invitation),
        channels=_channels(invitation),
        channel=stash.value("channel"),
        error=stash.error,
    ), stash.status


@bp.route("/<token>", methods=["GET"])
@public
def start(token: str) -> tuple[str, int]:
    return _start_page(token, service.open_invitation(token))


@bp.route("/<token>/identity", methods=["GET", "POST"])
@public
def identity(token: str) -> tuple[str, int] | Response:
    """The identity step; a reload (a phone coming back from the SMS app) shows it again."""
    invitation = service.open_invitation(token)
    if request.method == "GET":
        return _start_page(token, invitation)
    try:
        service.check_id_suffix(invitation, request.form.get("id_suffix", ""), _channel())
    except DomainError as err:
        if isinstance(err, LinkRefused):  # the fifth wrong answer closed the link
            raise
        # The ID number's end is an answer to a secret question: not kept.
        target = url_for("invite.identity", token=token)
        return prg.redirect_with(target, err.message, drop={"id_suffix"}, status=err.status)
    return redirect(url_for("invite.code", token=token))


@bp.route("/<token>/code", methods=["GET", "POST"])
@public
def code(token: str) -> tuple[str, int] | Response:
    invitation = service.open_invitation(token)
    if request.method == "GET":
        stash = prg.take()
        return render_template(
            "invite/code.html", token=token, case=case_of(invitation), error=stash.error
        ), stash.status
    try:
        service.verify_code(invitation, request.form.get("code", ""))
    except DomainError as err:
        target = url_for("invite.code", token=token)
        return prg.redirect_with(target, err.message, status=err.status)
    session.clear()
    session[SESSION_KEY] = invitation.id
    return redirect(url_for("invite.join"))


def _consents() -> list[tuple[str, str, bool]]:
    english = str(get_locale()) == "en"
    return [(c.kind, c.en if english else c.zh, c.required_to_join) for c in CONSENTS]


def _join_page(invitation: Invitation) -> tuple[str, int]:
    stash = prg.take()
    return render_template(
        "invite/join.html",
        case=case_of(invitation),
        party_label=_party_label(invitation),
        consents=_consents(),
        given=set(stash.all("consent")),
        reason=stash.value("reason"),
        error=stash.error,
        min_length=MIN_PASSWORD_LENGTH,
    ), stash.status


@bp.route("/join", methods=["GET", "POST"])
@public
def join() -> tuple[str, int] | Response:
    invitation = joining.pending_invitation(session.get(SESSION_KEY))
    case = case_of(invitation)
    if request.method == "GET":
        return _join_page(invitation)
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
        if isinstance(err, LinkRefused):
            raise
        return prg.redirect_with(url_for("invite.join"), err.message, status=err.status)
    session.clear()
    login_user(user)
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/decline", methods=["POST"])
@public
def decline() -> Response:
    invitation = joining.pending_invitation(session.get(SESSION_KEY))
    case = case_of(invitation)
    try:
        joining.decline_mediation(invitation, request.form.get("reason", ""))
    except DomainError as err:
        if isinstance(err, LinkRefused):
            raise
        return prg.redirect_with(url_for("invite.join"), err.message, status=err.status)
    session.clear()
    session[DECLINED_KEY] = case.id
    return redirect(url_for("invite.declined"))


@bp.route("/declined", methods=["GET"])
@public
def declined() -> str:
    """What declining did, shown by a GET so that a reload does not post again."""
    case = db.session.get(Case, session.get(DECLINED_KEY) or 0)
    if case is None:
        raise LinkRefused("unknown")
    return render_template("invite/declined.html", case=case)
