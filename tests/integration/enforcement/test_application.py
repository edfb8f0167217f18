"""The enforcement application through the use cases: refused before a breach and without
a confirming ruling, with the rules' words; generated from the repayment record (amounts
to the fen), certified so /verify accepts it, audited on generation and download."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.audit import ACTION_LABELS, AuditAction
from app.documents import issued as documents
from app.enforcement.application import (
    EnforcementForbidden,
    generate_application,
    record_download,
)
from app.enforcement.common import applications_of
from app.extensions import db
from app.models.agreements import DocumentKind
from app.models.audit import AuditEvent
from app.rules.enforcement import EnforcementRefused
from app.web.verify import check_file
from tests.enforcement_support import COURT, RULING_NUMBER, breached_case
from tests.factories import make_case_party

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _actions(case: Any) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
        )
    )


def test_before_a_breach_the_application_is_refused_in_words(app: Any, frozen_clock: Any) -> None:
    who, case, _ = breached_case(frozen_clock, breach=False)
    with pytest.raises(EnforcementRefused) as err:
        generate_application(who["creditor"], case)
    assert err.value.code == "not_in_breach"
    with app.test_request_context():  # Chinese by default
        assert "调解协议尚未违约" in str(err.value.message)
    assert applications_of(case) == []
    assert "case:enforcement:generate" not in _actions(case)


def test_without_a_confirming_ruling_the_application_is_refused(
    app: Any, frozen_clock: Any
) -> None:
    who, case, _ = breached_case(frozen_clock, confirmed=False)
    with pytest.raises(EnforcementRefused) as err:
        generate_application(who["creditor"], case)
    assert err.value.code == "no_confirmation_ruling"
    assert applications_of(case) == []


def test_every_refusal_code_has_words() -> None:
    for code in (
        "no_confirmation_ruling",
        "ruling_not_yet",
        "repayment_completed",
        "not_in_breach",
    ):
        assert code in EnforcementRefused.messages


@pytest.mark.parametrize("actor", ["debtor", "mediator", "other_creditor", "admin"])
def test_only_the_cases_creditor_generates(app: Any, frozen_clock: Any, actor: str) -> None:
    who, case, _ = breached_case(frozen_clock)
    with pytest.raises(EnforcementForbidden):
        generate_application(who[actor], case)
    assert applications_of(case) == []


def test_the_application_states_parties_ruling_and_amounts_and_verifies(
    app: Any, frozen_clock: Any
) -> None:
    who, case, _ = breached_case(frozen_clock)
    doc = generate_application(who["creditor"], case)
    assert (doc.kind, doc.version, doc.stage) == (DocumentKind.ENFORCEMENT, 1, "issued")
    data = documents.read_pdf(doc.sha256)
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "enforcement-application.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / "enforcement-application")],
        check=True,
    )

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = "".join(text.split())
    assert "强制执行申请书" in flat
    assert case.creditor_org.name in flat
    assert case.debtor_name.replace("𠮷", "") in flat or case.debtor_name in flat
    assert case.debtor_id_number and case.debtor_id_number in flat  # full, for the court
    born = case.debtor_id_number[6:14]  # GB 11643-1999: digits 7-14
    assert f"出生日期{born[:4]}年{int(born[4:6])}月{int(born[6:])}日" in flat
    assert RULING_NUMBER in flat and COURT in flat
    # 1,500 paid of 24,000; instalment 2 unpaid past its grace period: the agreement
    # accelerates, so the whole unpaid balance is claimed, all of it principal
    assert "共计¥22,500.00（人民币贰万贰仟伍佰元整）。依调解协议约定" in flat
    assert "本金¥22,500.00合计¥22,500.00" in flat
    assert "已履行¥1,500.00，尚欠¥22,500.00" in flat
    assert "2027年1月31日¥1,000.00¥500.00¥500.00" in flat  # instalment 2, as agreed
    assert "至2030年12月2日届满" in flat  # two years from the last instalment (CPL Art. 250)
    assert "2027年3月15日" in flat
    assert "第二百五十条" in flat
    fonts = set()  # without a CJK font the text still extracts, but prints as boxes
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Concord-Serif" in f and "Bold" not in f for f in fonts), fonts

    with app.test_request_context():  # the verdict's words are in the reader's language
        verdict = check_file(data)
    assert verdict["genuine"], verdict["problem"]
    assert verdict["issued"].kind == DocumentKind.ENFORCEMENT

    assert _actions(case)[-1] == "case:enforcement:generate"


def test_a_second_application_is_a_new_version_and_downloads_are_audited(
    app: Any, frozen_clock: Any
) -> None:
    who, case, _ = breached_case(frozen_clock)
    first = generate_application(who["creditor"], case)
    record_download(who["creditor_colleague"], case, first)
    assert _actions(case)[-2:] == ["case:enforcement:generate", "case:enforcement:download"]
    with pytest.raises(EnforcementForbidden):
        record_download(who["debtor"], case, first)
    assert AuditAction.CASE_ENFORCEMENT_DOWNLOAD in ACTION_LABELS
    assert AuditAction.CASE_ENFORCEMENT_GENERATE in ACTION_LABELS


def test_co_borrowers_and_joint_guarantors_are_respondents_general_guarantors_are_not_yet(
    app: Any, frozen_clock: Any
) -> None:
    """Who signed the confirmed agreement beside the debtor: a co-borrower (joint debt,
    民法典 Art. 518) and a joint guarantor (Art. 688) are named as respondents with their
    full identity; a general guarantor (Art. 687) is named apart, not as a respondent."""
    who, case, _ = breached_case(frozen_clock)
    # The agreement's parties, put on the case directly (how they join, consent and sign:
    # tests/integration/agreements/test_guarantors.py).
    parties = [
        ("co_borrower", None, "钱共借", "110102198506120318"),
        ("guarantor", "joint", "孙连保", "31010419781105122X"),
        ("guarantor", "general", "李一般", "440305199211204531"),
    ]
    for role, kind, name, number in parties:
        make_case_party(case, role, kind, name, number, who["mediator"])

    doc = generate_application(who["creditor"], case)
    data = documents.read_pdf(doc.sha256)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "enforcement-application-guarantors.pdf").write_bytes(data)
    flat = "".join(
        "".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )
    note = flat.index("李一般为调解协议约定的一般保证人")  # after the respondents' tables
    respondents = flat[flat.index("被执行人姓名") : note]
    for name, number, label in (
        ("钱共借", "110102198506120318", "共同借款人"),
        ("孙连保", "31010419781105122X", "保证人（连带责任保证）"),
    ):
        assert name in respondents and number in respondents
        assert f"当事人地位{label}" in respondents
    assert "出生日期1985年6月12日" in respondents and "性别男" in respondents  # from the ID
    assert "当事人地位债务人" in respondents
    assert "李一般" not in respondents and "440305199211204531" not in flat
    assert "第六百八十七条" in flat[note:]
