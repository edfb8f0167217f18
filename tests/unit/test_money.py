"""Money and rates are read with one strict grammar and rounded with one rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.rules.errors import InvalidInput
from app.rules.money import format_rate, parse_money, parse_rate, to_fen


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
        # What a Chinese phone keyboard types:
        ("１２０００", "12000.00"),  # full-width digits
        ("１２，０００．５０", "12000.50"),  # full-width comma and point
        ("1.2万", "12000.00"),
        ("0.3万", "3000.00"),
        ("3千", "3000.00"),
        ("1.5千", "1500.00"),
        ("1.23456万", "12345.60"),  # two decimals once the unit is applied
        ("1,200万", "12000000.00"),
        ("12,000", "12000.00"),
        ("¥12000", "12000.00"),
        ("￥12,000.50", "12000.50"),
        ("¥ 12", "12.00"),
        ("12 000", "12000.00"),  # a space between digits groups thousands
        ("1.2 万", "12000.00"),
        ("\u300012000\u3000", "12000.00"),  # ideographic spaces around
        ("12000元", "12000.00"),
        ("1.2万元", "12000.00"),
        ("人民币1.2万元", "12000.00"),
        ("RMB 500", "500.00"),
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
        "+5",
        "一万",
        "万",
        "1.",
        ".5",
        ",123",
        "007",
        "12.000,50",
        "¥",
        "12¥",
        "$12",
        "0x10",
        "1_000",
    ],
)
def test_anything_outside_the_grammar_is_a_format_error(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_money(raw)
    assert refused.value.code == "money_format"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1.2.3", "money_grouping"),  # two points
        ("1,2,3", "money_grouping"),  # commas that are not thousands
        ("12,00", "money_grouping"),  # 1200 or 12.00?
        ("1234,567", "money_grouping"),
        ("1 2", "money_grouping"),  # a space is read as a thousands comma
        ("1万万", "money_unit"),
        ("万万", "money_unit"),
        ("1万2千", "money_unit"),
        ("1万2", "money_unit"),
        ("1.2万¥", "money_unit"),  # colloquial 12,000, but it could be 10,002
        ("-100", "money_negative"),
        ("－100", "money_negative"),  # full-width minus
        ("-1.2万", "money_negative"),
        ("1.2345678万", "money_precision"),  # 12,345.678 once converted
        ("0.0000001万", "money_precision"),
    ],
)
def test_an_ambiguous_amount_is_refused_not_guessed(raw: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_money(raw)
    assert refused.value.code == code


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


@pytest.mark.parametrize(
    ("rate", "places", "expected"),
    [
        ("9.6000", None, "9.6%"),  # never 9.6000%
        ("12.0000", None, "12%"),
        ("10.0000", None, "10%"),  # never 1E+1%
        ("100", None, "100%"),
        ("12.3456", None, "12.3456%"),  # a stored rate is not rounded away
        ("3.4500", None, "3.45%"),
        ("0", None, "0%"),
        ("26.7397", 2, "26.74%"),
        ("12.004", 2, "12%"),
        ("15.405", 2, "15.41%"),  # half up, the one rounding rule
    ],
)
def test_rates_are_printed_the_way_people_write_them(
    rate: str, places: int | None, expected: str
) -> None:
    assert format_rate(Decimal(rate), places) == expected


def test_a_rate_is_a_finite_decimal() -> None:
    with pytest.raises(TypeError):
        format_rate(9.6)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_rate(Decimal("NaN"))
