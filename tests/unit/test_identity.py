"""Resident ID numbers are checked with distinct reasons, ages count completed years,
and identity and account numbers are masked for display."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules.errors import DomainError, InvalidInput
from app.rules.identity import (
    Capacity,
    ResidentId,
    age_on,
    capacity_on,
    mask_account,
    mask_id,
    parse_resident_id,
)

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("110101199003071233", ResidentId("110101199003071233", date(1990, 3, 7), "110101")),
        ("11010119900307002X", ResidentId("11010119900307002X", date(1990, 3, 7), "110101")),
        ("11010119900307002x", ResidentId("11010119900307002X", date(1990, 3, 7), "110101")),
        (" 110101199003071233\n", ResidentId("110101199003071233", date(1990, 3, 7), "110101")),
        ("440304200002290014", ResidentId("440304200002290014", date(2000, 2, 29), "440304")),
        ("110101202501010016", ResidentId("110101202501010016", date(2025, 1, 1), "110101")),
    ],
)
def test_a_valid_resident_id_is_normalised_and_read(raw: str, expected: ResidentId) -> None:
    assert parse_resident_id(raw, TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_format"),
        ("11010119900307123", "id_format"),  # 17 characters
        ("1101011990030712333", "id_format"),  # 19 characters
        ("110101900307123", "id_format"),  # first-generation 15-digit number
        ("110101 199003071233", "id_format"),  # a space inside
        ("１１０１０１１９９００３０７１２３３", "id_format"),  # full-width digits
        ("1101011990030712X3", "id_format"),  # X not in last place
        ("11010119900307123Y", "id_format"),
        ("110101199002301236", "id_birth_date"),  # 30 February
        ("110101189912310010", "id_birth_date"),  # before 1900
        ("110101202701010010", "id_future_birth"),
        ("110101199003071234", "id_checksum"),
        ("110101199003071230", "id_checksum"),
        ("110101199003070021", "id_checksum"),  # should end in X
    ],
)
def test_an_invalid_resident_id_is_refused_with_its_reason(raw: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_resident_id(raw, TODAY)
    assert refused.value.code == code


def test_a_birth_date_of_today_is_not_in_the_future() -> None:
    number = "110101202501010016"
    assert parse_resident_id(number, date(2025, 1, 1)).birth_date == date(2025, 1, 1)


def test_invalid_input_is_a_domain_error_carrying_its_code_and_status() -> None:
    error = InvalidInput("id_checksum", "debtor_id_number")
    assert isinstance(error, DomainError)
    assert (error.code, error.field, error.status, str(error)) == (
        "id_checksum",
        "debtor_id_number",
        400,
        "id_checksum",
    )


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(1990, 3, 7), date(2026, 3, 6), 35),  # the day before the birthday
        (date(1990, 3, 7), date(2026, 3, 7), 36),  # the birthday itself
        (date(1990, 3, 7), date(1990, 3, 7), 0),
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # leap-day birthday, common year
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(1990, 12, 31), date(2026, 1, 1), 35),
    ],
)
def test_age_counts_completed_years(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_age_before_birth_is_refused() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110101199003071234", "110101********1234"),
        ("11010119900307002X", "110101********002X"),
        (" 110101199003071234 ", "110101********1234"),
        ("1101011990030712345", "****2345"),  # 19 characters: not a resident ID
        ("E12345678", "****5678"),  # passport: last four only, length hidden
        ("G1234", "****1234"),
        ("1234", "****"),  # too short to show any of it
        ("", ""),
        ("   ", ""),
    ],
)
def test_identity_numbers_are_masked(number: str, masked: str) -> None:
    assert mask_id(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("6222020200112233445", "****3445"),
        ("6222 0202 0011 2233 445", "****3445"),
        ("6222-0202-0011-2233", "****2233"),
        ("123", "****"),
        ("", ""),
    ],
)
def test_account_numbers_show_only_the_last_four(number: str, masked: str) -> None:
    assert mask_account(number) == masked


@pytest.mark.parametrize(
    ("birth", "day", "expected"),
    [
        (date(2008, 3, 3), date(2026, 3, 3), Capacity.FULL),  # 18th birthday (民法典 Art. 17)
        (date(2008, 3, 3), date(2026, 3, 2), Capacity.FULL_IF_SELF_SUPPORTING),  # 17
        (date(2010, 3, 3), date(2026, 3, 3), Capacity.FULL_IF_SELF_SUPPORTING),  # 16 (Art. 18)
        (date(2010, 3, 3), date(2026, 3, 2), Capacity.LIMITED),  # 15 (Art. 19)
        (date(2026, 3, 3), date(2026, 3, 2), Capacity.LIMITED),  # not yet born
    ],
)
def test_civil_code_arts_17_to_19_capacity_by_age(
    birth: date, day: date, expected: Capacity
) -> None:
    """民法典 Art. 18 para. 2: a 16- or 17-year-old living mainly on their own labour
    income is treated as fully capable; the age alone cannot tell, so it is a condition."""
    assert capacity_on(birth, day) is expected
