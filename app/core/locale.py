"""Which language a page is in: the signed-in person's choice, else the cookie a visitor
set, else Chinese (Concord serves mainland China). The API answers in the language of
``Accept-Language`` (Chinese by default)."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

SUPPORTED_LOCALES = ("zh_Hans_CN", "en")
LOCALE_COOKIE = "concord_lang"


def locale_cookie() -> str:
    """The language cookie's name: ``__Host-`` prefixed in production (app/config.py)."""
    return str(current_app.config.get("LOCALE_COOKIE_NAME", LOCALE_COOKIE))


def select_locale() -> str:
    if request.path.startswith("/api/"):
        # An API client has no account page or cookie: it says so per request.
        asked = request.accept_languages.best_match(("zh-CN", "zh", "en"))
        return "en" if asked == "en" else "zh_Hans_CN"
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return str(current_user.locale)
    chosen = request.cookies.get(locale_cookie())
    if chosen in SUPPORTED_LOCALES:
        return str(chosen)
    return "zh_Hans_CN"
