"""Which set of interest rules a claim is checked against, and why.

Private lending (民间借贷) is lending between natural persons, legal persons and other
organisations *other than* financial institutions licensed to lend; disputes from loans
made by licensed institutions are not governed by the private-lending rules (民间借贷规定
Art. 1). For financial loans the courts reduce charges far above the actual loss on the
borrower's request, using 24% a year as the line (法发〔2017〕22号 item 2, guidance). The
bank-card rules (银行卡规定) govern bank-card disputes only: their Art. 2 on credit-card
charges is never the source for a loan contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.rules.citations import cite
from app.rules.claims import LenderKind
from app.rules.interest_transition import is_transitional

_PRIVATE_LENDING = "《最高人民法院关于审理民间借贷案件适用法律若干问题的规定》"
_BANK_CARD = "《最高人民法院关于审理银行卡民事纠纷案件若干问题的规定》"


class RuleSetCode(StrEnum):
    PRIVATE_LENDING = "private_lending"
    PRIVATE_LENDING_TRANSITIONAL = "private_lending_transitional"
    FINANCIAL_LOAN = "financial_loan"


@dataclass(frozen=True)
class RuleSet:
    """The rules a claim was checked against, in the words printed on the calculation
    sheet: ``name`` (what applied), ``reason`` (why), ``not_applied`` (what a reader
    might expect and why it does not apply) and the ``source``."""

    code: RuleSetCode
    name: str
    reason: str
    not_applied: str
    source: str


_NOT_BANK_CARD = f"{_BANK_CARD}只适用于银行卡（信用卡）纠纷，本案为借款合同纠纷，不适用该规定。"
_INSTITUTIONS = {
    LenderKind.BANK: "商业银行",
    LenderKind.CONSUMER_FINANCE: "消费金融公司",
    LenderKind.OTHER_LICENSED: "经金融监管部门批准从事贷款业务的持牌机构",
    LenderKind.ASSET_MANAGER: "资产管理公司（受让金融机构的贷款债权）",
}


def rule_set_for(lender: LenderKind, contract_date: date | None) -> RuleSet:
    """The rule set for a lender and a contract formed on ``contract_date`` (民间借贷规定
    Arts. 1, 25, 31; 法发〔2017〕22号 item 2)."""
    if lender is LenderKind.PRIVATE_LENDER:
        if contract_date is not None and is_transitional(contract_date):
            return RuleSet(
                RuleSetCode.PRIVATE_LENDING_TRANSITIONAL,
                f"{_PRIVATE_LENDING}，并适用其第三十一条的过渡规定",
                "债权人不是持牌金融机构，本借款属于民间借贷；借款合同成立于2020年8月20日之前，"
                "2020年8月19日前的利息适用当时的司法解释，此后的利息适用申请时一年期LPR的四倍。",
                "",
                cite("private_lending.1", "private_lending_2020.31"),
            )
        return RuleSet(
            RuleSetCode.PRIVATE_LENDING,
            _PRIVATE_LENDING,
            "债权人不是持牌金融机构，本借款属于民间借贷：利息、逾期利息、违约金和其他费用"
            "合计不得超过合同成立时一年期LPR的四倍。",
            "",
            cite("private_lending.1", "private_lending.25", "private_lending.29"),
        )
    kind = _INSTITUTIONS[lender]
    return RuleSet(
        RuleSetCode.FINANCIAL_LOAN,
        "金融借款的审查规则（法发〔2017〕22号第二条）",
        f"债权人为{kind}，本借款属于金融借款，不适用民间借贷的利率上限；"
        "利息、复利、罚息、违约金和其他费用合计超过年利率24%的部分，借款人可以请求法院调减。"
        "一年期LPR的四倍仅列明以供参考。",
        f"{cite('private_lending.1.2')}：经金融监管部门批准设立的从事贷款业务的金融机构"
        f"发放贷款引起的纠纷，不适用该规定。{_NOT_BANK_CARD}",
        cite("private_lending.1", "financial_trial_opinions.2"),
    )
