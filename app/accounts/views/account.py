"""A person's own account: details, password, language."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, EqualTo, Length

from app.access import Permission, can, public, requires
from app.accounts import auth as auth_service
from app.accounts import conflicts_of_interest, password_checks
from app.accounts.errors import MIN_PASSWORD_LENGTH, AccountInvalid
from app.accounts.views.auth import client_ip, safe_next, session_limits
from app.core import prg
from app.core.db import parse_id
from app.core.errors import DomainError
from app.core.locale import SUPPORTED_LOCALES, locale_cookie

bp = Blueprint("account", __name__, url_prefix="/account")


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=AccountInvalid.messages["password_too_short"],
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("zh_Hans_CN", "简体中文"), SelectChoice("en", "English")],
    )


def _render(
    form: PasswordForm, status: int = 200, conflict: dict[str, str] | None = None
) -> tuple[str, int]:
    user = current_user._get_current_object()
    may_declare = can(user, Permission.CONFLICT_DECLARE)
    return render_template(
        "account/show.html",
        form=form,
        conflicts=conflicts_of_interest.declared_conflicts(user) if may_declare else [],
        creditors=conflicts_of_interest.creditors() if may_declare else [],
        may_declare=may_declare,
        conflict=conflict or {"creditor_org_id": "", "reason": "", "error": ""},
    ), status


@bp.route("/", methods=["GET"])
@requires(Permission.ACCOUNT_MANAGE)
def show() -> tuple[str, int]:
    stash = prg.take()  # a refused password change: its refusals (never the passwords)
    form = PasswordForm(formdata=None)
    if stash.extra.get("form") == "conflict":  # a refused declaration: what was chosen
        conflict = {
            "creditor_org_id": stash.value("creditor_org_id"),
            "reason": stash.value("reason"),
            "error": stash.error or "",
        }
        return _render(form, stash.status, conflict)
    for name, message in stash.errors.items():
        if name in form:
            form[name].errors = [message]
    return _render(form, stash.status)


@bp.route("/conflicts", methods=["POST"])
@requires(Permission.CONFLICT_DECLARE)
def declare_conflict() -> Response:
    """A mediator declares a conflict of interest with a creditor: no cases from it."""
    try:
        name = conflicts_of_interest.declare_conflict(
            current_user._get_current_object(),
            parse_id(request.form.get("creditor_org_id")),
            request.form.get("reason", ""),
        )
    except DomainError as err:  # post/redirect/get: back with the refusal
        target = url_for("account.show") + "#conflicts"
        extra = {"form": "conflict"}
        return prg.redirect_with(target, err.message, extra=extra, status=err.status)
    flash(_("Your conflict of interest with %(name)s is recorded.", name=name), "success")
    return redirect(url_for("account.show") + "#conflicts")


@bp.route("/password", methods=["POST"])
@requires(Permission.ACCOUNT_MANAGE)
def change_password() -> Response:
    form = PasswordForm()
    target = url_for("account.show") + "#password"
    if not form.validate_on_submit():
        errors = {name: " ".join(map(str, errs)) for name, errs in form.errors.items()}
        return prg.redirect_with(target, errors, status=400)
    limits = session_limits()
    try:
        token = password_checks.change_password(
            current_user._get_current_object(),
            form.current.data or "",
            form.new.data or "",
            ip=client_ip(),
            user_agent=request.headers.get("User-Agent", ""),
            lifetime=limits.lifetime,
            policy=limits.policy,
        )
    except DomainError as err:
        return prg.redirect_with(target, {err.field or "current": err.message}, status=err.status)
    user = current_user._get_current_object()
    user.session_token = token
    session.clear()
    login_user(user)
    flash(_("Your password was changed. You were signed out on every other device."), "success")
    return redirect(url_for("account.show"))


@bp.route("/language", methods=["POST"])
@public
def set_language() -> Response:
    """Remember the language choice: in a cookie, and on the account when signed in."""
    form = LanguageForm()
    locale = form.locale.data if form.validate_on_submit() else None
    back = safe_next(request.form.get("next")) or url_for("home.index")
    response = make_response(redirect(back))
    if locale in SUPPORTED_LOCALES:
        response.set_cookie(
            locale_cookie(),
            locale,
            max_age=365 * 24 * 3600,
            path="/",
            samesite="Lax",
            httponly=True,
            secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"],
        )
        if current_user.is_authenticated:
            auth_service.set_locale(current_user._get_current_object(), locale)
    else:
        flash(_("Please choose one of the offered languages."), "error")
    return response
