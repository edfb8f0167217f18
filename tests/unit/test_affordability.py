"""The income-and-spending statement (:mod:`app.rules.affordability`): what is left each
month, the affordable band (80% / 50% of it, whole yuan, rounded down), plain
explanations, and a strict form reader."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.rules.affordability import (
    ESSENTIAL_CATEGORIES,
    INCOME_SOURCES,
    Statement,
    assess,
    fits,
    fits_lump_sum,
    parse_statement,
    yuan,
)

D = Decimal


def statement(
    income: dict[str, str] | None = None,
    spending: dict[str, str] | None = None,
    savings: str = "0",
    assets: str = "0",
) -> Statement:
    return Statement(
        household_size=3,
        dependants=1,
        income={k: D(v) for k, v in (income or {}).items()},
        spending={k: D(v) for k, v in (spending or {}).items()},
        savings=D(savings),
        assets=D(assets),
    )


# Wages 6,500 + benefits 350 = 6,850; housing 2,500 + food 1,500 + utilities 300 +
# transport 400 + health 300 = 5,000; 1,850 left.
TYPICAL = statement(
    income={"wages": "6500", "benefits": "350"},
    spending={"housing": "2500", "food": "1500", "utilities": "300", "transport": "400"}
    | {"health": "300"},
    savings="5000",
    assets="80000",
)


def test_a_typical_statement_leaves_a_band_of_half_to_four_fifths_of_what_is_left() -> None:
    result = assess(TYPICAL)
    assert result.monthly_income == D("6850")
    assert result.essential_spending == D("5000")
    assert result.disposable == D("1850")
    assert (result.band_low, result.band_high) == (D("925.00"), D("1480.00"))
    assert result.lump_sum_capacity == D("5000")  # savings only: the flat is not cash


def test_the_explanation_gives_the_figures_in_plain_words() -> None:
    result = assess(TYPICAL)
    assert result.explanation_zh == (
        "扣除必要开支后，您每月还剩 ¥1,850；每月不超过 ¥1,480 的还款计划能为意外开支留出余地。"
    )
    assert result.explanation_en == (
        "After your essential spending you have ¥1,850 a month; a plan of up to ¥1,480 "
        "a month leaves room for the unexpected."
    )


@pytest.mark.parametrize(
    ("left", "low", "high"),
    [
        ("1850", "925.00", "1480.00"),
        ("1000.99", "500.00", "800.00"),  # 500.495 and 800.792 round down
        ("1851.25", "925.00", "1481.00"),  # 925.625 and 1,481.00
        ("1.24", "0.00", "0.00"),
        ("2.50", "1.00", "2.00"),
        ("99.99", "49.00", "79.00"),
    ],
)
def test_the_band_is_rounded_down_to_whole_yuan(left: str, low: str, high: str) -> None:
    result = assess(statement(income={"wages": left}))
    band = (result.band_low, result.band_high)
    assert band == (D(low), D(high))
    assert [str(x) for x in band] == [low, high]


@pytest.mark.parametrize(
    ("income", "spending", "zh", "en"),
    [
        (
            "3000",
            "3320",
            "您每月的必要开支比收入多 ¥320，目前没有余力还款。调解员会考虑这一情况。",
            "Your essential spending is ¥320 a month more than your income, so there is no "
            "room for repayments right now. The mediator will take that into account.",
        ),
        (
            "3000",
            "3000",
            "扣除必要开支后，您每月还剩 ¥0，目前没有余力还款。调解员会考虑这一情况。",
            "After your essential spending you have ¥0 a month, so there is no room for "
            "repayments right now. The mediator will take that into account.",
        ),
        (
            "3000.50",
            "3000",
            "扣除必要开支后，您每月还剩 ¥0.50，目前没有余力还款。调解员会考虑这一情况。",
            "After your essential spending you have ¥0.50 a month, so there is no room for "
            "repayments right now. The mediator will take that into account.",
        ),
    ],
)
def test_with_nothing_left_the_band_is_zero_and_the_explanation_says_so_plainly(
    income: str, spending: str, zh: str, en: str
) -> None:
    result = assess(statement(income={"wages": income}, spending={"housing": spending}))
    assert (result.band_low, result.band_high) == (D(0), D(0))
    assert result.disposable == D(income) - D(spending)  # kept as it is, even negative
    assert (result.explanation_zh, result.explanation_en) == (zh, en)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("1850", "¥1,850"), ("1850.00", "¥1,850"), ("1850.5", "¥1,850.50"), ("0", "¥0")]
    + [("12345678.9", "¥12,345,678.90"), ("999", "¥999")],
)
def test_amounts_for_the_debtor_show_no_decimals_when_whole(amount: str, expected: str) -> None:
    assert yuan(D(amount)) == expected


@pytest.mark.parametrize(
    ("monthly", "expected"),
    [
        ("0", "within"),
        ("925", "within"),
        ("1480", "within"),
        ("1480.01", "stretch"),
        ("1850", "stretch"),
        ("1850.01", "beyond"),
    ],
)
def test_a_monthly_payment_is_within_the_band_a_stretch_or_beyond(
    monthly: str, expected: str
) -> None:
    assert fits(D(monthly), assess(TYPICAL)) == expected


def test_with_spending_above_income_any_payment_is_beyond() -> None:
    result = assess(statement(income={"wages": "1000"}, spending={"food": "1200"}))
    assert fits(D("0.01"), result) == "beyond"


@pytest.mark.parametrize(("amount", "expected"), [("5000", "within"), ("5000.01", "beyond")])
def test_a_lump_sum_is_measured_against_savings(amount: str, expected: str) -> None:
    assert fits_lump_sum(D(amount), assess(TYPICAL)) == expected


@pytest.mark.parametrize(
    ("income", "spending", "match"),
    [
        ({"salary": D(1)}, {}, "unknown income source: salary"),
        ({}, {"holidays": D(1)}, "unknown spending category: holidays"),
        ({"wages": D(-1)}, {}, "negative"),
    ],
)
def test_a_statement_holds_only_known_keys_and_no_negative_amounts(
    income: dict[str, Decimal], spending: dict[str, Decimal], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        Statement(1, 0, income, spending, D(0), D(0))


FORM = {
    "household_size": "3",
    "dependants": "1",
    "income_wages": "6,500",
    "income_benefits": "350.00",
    "spend_housing": "¥2,500",
    "spend_food": "1500",
    "spend_utilities": "300",
    "spend_transport": " 400 ",
    "spend_health": "300",
    "spend_childcare": "",
    "savings": "5000",
    "assets": "80000",
    "csrf_token": "ignored",
}


def test_a_filled_form_reads_into_a_statement_with_every_source_and_category() -> None:
    parsed, errors = parse_statement(FORM)
    assert errors == {}
    assert parsed is not None
    assert set(parsed.income) == set(INCOME_SOURCES)
    assert set(parsed.spending) == set(ESSENTIAL_CATEGORIES)
    assert parsed.income["wages"] == D("6500.00")
    assert parsed.income["pension"] == D("0.00")  # missing is zero
    assert parsed.spending["childcare"] == D("0.00")  # empty is zero
    assert assess(parsed).disposable == assess(TYPICAL).disposable


def test_only_the_household_size_is_required() -> None:
    parsed, errors = parse_statement({"household_size": "1"})
    assert errors == {}
    assert parsed is not None
    assert (parsed.household_size, parsed.dependants, parsed.savings) == (1, 0, D(0))
    assert sum(parsed.income.values()) == 0


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"household_size": ""}, {"household_size": "required"}),
        ({"household_size": "0"}, {"household_size": "household_size_range"}),
        ({"household_size": "21"}, {"household_size": "household_size_range"}),
        ({"household_size": "99999999999"}, {"household_size": "household_size_range"}),
        ({"household_size": "three"}, {"household_size": "number_format"}),
        ({"household_size": "-1"}, {"household_size": "number_format"}),
        ({"household_size": "2.5"}, {"household_size": "number_format"}),
        ({"household_size": "３"}, {"household_size": "number_format"}),  # full-width
        ({"dependants": "3"}, {"dependants": "dependants_household"}),
        ({"dependants": "20", "household_size": "20"}, {"dependants": "dependants_range"}),
        ({"dependants": "x"}, {"dependants": "number_format"}),
        ({"income_wages": "-100"}, {"income_wages": "money_negative"}),
        ({"income_wages": "12,00"}, {"income_wages": "money_grouping"}),
        ({"spend_food": "12.345"}, {"spend_food": "money_precision"}),
        ({"savings": "一万"}, {"savings": "money_format"}),
        ({"assets": "99999999999"}, {"assets": "money_too_large"}),
        (
            {"household_size": "", "spend_housing": "1e3", "income_other": "0.001"},
            {
                "household_size": "required",
                "spend_housing": "money_format",
                "income_other": "money_precision",
            },
        ),
    ],
)
def test_a_form_with_mistakes_gives_a_code_for_each_field_and_no_statement(
    changes: dict[str, str], errors: dict[str, str]
) -> None:
    parsed, found = parse_statement(FORM | changes)
    assert parsed is None
    assert found == errors


@pytest.mark.parametrize(("size", "dependants"), [("1", "0"), ("20", "19"), ("2", "")])
def test_dependants_may_be_anything_from_none_to_one_fewer_than_the_household(
    size: str, dependants: str
) -> None:
    parsed, errors = parse_statement(FORM | {"household_size": size, "dependants": dependants})
    assert errors == {}
    assert parsed is not None


# The statement form's running total (the page's script sums the same way).
RUNNING = [
    ({}, "0.00", "0.00", "0.00", ()),
    ({"income_wages": "8000", "spend_food": "2000"}, "8000.00", "2000.00", "6000.00", ()),
    (
        {"income_wages": "0.8万", "income_other": "１２００", "spend_housing": "¥3,000.50"},
        "9200.00",
        "3000.50",
        "6199.50",
        (),
    ),
    ({"income_wages": "1,2", "spend_food": "500"}, "0.00", "500.00", "-500.00", ("income_wages",)),
    (
        {"income_wages": "-5", "spend_food": "abc"},
        "0.00",
        "0.00",
        "0.00",
        ("income_wages", "spend_food"),
    ),
    ({"savings": "5000", "assets": "9"}, "0.00", "0.00", "0.00", ()),  # not monthly
]


@pytest.mark.parametrize(("raw", "income", "spending", "left", "unreadable"), RUNNING)
def test_the_running_total_sums_what_can_be_read(raw, income, spending, left, unreadable) -> None:
    from app.rules.affordability import running_totals

    got = running_totals(raw)
    assert (got.income, got.spending, got.left) == (D(income), D(spending), D(left))
    assert got.unreadable == unreadable


def test_the_running_total_is_what_the_assessment_sums() -> None:
    from app.rules.affordability import parse_statement, running_totals

    raw = {
        "household_size": "2",
        "income_wages": "1.2万",
        "spend_food": "3千",
        "spend_health": "50",
    }
    statement, errors = parse_statement(raw)
    assert statement is not None and not errors
    a, t = assess(statement), running_totals(raw)
    assert (a.monthly_income, a.essential_spending, a.disposable) == (t.income, t.spending, t.left)
