"""How amounts and dates are written on pages, in the reader's language (template filters,
also used by views that prepare text).

A docket page writes two dates and an amount on each of its rows: the common cases (an
aware instant, a date, an amount in a locale that groups with "," and marks decimals with
".") are spelled here directly, the way Babel spells them with the same patterns (the
month names are Babel's own, read once; ``tests/web/test_formatting.py`` compares both over
many values); anything else goes through Babel."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, parse_pattern
from flask_babel import format_date, format_datetime, get_locale

from app.core import clock

DATETIME_PATTERNS = {"zh": "yyyy年M月d日 HH:mm", "en": "d MMM yyyy, HH:mm"}
DATE_PATTERNS = {"zh": "yyyy年M月d日", "en": "d MMM yyyy"}
_MONEY_PATTERN = parse_pattern("#,##0.00")  # parsed once, not per amount
# "MMM" in English: Babel's abbreviated month names ("Jan" … "Dec").
_EN_MONTHS = tuple(Locale("en").months["format"]["abbreviated"][m] for m in range(1, 13))


def money(amount: Decimal | None) -> str:
    """¥12,000.00 in both languages: yuan with fen, grouped by thousands."""
    if amount is None:
        return ""
    if not isinstance(amount, Decimal):
        raise TypeError("money is Decimal, never float")
    sign = "-" if amount < 0 else ""
    locale = get_locale()
    if locale is not None and amount.is_finite() and _plain_digits(str(locale)):
        # Python's own grouping and rounding (half to even, as Babel's) give the same text.
        return f"{sign}¥{abs(amount):,.2f}"
    return sign + "¥" + format_decimal(abs(amount), format=_MONEY_PATTERN, locale=locale)


@cache
def _plain_digits(locale: str) -> bool:
    """Whether ``locale`` writes 12,345.67 (both of ours do)."""
    return get_group_symbol(locale=locale) == "," and get_decimal_symbol(locale=locale) == "."


def language() -> str:
    """``zh`` or ``en``: the reader's language family."""
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def local_datetime(value: Any) -> str:
    """An instant on the legal clock (Flask-Babel's zone is ``Settings.timezone``, the same
    zone :mod:`app.core.clock` counts days in), written the way each language does."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        t = clock.local(value)
        return _moment(t, language())
    return format_datetime(value, DATETIME_PATTERNS[language()])


def local_date(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is date:
        return _day(value, language())
    return format_date(value, DATE_PATTERNS[language()])


def _day(day: date, lang: str) -> str:
    """``DATE_PATTERNS[lang]`` spelled out."""
    if lang == "zh":
        return f"{day.year:04d}年{day.month}月{day.day}日"
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year:04d}"


def _moment(t: datetime, lang: str) -> str:
    """``DATETIME_PATTERNS[lang]`` spelled out (``t`` already on the legal clock)."""
    sep = " " if lang == "zh" else ", "
    return f"{_day(t, lang)}{sep}{t.hour:02d}:{t.minute:02d}"
