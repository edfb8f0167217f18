"""Enforcement over HTTP: the panel (deadline, application or summary of claim), the
creditor generating and downloading the application, refusals in words, and every route
refusing everyone but the case's creditor organisation, with nothing changed for them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.documents import issued as documents
from app.enforcement.application import generate_application
from app.enforcement.common import applications_of
from app.extensions import db
from app.models import AuditEvent
from app.models.users import User
from app.rules.cases import CaseState
from tests.enforcement_support import RULING_NUMBER, breached_case
from tests.factories import PASSWORD, make_case_party
from tests.helpers import Browser

OUTSIDERS = (
    "other_creditor",
    "mediator",
    "colleague_mediator",
    "foreign_mediator",
    "admin",
    "debtor",
    "other_debtor",
)


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _events(case: Any, action: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == action)
    )


def _page(browser: Browser, case: Any) -> str:
    response = browser.get(f"/cases/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_creditor_generates_and_downloads_the_application(
    app: Flask, frozen_clock: Any
) -> None:
    who, case, _ = breached_case(frozen_clock)
    browser = _as(app, who["creditor_colleague"])
    html = _page(browser, case)
    assert 'id="enforcement"' in html and RULING_NUMBER in html
    assert "2030-12-02" in html or "2030年12月2日" in html  # the CPL Art. 250 deadline
    assert f"/cases/{case.id}/enforcement/application" in html
    response = browser.submit(f"/cases/{case.id}/enforcement/application", page="/account/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}/enforcement/application/1.pdf")
    pdf = browser.get(response.headers["Location"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert _events(case, "case:enforcement:generate") == 1
    assert _events(case, "case:enforcement:download") == 1
    assert "/enforcement/application/1.pdf" in _page(browser, case)


def test_before_a_breach_the_creditor_is_told_why_and_nothing_is_generated(
    app: Flask, frozen_clock: Any
) -> None:
    who, case, _ = breached_case(frozen_clock, breach=False)
    browser = _as(app, who["creditor"])
    assert "违约后即可生成强制执行申请书" in _page(browser, case)
    response = browser.submit(
        f"/cases/{case.id}/enforcement/application", page="/account/", follow_redirects=True
    )
    assert "调解协议尚未违约" in response.get_data(as_text=True)
    assert applications_of(case) == []
    assert _events(case, "case:enforcement:generate") == 0


def test_without_a_ruling_the_panel_says_civil_contract_and_offers_the_summary_of_claim(
    app: Flask, frozen_clock: Any
) -> None:
    who, case, _ = breached_case(frozen_clock, confirmed=False)
    browser = _as(app, who["creditor"])
    html = _page(browser, case)
    assert "属于民事合同" in html
    assert f"/cases/{case.id}/enforcement/claim" in html
    assert f"/cases/{case.id}/enforcement/application" not in html
    claim = browser.get(f"/cases/{case.id}/enforcement/claim")
    text = claim.get_data(as_text=True)
    assert claim.status_code == 200
    assert "起诉要点" in text and case.debtor_id_number in text
    assert "¥22,500.00" in text  # accelerated: the whole unpaid balance is overdue
    assert "TX-1" in text  # the payment record as evidence
    # Refused with words when asked for an application anyway
    refused = browser.submit(
        f"/cases/{case.id}/enforcement/application", page="/account/", follow_redirects=True
    )
    assert "尚未登记法院确认调解协议的裁定" in refused.get_data(as_text=True)
    assert applications_of(case) == []


def test_a_confirmed_agreement_has_no_summary_of_claim(app: Flask, frozen_clock: Any) -> None:
    who, case, _ = breached_case(frozen_clock)
    assert _as(app, who["creditor"]).get(f"/cases/{case.id}/enforcement/claim").status_code == 409


def test_the_debtor_sees_the_deadline_but_no_application(app: Flask, frozen_clock: Any) -> None:
    who, case, _ = breached_case(frozen_clock)
    html = _page(_as(app, who["debtor"]), case)
    assert 'id="enforcement"' in html
    assert "/enforcement/application" not in html


@pytest.mark.parametrize("actor", OUTSIDERS)
def test_everyone_but_the_creditor_is_refused_on_every_route(
    app: Flask, frozen_clock: Any, actor: str
) -> None:
    who, case, _ = breached_case(frozen_clock)
    generate_application(who["creditor"], case)
    _, civil, _ = breached_case(frozen_clock, who=who, confirmed=False)
    browser = _as(app, who[actor])
    post = browser.submit(f"/cases/{case.id}/enforcement/application", page="/account/")
    pdf = browser.get(f"/cases/{case.id}/enforcement/application/1.pdf")
    claim = browser.get(f"/cases/{civil.id}/enforcement/claim")
    for response in (post, pdf, claim):
        assert response.status_code in (403, 404), (actor, response.request.path)
    assert len(applications_of(case)) == 1
    assert _events(case, "case:enforcement:download") == 0


def test_while_the_court_decides_the_panel_says_so(app: Flask, frozen_clock: Any) -> None:
    who, case, _ = breached_case(frozen_clock, confirmed=False, breach=False)
    case.state = CaseState.FILED
    db.session.commit()
    html = _page(_as(app, who["creditor"]), case)
    assert "司法确认申请已提交法院" in html
    assert "属于民事合同" not in html and "/enforcement/claim" not in html


def test_the_verify_page_names_the_application(app: Flask, frozen_clock: Any) -> None:
    who, case, _ = breached_case(frozen_clock)
    doc = generate_application(who["creditor"], case)
    data = documents.read_pdf(doc.sha256)
    browser = Browser(app.test_client())
    response = browser.upload("/verify", {"file": (data, "a.pdf")}, page="/verify")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "强制执行申请书" in html and case.reference in html
    assert "出具给债权人，经平台认证" in html


def test_the_summary_of_claim_names_every_party_who_signed_as_a_defendant(
    app: Flask, frozen_clock: Any
) -> None:
    """A co-borrower (民法典 Art. 518), a joint guarantor (民诉法解释 Art. 66) and a general
    guarantor (民法典 Art. 687; 担保制度解释 Art. 26) signed beside the debtor: each is a
    co-defendant, with full identity and what they answer for."""
    who, case, _ = breached_case(frozen_clock, confirmed=False)
    parties = [
        ("co_borrower", None, "钱共借", "110102198506120318"),
        ("guarantor", "joint", "孙连保", "31010419781105122X"),
        ("guarantor", "general", "李一般", "440305199211204531"),
    ]
    for role, kind, name, number in parties:
        make_case_party(case, role, kind, name, number, who["mediator"])
    response = _as(app, who["creditor"]).get(f"/cases/{case.id}/enforcement/claim")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    sections = html.split('<section class="card defendant">')[1:]
    assert len(sections) == 4
    assert "<h2>被告</h2>" in sections[0] and case.debtor_id_number in sections[0]
    expected = [
        ("钱共借", "110102198506120318", "共同借款人", "连带债务", "第五百一十八条"),
        ("孙连保", "31010419781105122X", "保证人（连带责任保证）", "一并被诉", "第六十六条"),
        (
            "李一般",
            "440305199211204531",
            "保证人（一般保证）",
            "强制执行后仍不能履行",
            "第二十六条",
        ),
    ]
    for section, (name, number, label, liability, article) in zip(
        sections[1:], expected, strict=True
    ):
        assert "<h2>共同被告</h2>" in section
        for text in (name, number, label, liability, article):
            assert text in section, text
    # Another creditor organisation sees none of it.
    assert (
        _as(app, who["other_creditor"]).get(f"/cases/{case.id}/enforcement/claim").status_code
        == 404
    )
