"""Which interest rules a claim is checked against (民间借贷规定 Arts. 1, 25, 31;
法发〔2017〕22号 item 2; 银行卡规定 for bank-card disputes only)."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules.claims import SOURCE_INSTITUTION_4LPR, SOURCE_INSTITUTION_LINE, LenderKind
from app.rules.rule_sets import RuleSetCode, rule_set_for

AFTER, BEFORE = date(2024, 3, 1), date(2020, 8, 19)


@pytest.mark.parametrize(
    ("lender", "formed", "expected"),
    [
        (LenderKind.PRIVATE_LENDER, AFTER, RuleSetCode.PRIVATE_LENDING),
        (LenderKind.PRIVATE_LENDER, None, RuleSetCode.PRIVATE_LENDING),
        (LenderKind.PRIVATE_LENDER, BEFORE, RuleSetCode.PRIVATE_LENDING_TRANSITIONAL),
        (LenderKind.BANK, BEFORE, RuleSetCode.FINANCIAL_LOAN),
        (LenderKind.CONSUMER_FINANCE, AFTER, RuleSetCode.FINANCIAL_LOAN),
        (LenderKind.OTHER_LICENSED, AFTER, RuleSetCode.FINANCIAL_LOAN),
        (LenderKind.ASSET_MANAGER, AFTER, RuleSetCode.FINANCIAL_LOAN),
    ],
)
def test_private_lending_art_1_decides_the_rule_set_by_the_lender(
    lender: LenderKind, formed: date | None, expected: RuleSetCode
) -> None:
    rule_set = rule_set_for(lender, formed)
    assert rule_set.code is expected
    assert rule_set.name and rule_set.reason and rule_set.source.startswith("《")


def test_licensed_lenders_say_why_neither_private_lending_nor_card_rules_apply() -> None:
    """民间借贷规定 Art. 1 para. 2; 银行卡规定 covers bank-card disputes only."""
    rule_set = rule_set_for(LenderKind.CONSUMER_FINANCE, AFTER)
    assert "消费金融公司" in rule_set.reason
    assert "第一条第二款" in rule_set.not_applied and "只适用于银行卡" in rule_set.not_applied
    assert "银行卡" not in rule_set.source


def test_institution_findings_never_cite_the_bank_card_rules() -> None:
    """法发〔2017〕22号 item 2 is the source for licensed lenders' charges."""
    for source in (SOURCE_INSTITUTION_LINE, SOURCE_INSTITUTION_4LPR):
        assert "银行卡" not in source and "法发〔2017〕22号" in source
