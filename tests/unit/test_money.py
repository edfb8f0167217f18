"""Money and rates are read with one strict grammar and rounded with one rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.rules.errors import InvalidInput
from app.rules.money import parse_money, parse_rate, to_fen


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12000", "12000.00"),
        ("12,000.50", "12000.50"),
        ("1,234,567.8", "1234567.80"),
        ("0.01", "0.01"),
        ("  88.8  ", "88.80"),
        ("¥12,000.00", "12000.00"),
        ("￥500", "500.00"),  # the full-width sign Chinese input methods type
        ("999", "999.00"),
        ("9999999999.99", "9999999999.99"),  # the default maximum itself
    ],
)
def test_a_well_formed_amount_is_read_to_two_places(raw: str, expected: str) -> None:
    amount = parse_money(raw)
    assert amount == Decimal(expected)
    assert str(amount) == expected  # exactly two decimal places


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "1e9999",
        "1E3",
        "NaN",
        "Infinity",
        "-1",
        "+5",
        "一万",
        "１２３",  # full-width digits
        "1.",
        ".5",
        "1,2,3",
        "12,00",
        "1234,567",
        ",123",
        "007",
        "1 000",
        "12.000,50",
        "¥",
        "¥ 12",
        "12¥",
        "$12",
        "12元",
        "1.2.3",
        "0x10",
        "1_000",
    ],
)
def test_anything_outside_the_grammar_is_a_format_error(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_money(raw)
    assert refused.value.code == "money_format"


@pytest.mark.parametrize(
    ("raw", "kwargs", "code"),
    [
        ("0.001", {}, "money_precision"),
        ("1.234", {}, "money_precision"),
        ("1.230", {}, "money_precision"),  # three decimals even when the last is 0
        ("0", {}, "money_zero"),
        ("0.00", {}, "money_zero"),
        ("10000000000", {}, "money_too_large"),
        ("9" * 60, {}, "money_too_large"),
        ("100.01", {"maximum": Decimal("100")}, "money_too_large"),
    ],
)
def test_an_amount_is_refused_with_its_reason(raw: str, kwargs: dict, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_money(raw, **kwargs)
    assert refused.value.code == code


@pytest.mark.parametrize(("raw", "expected"), [("0", "0.00"), ("0.00", "0.00"), ("0.5", "0.50")])
def test_zero_is_accepted_when_allowed(raw: str, expected: str) -> None:
    assert str(parse_money(raw, allow_zero=True)) == expected


def test_the_maximum_itself_is_accepted() -> None:
    assert parse_money("100", maximum=Decimal("100")) == Decimal("100.00")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1.005", "1.01"),  # half a fen rounds up, not to even
        ("1.015", "1.02"),
        ("1.004", "1.00"),
        ("-1.005", "-1.01"),  # half rounds away from zero
        ("2", "2.00"),
        ("123456789012345678901234567890.125", "123456789012345678901234567890.13"),
    ],
)
def test_to_fen_rounds_half_up(amount: str, expected: str) -> None:
    assert str(to_fen(Decimal(amount))) == expected


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_to_fen_refuses_what_is_not_a_number(amount: str) -> None:
    with pytest.raises(ValueError):
        to_fen(Decimal(amount))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18", "18.0000"),
        ("3.85", "3.8500"),
        ("24.0000", "24.0000"),
        ("0", "0.0000"),
        ("1000", "1000.0000"),
        (" 15.4% ", "15.4000"),
        ("0.0001", "0.0001"),
    ],
)
def test_a_well_formed_rate_is_read_in_percent(raw: str, expected: str) -> None:
    assert str(parse_rate(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "rate_format"),
        ("-1", "rate_format"),
        ("+18", "rate_format"),
        ("1e2", "rate_format"),
        ("NaN", "rate_format"),
        ("Infinity", "rate_format"),
        ("１８", "rate_format"),
        ("十八", "rate_format"),
        ("18.", "rate_format"),
        (".5", "rate_format"),
        ("3.85001", "rate_format"),  # a fifth decimal
        ("1,000", "rate_format"),
        ("018", "rate_format"),
        ("18%%", "rate_format"),
        ("1000.0001", "rate_range"),
        ("1001", "rate_range"),
    ],
)
def test_a_rate_is_refused_with_its_reason(raw: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_rate(raw)
    assert refused.value.code == code
