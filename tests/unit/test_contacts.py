"""Sign-in identifiers: email addresses and mainland mobile numbers."""

from __future__ import annotations

import pytest

from app.rules.contacts import is_mainland_mobile, normalise_login, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086-138-0013-8000", "13800138000"),
        (" 138(0013)8000 ", "13800138000"),
    ],
)
def test_normalise_phone(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        ("13800138000", True),
        ("19912345678", True),
        ("12800138000", False),  # no 12x mobile networks
        ("1380013800", False),  # ten digits
        ("138001380001", False),
        ("010-12345678", False),  # a landline
        ("１３８００１３８０００", False),  # full-width digits are not accepted silently
    ],
)
def test_is_mainland_mobile(raw: str, valid: bool) -> None:
    assert is_mainland_mobile(raw) is valid


def test_normalise_login_lowercases_emails_only() -> None:
    assert normalise_login("  Li.Ming@Example.COM ") == "li.ming@example.com"
    assert normalise_login("+86 13800138000") == "13800138000"
