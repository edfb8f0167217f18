"""How amounts and dates are written on pages, in the reader's language (template filters,
also used by views that prepare text)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal, parse_pattern
from flask_babel import format_date, format_datetime, get_locale

DATETIME_PATTERNS = {"zh": "yyyy年M月d日 HH:mm", "en": "d MMM yyyy, HH:mm"}
DATE_PATTERNS = {"zh": "yyyy年M月d日", "en": "d MMM yyyy"}
_MONEY_PATTERN = parse_pattern("#,##0.00")  # parsed once, not per amount


def money(amount: Decimal | None) -> str:
    """¥12,000.00 in both languages: yuan with fen, grouped by thousands."""
    if amount is None:
        return ""
    if not isinstance(amount, Decimal):
        raise TypeError("money is Decimal, never float")
    sign = "-" if amount < 0 else ""
    return sign + "¥" + format_decimal(abs(amount), format=_MONEY_PATTERN, locale=get_locale())


def language() -> str:
    """``zh`` or ``en``: the reader's language family."""
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def local_datetime(value: Any) -> str:
    """An instant on the legal clock (Flask-Babel's zone is ``Settings.timezone``, the same
    zone :mod:`app.core.clock` counts days in), written the way each language does."""
    return format_datetime(value, DATETIME_PATTERNS[language()]) if value is not None else ""


def local_date(value: Any) -> str:
    return format_date(value, DATE_PATTERNS[language()]) if value is not None else ""
