"""The interest-and-fee calculation sheet of the package, read back from the real PDF: it
names the rule set that applied and why (民间借贷规定 Art. 1: not for licensed lenders;
银行卡规定: credit cards only), and splits a pre-2020-08-20 private loan's interest at
that day (民间借贷规定 (2020) Art. 31)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from app.confirmation.package import build as service
from app.documents import issued as documents
from app.extensions import db
from app.models.confirmation import PackageStatus
from app.models.organisations import LicenceType
from tests import agreement_support as support
from tests import package_support as ps

PRIVATE_LENDING = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定"
BANK_CARD = "最高人民法院关于审理银行卡民事纠纷案件若干问题的规定"


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


def _package_text(who: dict[str, Any], **case_kw: Any) -> str:
    case, agreement = ps.agreement_in_force(who, **case_kw)
    ps.give_e_service_consent(case, who["debtor"])
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error
    data = documents.read_pdf(package.current_sha256 or "")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


def _sheet(text: str) -> str:
    return text[text.index("利息、费用计算表") : text.index("债权审查结果")]


def test_art_31_a_pre_2020_private_loan_shows_both_parts_on_the_sheet(
    who: dict[str, Any],
) -> None:
    """民间借贷规定 (2020) Art. 31: 2019-03-01 to 2020-08-19 on the 24% line, from
    2020-08-20 on 4 × the LPR at the application (3% → 12%), on ¥30,000 at 15%."""
    text = _package_text(
        who,
        lender_kind=LicenceType.PRIVATE_LENDER,
        contract_date=date(2019, 3, 1),
        annual_rate=Decimal("15.0000"),
    )
    sheet = _sheet(text)
    assert "第三十一条的过渡规定" in sheet
    assert "2019年3月1日至2020年8月19日" in sheet and "2020年8月20日至" in sheet
    assert "24%" in sheet and "12%" in sheet and "15%" in sheet
    # 538 days at 15% on ¥30,000: ¥6,632.88.
    assert "538" in sheet and "¥6,632.88" in sheet
    assert "合同成立时适用的一年期贷款市场报价利率" not in sheet  # not the formation cap
    assert BANK_CARD not in text


def test_a_bank_loan_is_not_said_to_be_checked_against_private_lending_or_card_rules(
    who: dict[str, Any],
) -> None:
    """民间借贷规定 Art. 1 para. 2: licensed lenders' loans are outside it; 银行卡规定 is
    for bank-card disputes only; 法发〔2017〕22号 item 2 is what applied."""
    sheet = _sheet(_package_text(who, lender_kind=LicenceType.BANK))
    assert "本计算表按金融借款的审查规则" in sheet
    assert "债权人为商业银行" in sheet and "法发〔2017〕22号" in sheet
    assert f"按《{PRIVATE_LENDING}》等规定审查" not in sheet
    assert "第一条第二款" in sheet  # why the private-lending rules do not apply
    assert "只适用于银行卡（信用卡）纠纷" in sheet  # why the card rules do not apply
    assert "列明以供参考" in sheet


def test_a_private_loan_after_2020_is_checked_against_four_times_the_lpr(
    who: dict[str, Any],
) -> None:
    """民间借贷规定 Arts. 1, 25: a private lender is held to 4 × the LPR at formation."""
    sheet = _sheet(_package_text(who, lender_kind=LicenceType.PRIVATE_LENDER))
    assert f"本计算表按《{PRIVATE_LENDING}》审查" in sheet
    assert "不是持牌金融机构" in sheet
    assert "合同成立时适用的一年期贷款市场报价利率" in sheet
    assert "2020年8月19日前" not in sheet
