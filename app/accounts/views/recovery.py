"""Forgotten password: ask for a code on the sign-in page, then enter it with a new
password (:mod:`app.accounts.recovery`). Both forms follow post/redirect/get
(:mod:`app.core.prg`); the address typed is kept in the session between the two steps,
never the code or the password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.access import public
from app.accounts import recovery
from app.accounts.auth import MIN_PASSWORD_LENGTH
from app.accounts.views.auth import client_ip
from app.core import prg
from app.core.errors import DomainError
from app.models.notifications import Channel
from app.rules.contacts import mask_email, mask_phone

bp = Blueprint("recovery", __name__, url_prefix="/login")
SESSION_KEY = "password_reset_for"


def _masked(key: str) -> str:
    return mask_email(key) if recovery.channel_for(key) == Channel.EMAIL else mask_phone(key)


@bp.route("/forgot", methods=["GET", "POST"])
@public
def forgot() -> tuple[str, int] | Response:
    if request.method == "GET":
        stash = prg.take()
        return render_template(
            "auth/forgot.html",
            identifier=stash.value("identifier", session.get(SESSION_KEY, "")),
            error=stash.error,
        ), stash.status
    identifier = request.form.get("identifier", "")
    try:
        recovery.request_reset(identifier, ip=client_ip())
    except DomainError as err:
        return prg.redirect_with(url_for("recovery.forgot"), err.message, status=err.status)
    key = recovery.login_key(identifier)
    session[SESSION_KEY] = key
    # The same words whether or not an account uses the address (never tell which).
    flash(
        _(
            "If an account uses %(to)s, we have sent a 6-digit code to it. "
            "It is valid for 10 minutes.",
            to=_masked(key),
        ),
        "info",
    )
    return redirect(url_for("recovery.reset"))


@bp.route("/reset", methods=["GET", "POST"])
@public
def reset() -> tuple[str, int] | Response:
    key = session.get(SESSION_KEY)
    if not key:
        return redirect(url_for("recovery.forgot"))
    if request.method == "GET":
        stash = prg.take()
        return render_template(
            "auth/reset.html",
            to=_masked(key),
            identifier=key,
            errors=stash.errors,
            error=stash.error,
            min_length=MIN_PASSWORD_LENGTH,
        ), stash.status
    try:
        recovery.reset_password(
            key,
            request.form.get("code", ""),
            request.form.get("new", ""),
            request.form.get("confirm", ""),
            ip=client_ip(),
        )
    except DomainError as err:
        errors = {err.field or "": err.message}
        return prg.redirect_with(url_for("recovery.reset"), errors, status=err.status)
    session.pop(SESSION_KEY, None)
    flash(_("Your password was changed and every session ended. Sign in with it now."), "success")
    return redirect(url_for("auth.login"))
