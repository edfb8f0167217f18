"""Which language a page is in: the signed-in person's choice, else the cookie a visitor
set, else Chinese (Concord serves mainland China)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

SUPPORTED_LOCALES = ("zh_Hans_CN", "en")
LOCALE_COOKIE = "concord_lang"


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return str(current_user.locale)
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in SUPPORTED_LOCALES:
        return str(chosen)
    return "zh_Hans_CN"
