"""Dates are shown on the legal clock (Beijing time) and written per language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import force_locale, format_date, format_datetime, get_locale

from app.core.format import DATE_PATTERNS, DATETIME_PATTERNS, local_date, local_datetime, money

LATE_EVENING_UTC = datetime(2026, 11, 28, 16, 30, tzinfo=UTC)  # 00:30 next day in Beijing


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh_Hans_CN", "2026年11月29日 00:30"), ("en", "29 Nov 2026, 00:30")],
)
def test_instants_are_shown_in_beijing_time_per_locale(app: Flask, locale, expected) -> None:
    with app.test_request_context(), force_locale(locale):
        assert local_datetime(LATE_EVENING_UTC) == expected


@pytest.mark.parametrize(
    ("locale", "expected"), [("zh_Hans_CN", "2027年2月28日"), ("en", "28 Feb 2027")]
)
def test_dates_per_locale(app: Flask, locale: str, expected: str) -> None:
    with app.test_request_context(), force_locale(locale):
        assert local_date(date(2027, 2, 28)) == expected
        assert local_date(None) == ""


# The common cases are spelled by app.core.format itself (a docket page writes dozens per
# view); Babel spells them with the same patterns. Both must give the same text.
_INSTANTS = [
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC) + timedelta(hours=7 * n, minutes=13 * n)
    for n in range(0, 1300)
]
_AMOUNTS = [
    Decimal(v)
    for v in (
        "0",
        "0.00",
        "0.004",
        "0.005",
        "0.015",
        "0.025",
        "1",
        "-1",
        "12.5",
        "999.995",
        "1000",
        "-1234.565",
        "1234567.891",
        "12345678901.23",
        "100000000",
        "0.1",
        "-0.004",
    )
]


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_the_fast_spellings_are_babels(app: Flask, locale: str) -> None:
    with app.test_request_context(), force_locale(locale):
        lang = "en" if locale == "en" else "zh"
        for instant in _INSTANTS:
            assert local_datetime(instant) == format_datetime(instant, DATETIME_PATTERNS[lang])
            day = instant.date()
            assert local_date(day) == format_date(day, DATE_PATTERNS[lang])
        for amount in _AMOUNTS + [Decimal(n) / 1000 for n in range(-3000, 3000, 7)]:
            expected = format_decimal(abs(amount), format="#,##0.00", locale=get_locale())
            assert money(amount) == ("-" if amount < 0 else "") + "¥" + expected, amount


def test_money_refuses_a_float_and_writes_nothing_for_none(app: Flask) -> None:
    with app.test_request_context():
        assert money(None) == ""
        with pytest.raises(TypeError):
            money(1.5)  # type: ignore[arg-type]
