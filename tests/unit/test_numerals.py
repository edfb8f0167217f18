"""Capital numerals per 《支付结算办法》附件一 and ordinary numerals for legal text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.rules.numerals import cn_number, rmb_capital


@pytest.mark.parametrize(
    ("amount", "capital"),
    [
        ("12000", "壹万贰仟元整"),
        ("10050.05", "壹万零伍拾元零伍分"),
        ("100000.10", "壹拾万元零壹角"),  # item 四(三), first form; see numerals docstring
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("101", "壹佰零壹元整"),
        ("1001.01", "壹仟零壹元零壹分"),
        ("100000000", "壹亿元整"),
        ("1010101.01", "壹佰零壹万零壹佰零壹元零壹分"),
        ("200000.00", "贰拾万元整"),
        ("2000000.20", "贰佰万元零贰角"),
        ("0", "零元整"),
        ("0.01", "壹分"),
        ("0.15", "壹角伍分"),
        ("110000", "壹拾壹万元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("100001000", "壹亿零壹仟元整"),  # cn2an's rmb mode drops this 零: 壹亿壹仟元整
        ("600008000", "陆亿零捌仟元整"),
        ("1000000001", "壹拾亿零壹元整"),
        ("9999999999.99", "玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        # The examples printed in the rules, first form each time.
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "壹拾万柒仟元零伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
    ],
)
def test_amounts_are_written_in_capital_numerals(amount: str, capital: str) -> None:
    assert rmb_capital(Decimal(amount), prefix=False) == capital


def test_the_prefix_is_renminbi_with_no_space() -> None:
    assert rmb_capital(Decimal("12000")) == "人民币壹万贰仟元整"


@pytest.mark.parametrize("amount", ["12000", "0.05", "0.50", "1001.01", "100000.10"])
def test_zheng_follows_yuan_only_and_never_fen(amount: str) -> None:
    words = rmb_capital(Decimal(amount), prefix=False)
    assert words.endswith("整") == words.endswith("元整")
    assert not words.endswith("分整")


@pytest.mark.parametrize(
    "amount",
    ["-1", "-0.01", "0.001", "1.005", "10000000000", "9999999999.991", "NaN", "Infinity"],
)
def test_negative_fractional_fen_and_out_of_range_amounts_are_refused(amount: str) -> None:
    with pytest.raises(ValueError):
        rmb_capital(Decimal(amount))


def test_a_float_is_refused() -> None:
    with pytest.raises(ValueError):
        rmb_capital(12000.0)  # type: ignore[arg-type]


def test_trailing_zeros_beyond_the_fen_are_not_a_precision_problem() -> None:
    assert rmb_capital(Decimal("12000.000"), prefix=False) == "壹万贰仟元整"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "零"),
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (15, "十五"),
        (30, "三十"),
        (60, "六十"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1010, "一千零一十"),
        (10010, "一万零一十"),
        (100000, "十万"),
    ],
)
def test_ordinary_numerals_for_articles_and_periods(n: int, words: str) -> None:
    assert cn_number(n) == words


@pytest.mark.parametrize("n", [-1, 10**8, True])
def test_ordinary_numerals_refuse_what_they_cannot_write(n: int) -> None:
    with pytest.raises(ValueError):
        cn_number(n)
