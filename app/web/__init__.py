"""App-wide web concerns: template filters and context, security headers, error pages.
Features bring their own blueprints (registered from :mod:`app.features`)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import IntegerConverter, Map

from app.access import Permission, can
from app.accounts.auth import MIN_PASSWORD_LENGTH
from app.audit import action_label
from app.core import prg
from app.core.db import MAX_ID
from app.core.format import local_date, local_datetime, money
from app.notifications.centre import unread_count
from app.rules.money import format_rate
from app.web.errors import register_errors


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number no row can have (beyond :data:`MAX_ID`) does
    not match the route, so it is a 404 rather than an overflow in the database."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_web(app: Flask) -> None:
    # Before any blueprint: the routes are compiled with the converter they name.
    app.url_map.converters["int"] = IdConverter
    app.add_template_filter(action_label)
    # Flask's own static route is public by nature (stylesheets, icons, fonts).
    app.view_functions["static"].__access__ = "public"  # type: ignore[attr-defined]
    app.add_template_filter(money)
    app.add_template_filter(format_rate, "rate")  # 9.6000 → 9.6%
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(local_date, "date")
    app.context_processor(_template_context)
    app.after_request(_security_headers)
    app.after_request(prg.keep_status)
    app.add_template_global(prg.leftover, "prg_leftover")
    register_errors(app)


NAV = (
    (Permission.CREDITOR_WORKSPACE, "home.creditor", _l("Overview")),
    (Permission.CASE_CREATE, "cases.index", _l("Cases")),
    (Permission.DEBTOR_WORKSPACE, "home.debtor", _l("My cases")),
    (Permission.DOCKET_VIEW, "docket.index", _l("Docket")),
    (Permission.DASHBOARD_VIEW, "dashboard.index", _l("Dashboard")),
    (Permission.ORGANISATION_MANAGE, "admin.home", _l("Organisation")),
    (Permission.CALENDAR_MANAGE, "admin_calendar.index", _l("Legal calendar")),
    (Permission.COURT_LEVELS_MANAGE, "admin_registers.index", _l("Courts and mediators")),
    (Permission.COMPLIANCE_VIEW, "contact_log.compliance", _l("Contact compliance")),
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
        "unread_notifications": _unread_notifications(),
        "html_lang": "zh-CN" if locale.startswith("zh") else "en",
        "current_locale": locale,
        "nav": nav,
        "min_password_length": MIN_PASSWORD_LENGTH,
    }


def _unread_notifications() -> int | None:
    """The bell in the header: only for an account holder, with the unread count. An error
    page rendered because the database failed shows no bell rather than failing again."""
    if not can(current_user, Permission.NOTIFICATION_READ):
        return None
    try:
        return unread_count(current_user.id)
    except SQLAlchemyError:
        return None


_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


_HSTS = "max-age=63072000; includeSubDomains"


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_user and current_user.is_authenticated:
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config["SETTINGS"].is_production:
        # Production is HTTPS only (README "Deploying"): browsers must never try plain HTTP.
        response.headers.setdefault("Strict-Transport-Security", _HSTS)
    return response
