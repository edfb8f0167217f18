"""Blueprints, error pages, template helpers and response headers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from flask import Flask, Response, jsonify, render_template, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.access import Permission, can
from app.accounts.auth import MIN_PASSWORD_LENGTH


def register_web(app: Flask) -> None:
    from app.accounts.views import account, admin, auth
    from app.agreements import views as agreements
    from app.calendar import views as admin_calendar
    from app.cases.views import cases, docket, invite
    from app.confirmation.views import confirmation, packages
    from app.core.labels import action_label
    from app.negotiation.views import objections, proposals, statements, threads
    from app.web import home, verify

    features = (auth, account, home, admin, admin_calendar, cases, invite, docket, verify, packages)
    negotiation = (confirmation, agreements, objections, statements, proposals, threads)  # panels
    for module in features + negotiation:
        app.register_blueprint(module.bp)
    app.add_template_filter(action_label)
    # Flask's own static route is public by nature (stylesheets, icons, fonts).
    app.view_functions["static"].__access__ = "public"  # type: ignore[attr-defined]

    app.add_template_filter(money)
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(local_date, "date")
    app.context_processor(_template_context)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def money(amount: Decimal | None) -> str:
    """¥12,000.00 in both languages: yuan with fen, grouped by thousands."""
    if amount is None:
        return ""
    if not isinstance(amount, Decimal):
        raise TypeError("money is Decimal, never float")
    sign = "-" if amount < 0 else ""
    return sign + "¥" + format_decimal(abs(amount), format="#,##0.00", locale=str(get_locale()))


DATETIME_PATTERNS = {"zh": "yyyy年M月d日 HH:mm", "en": "d MMM yyyy, HH:mm"}
DATE_PATTERNS = {"zh": "yyyy年M月d日", "en": "d MMM yyyy"}


def _language() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def local_datetime(value: Any) -> str:
    """An instant on the legal clock (Beijing time), written the way each language does."""
    return format_datetime(value, DATETIME_PATTERNS[_language()]) if value is not None else ""


def local_date(value: Any) -> str:
    return format_date(value, DATE_PATTERNS[_language()]) if value is not None else ""


NAV = (
    (Permission.CREDITOR_WORKSPACE, "home.creditor", _l("Overview")),
    (Permission.CASE_CREATE, "cases.index", _l("Cases")),
    (Permission.DEBTOR_WORKSPACE, "home.debtor", _l("My cases")),
    (Permission.DOCKET_VIEW, "docket.index", _l("Docket")),
    (Permission.ORGANISATION_MANAGE, "admin.home", _l("Organisation")),
    (Permission.CALENDAR_MANAGE, "admin_calendar.index", _l("Legal calendar")),
    (Permission.ACCOUNT_MANAGE, "account.show", _l("Account")),
    (None, "verify.index", _l("Verify a document")),
)


def _template_context() -> dict[str, Any]:
    locale = str(get_locale() or "zh_Hans_CN")
    nav = [
        (endpoint, str(label))
        for perm, endpoint, label in NAV
        if perm is None or can(current_user, perm)
    ]
    return {
        "html_lang": "zh-CN" if locale.startswith("zh") else "en",
        "current_locale": locale,
        "nav": nav,
        "min_password_length": MIN_PASSWORD_LENGTH,
    }


_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_user and current_user.is_authenticated:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _error_message(code: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This action is not allowed here."),
        413: _("What you sent is larger than the limit of %(mb)s MB.", mb=_max_mb()),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    return messages.get(code, _("Something went wrong on our side. Nothing was saved."))


def _max_mb() -> int:
    from flask import current_app

    return int(current_app.config["SETTINGS"].max_upload_mb)


def _render_error(code: int, message: str) -> tuple[Any, int]:
    if _wants_json():
        return jsonify(error=message, status=code), code
    return render_template("error.html", code=code, message=message), code


def _csrf_error(err: CSRFError) -> tuple[Any, int]:
    return _render_error(
        400,
        _(
            "This form has expired or did not come from this site. Go back, reload the page "
            "and send it again."
        ),
    )


def _http_error(err: HTTPException) -> tuple[Any, int]:
    code = err.code or 500
    return _render_error(code, _error_message(code))
