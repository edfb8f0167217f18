"""Dates are shown on the legal clock (Beijing time) and written per language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask_babel import force_locale

from app.core.format import local_date, local_datetime

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
