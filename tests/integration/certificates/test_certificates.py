"""The organisation's certificates (issue 14): that mediation ended without agreement, for a
case the debtor declined, and that the agreement was performed in full; rendered and
certified by the worker, read back from the real PDFs (text, fonts, signatures, pages)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.certificates import issuing
from app.core import clock
from app.core.errors import Conflict
from app.core.transaction import use_case
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models import AuditEvent, IssuedDocument
from app.models.agreements import DocumentKind
from app.repayments.payments import record_payment
from app.rules.cases import CaseState
from app.rules.errors import Refused
from tests import agreement_support as support
from tests.certificate_support import (
    DECLINE_REASON,
    declined_case,
    page_images,
    pdf_fonts,
    pdf_text,
)
from tests.factories import make_case
from tests.repayment_support import entry, performing_case


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


def _issued(case_id: int, kind: DocumentKind) -> list[IssuedDocument]:
    return list(
        db.session.scalars(
            select(IssuedDocument).where(
                IssuedDocument.case_id == case_id, IssuedDocument.kind == kind
            )
        )
    )


def _actions(case_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
        )
    )


def test_a_declined_case_gets_a_signed_certificate_stating_the_facts(who) -> None:
    case = declined_case(who)
    assert case.state == CaseState.CLOSED_NOT_MEDIATED
    [doc] = _issued(case.id, DocumentKind.FAILURE_CERTIFICATE)
    assert "case:certificate:issue" in _actions(case.id)
    data = documents.read_pdf(doc.sha256)

    text = pdf_text(data)
    for expected in (
        "调解终结证明",
        case.reference,
        case.creditor_org.name,
        "刘强",
        "110105********002X",
        f"¥{case.claim_total:,.2f}",
        "明确表示不同意调解",
        "第一百九十五条",
        "诉讼时效中断",
        "不对当事人之间的权利义务",
        "共提出调解方案 0 份",
        case.mediation_org.name,
    ):
        assert "".join(expected.split()) in text, expected
    assert "11010519491231002X" not in text  # the full ID number never goes on it
    # Facts only: the debtor's own account of the dispute is not certified.
    assert "".join(DECLINE_REASON.split()) not in text and "图谋" not in text
    fonts = pdf_fonts(data)
    assert any("Concord-Serif" in f and "Bold" not in f for f in fonts), fonts
    assert any("Bold" in f for f in fonts), fonts

    report = verify_pdf(data, documents.trust_roots())
    assert report.accepted, report.problem
    [signature] = report.signatures
    assert signature.is_certification and signature.bottom_line
    assert len(page_images(data, "failure-certificate")) == 1  # one sheet


def test_the_claim_amount_is_printed_in_figures_and_capitals(who) -> None:
    case = declined_case(who)
    [doc] = _issued(case.id, DocumentKind.FAILURE_CERTIFICATE)
    text = pdf_text(documents.read_pdf(doc.sha256))
    assert f"¥{case.claim_total:,.2f}" in text
    assert "人民币" in text and "元" in text


def test_issuing_again_makes_no_second_certificate(who) -> None:
    case = declined_case(who)
    first = issuing.issue_certificate(case.id)
    assert issuing.issue_certificate(case.id) == first
    assert len(_issued(case.id, DocumentKind.FAILURE_CERTIFICATE)) == 1
    assert _actions(case.id).count("case:certificate:issue") == 1


def test_a_second_certificate_of_the_same_kind_is_refused_by_the_schema(who) -> None:
    case = declined_case(who)

    @use_case
    def store_another() -> None:
        documents.store_pdf(
            b"%PDF-1.7 another rendering",
            kind=DocumentKind.FAILURE_CERTIFICATE,
            case=case,
            version=1,
            stage="certified",
        )

    with pytest.raises(Conflict):
        store_another()
    assert len(_issued(case.id, DocumentKind.FAILURE_CERTIFICATE)) == 1


def test_an_open_case_gets_no_certificate(who) -> None:
    case = make_case(creditor=who["creditor"], mediator=who["mediator"])
    assert issuing.issue_certificate(case.id) is None
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0


def test_the_mediator_may_ask_for_a_missing_certificate_once(who) -> None:
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.CLOSED_NOT_MEDIATED,
        submitted_at=clock.now(),
        closed_at=clock.now(),
    )
    with pytest.raises(Refused):
        issuing.request_certificate(who["colleague_mediator"], case)
    issuing.request_certificate(who["mediator"], case)
    assert len(_issued(case.id, DocumentKind.FAILURE_CERTIFICATE)) == 1
    with pytest.raises(Refused) as refused:
        issuing.request_certificate(who["mediator"], case)
    assert refused.value.code == "already_issued"


def test_paying_the_last_fen_issues_the_settlement_certificate(app: Flask) -> None:
    who, case, agreement = performing_case(count=2)
    total = issuing_total = Decimal("24000.00")
    record_payment(who["creditor"], case, entry("10000.00", "TX-1"))
    assert _issued(case.id, DocumentKind.SETTLEMENT_CERTIFICATE) == []
    record_payment(who["creditor"], case, entry(f"{total - 10000:.2f}", "TX-2"))
    db.session.expire_all()
    assert case.state == CaseState.PERFORMED
    [doc] = _issued(case.id, DocumentKind.SETTLEMENT_CERTIFICATE)
    data = documents.read_pdf(doc.sha256)
    text = pdf_text(data)
    for expected in (
        "结清证明",
        case.reference,
        who["debtor"].name[:1],
        "第1版",
        f"¥{issuing_total:,.2f}",
        "人民币贰万肆仟元整",
        "付款笔数",
        "2 笔",
        clock.today().strftime("%Y年") + f"{clock.today().month}月{clock.today().day}日",
        "全部履行",
    ):
        assert "".join(expected.split()) in text, expected
    report = verify_pdf(data, documents.trust_roots())
    assert report.accepted, report.problem
    assert "case:certificate:issue" in _actions(case.id)
    assert len(page_images(data, "settlement-certificate")) == 1
