"""Sign in and sign out."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.access import Permission, public, requires, role_home_endpoint
from app.accounts import auth as auth_service
from app.accounts.errors import SecondFactorRequired, SignInThrottled
from app.core import prg
from app.core.errors import DomainError
from app.rules.throttle import ThrottlePolicy
from app.signing.reauth import ReauthError

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("Email or mobile number"), validators=[DataRequired(), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    # Asked for only when the account has seen failed tries (a second factor).
    code = StringField(_l("One-time code"), validators=[Optional(), Length(max=12)])


def session_limits() -> auth_service.SessionLimits:
    s = current_app.config["SETTINGS"]
    window = timedelta(minutes=s.login_window_minutes)
    return auth_service.SessionLimits(
        policy=ThrottlePolicy(s.login_max_failures, window),
        lifetime=timedelta(hours=s.session_hours),
        address=ThrottlePolicy(s.login_ip_max_failures, window),
        everyone=ThrottlePolicy(s.login_global_max_failures, window),
    )


def client_ip() -> str:
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for(role_home_endpoint(current_user)))
    if request.method == "GET":
        return _login_page(prg.take())
    form = LoginForm()
    if not form.validate_on_submit():
        errors = {name: " ".join(map(str, errs)) for name, errs in form.errors.items()}
        return _back_to_login(errors, ask_code=bool(form.code.data))
    try:
        user, token = auth_service.sign_in(
            form.identifier.data or "",
            form.password.data or "",
            ip=client_ip(),
            user_agent=request.headers.get("User-Agent", ""),
            limits=session_limits(),
            code=form.code.data or "",
        )
    except SignInThrottled as err:
        # The throttle's 429 is answered at once: its Retry-After header is the point.
        page = _login_page(prg.Stash(values=prg.kept_values(), errors={"": err.message}))
        return page, err.status, {"Retry-After": str(err.retry_after)}
    except DomainError as err:
        # Back to the form with the refusal (post/redirect/get). A form sign-in has no
        # WWW-Authenticate challenge to send with a 401 or 403.
        ask_code = isinstance(err, SecondFactorRequired | ReauthError)
        notice = "info" if isinstance(err, SecondFactorRequired) else "error"
        return _back_to_login({"": err.message}, ask_code=ask_code, notice=notice)
    session.clear()  # a new session id: nothing from before sign-in carries over
    login_user(user)
    return redirect(safe_next(request.args.get("next")) or url_for(role_home_endpoint(user)))


def _back_to_login(errors: dict[str, str], *, ask_code: bool, notice: str = "error") -> Response:
    """The sign-in form again, by a redirect, with what was typed (never the password or
    the code) and the refusal; with the code field when the account asks for one."""
    target = url_for("auth.login", next=safe_next(request.args.get("next")))
    return prg.redirect_with(target, errors, extra={"ask_code": ask_code, "tone": notice})


def _login_page(stash: prg.Stash) -> str:
    form = LoginForm(formdata=stash.formdata() if stash.values else None)
    for name, message in stash.errors.items():
        if name and name in form:
            form[name].errors = [message]
    form.code.data = ""  # a code is never shown back
    return render_template(
        "auth/login.html",
        form=form,
        error=stash.errors.get(""),
        ask_code=bool(stash.extra.get("ask_code")),
        notice=stash.extra.get("tone", "error"),
    )


class LogoutForm(FlaskForm):
    pass


@bp.route("/logout", methods=["POST"])
@requires(Permission.ACCOUNT_MANAGE)
def logout() -> Response:
    token = current_user.session_token
    auth_service.sign_out(current_user, token)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
