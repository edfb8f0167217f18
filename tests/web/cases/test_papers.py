"""Asked early for what is needed late: the creditor's power of attorney (its file and
content, CPL Art. 62) and the receiving account, given at case opening or on the case
page; a "missing" badge on the case and the docket until given; the agreement's draft
starts from the account; who may give them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.agreements.common import current_agreement
from app.extensions import db
from app.models import AuditEvent, Case, EvidenceFile, LicenceType, PowerOfAttorneyRecord
from app.models.evidence import EvidenceCategory
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests import agreement_support as support
from tests.confirmation_support import in_force_case
from tests.factories import (
    PASSWORD,
    make_case,
    make_creditor_org,
    make_mediation_org,
    make_natural_person_creditor,
    make_user,
)
from tests.helpers import Browser
from tests.papers_support import FULL_POWERS, ORDINARY_POWERS, record_poa
from tests.web.cases.test_cases import GOOD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
POA_FORM: dict[str, Any] = {
    "principal": "测试银行股份有限公司北京分行",
    "agent_name": "陈立",
    "agent_id_number": "110101198505121232",
    "agent_position": "法务专员",
    "powers": ["mediate", "sign_agreement", "special", "apply_confirmation"],
    "valid_from": "2026-01-01",
    "valid_until": "2027-12-31",
    "signed_on": "2026-01-01",
}
ACCOUNT = {
    "account_name": "测试银行股份有限公司",
    "bank": "测试银行北京分行营业部",
    "account_number": "6222 0200 1234 5678 901",
}


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    org = make_mediation_org()
    creditor = make_user(Role.CREDITOR)
    people = {
        "creditor": creditor,
        "colleague": make_user(Role.CREDITOR, creditor_org_id=creditor.creditor_org_id),
        "other_creditor": make_user(Role.CREDITOR),
        "mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "other_mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "admin": make_user(Role.ADMIN, mediation_org=org),
        "debtor": make_user(Role.DEBTOR),
    }
    case = make_case(
        creditor=creditor,
        mediator=people["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=people["debtor"].id,
    )
    return {"people": people, "case": case}


def _as(app: Flask, user: User, locale: str | None = None) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    if locale:
        browser.submit("/account/language", {"locale": locale, "next": "/"}, page="/account/")
    return browser


def _give_poa(browser: Browser, case: Case, **changes: Any):
    fields = {"file": (PDF, "授权委托书.pdf"), **POA_FORM, **changes}
    return browser.upload(f"/cases/{case.id}/power-of-attorney", fields, page=f"/cases/{case.id}")


def _give_account(browser: Browser, case: Case, **changes: str):
    return browser.submit(
        f"/cases/{case.id}/receiving-account", {**ACCOUNT, **changes}, page=f"/cases/{case.id}"
    )


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _page(browser: Browser, case: Case) -> str:
    return browser.get(f"/cases/{case.id}").get_data(as_text=True)


# --- the power of attorney ---------------------------------------------------------------


def test_the_creditor_gives_the_power_of_attorney_with_its_content(app: Flask, world) -> None:
    case, creditor = world["case"], world["people"]["creditor"]
    browser = _as(app, creditor)
    assert 'data-missing="power_of_attorney"' in _page(browser, case)
    response = _give_poa(browser, case)
    assert response.status_code == 302 and response.headers["Location"].endswith("#papers")
    db.session.expire_all()
    record = db.session.scalars(select(PowerOfAttorneyRecord)).one()
    assert (record.principal, record.agent_name, record.agent_position) == (
        "测试银行股份有限公司北京分行",
        "陈立",
        "法务专员",
    )
    assert record.powers == ["mediate", "sign_agreement", "special", "apply_confirmation"]
    assert record.agent_id_number == "110101198505121232"
    raw = db.session.execute(db.text("SELECT agent_id_number FROM powers_of_attorney")).scalar()
    assert "110101198505121232" not in raw  # encrypted at rest (PIPL Art. 28)
    assert record.evidence.category == EvidenceCategory.ATTORNEY
    assert record.evidence.original_name == "授权委托书.pdf"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:poa:record")
    ).one()
    assert event.case_id == case.id and "110101198505121232" not in str(event.data)
    page = _page(browser, case)
    assert 'data-missing="power_of_attorney"' not in page
    shown = page.split("data-power-of-attorney", 1)[1].split("</dl>", 1)[0]
    for text in ("测试银行股份有限公司北京分行", "陈立", "110101********1232", "代为签署调解协议"):
        assert text in shown
    assert "代为承认、放弃、变更请求（特别授权）" in shown and "2027-12-31" in shown


def test_the_mediator_sees_the_recorded_content_but_no_form(app: Flask, world) -> None:
    case = world["case"]
    record_poa(world["people"]["creditor"], case)
    page = _page(_as(app, world["people"]["mediator"], "en"), case)
    assert "data-power-of-attorney" in page and "special authorisation" in page
    assert "/power-of-attorney" not in page and "/receiving-account" not in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"powers": []}, "powers"),
        ({"valid_until": "2025-12-31"}, "valid_until"),
        ({"agent_id_number": "", "agent_position": ""}, "agent_id_number"),
        ({"signed_on": "2099-01-01"}, "signed_on"),
        ({"file": (b"not a pdf", "x.txt")}, "file"),
    ],
)
def test_a_refused_power_of_attorney_shows_the_form_again_and_writes_nothing(
    app: Flask, world, changes: dict[str, Any], field: str
) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["creditor"], "en")
    before = (_count(EvidenceFile), _count(AuditEvent))
    response = _give_poa(browser, case, **changes)
    assert response.status_code in (400, 415, 422)
    html = response.get_data(as_text=True)
    assert f'id="poa-{field}-error"' in html and "has-error" in html
    assert 'value="测试银行股份有限公司北京分行"' in html  # what was typed is kept
    assert _count(PowerOfAttorneyRecord) == 0
    assert (_count(EvidenceFile), _count(AuditEvent)) == before


def test_a_natural_person_lender_is_not_asked_for_a_power_of_attorney(app: Flask) -> None:
    """人民调解法 Art. 29: a natural person signs in person; CPL Art. 62 concerns agents."""
    lender = make_user(Role.CREDITOR, creditor_org=make_natural_person_creditor())
    case = make_case(creditor=lender, lender_kind=LicenceType.PRIVATE_LENDER)
    page = _page(_as(app, lender), case)
    assert 'data-missing="power_of_attorney"' not in page
    assert 'data-missing="receiving_account"' in page


def test_a_company_lending_privately_still_acts_through_an_authorised_agent(app: Flask) -> None:
    """The licence decides the interest rules, the entity kind who signs (CPL Art. 62)."""
    lender = make_user(
        Role.CREDITOR, creditor_org=make_creditor_org(licence_type=LicenceType.PRIVATE_LENDER)
    )
    case = make_case(creditor=lender, lender_kind=LicenceType.PRIVATE_LENDER)
    assert 'data-missing="power_of_attorney"' in _page(_as(app, lender), case)


# --- the receiving account ---------------------------------------------------------------


def test_the_creditor_gives_the_receiving_account_on_the_case_page(app: Flask, world) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["colleague"])
    assert 'data-missing="receiving_account"' in _page(browser, case)
    assert _give_account(browser, case).status_code == 302
    db.session.expire_all()
    assert case.receiving_account_number == "6222 0200 1234 5678 901"
    assert case.receiving_bank == "测试银行北京分行营业部"
    raw = db.session.execute(db.text("SELECT receiving_account_number FROM cases")).scalar()
    assert "6222" not in raw
    page = _page(browser, case)
    assert 'data-missing="receiving_account"' not in page
    assert "****8901" in page and "6222 0200 1234 5678 901" not in page


def test_a_bad_account_number_is_refused_next_to_the_field(app: Flask, world) -> None:
    case = world["case"]
    response = _give_account(_as(app, world["people"]["creditor"], "en"), case, account_number="12")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="account-account_number-error"' in html and "8 to 32 digits" in html
    db.session.expire_all()
    assert case.receiving_account_number is None


def test_the_intake_form_asks_for_the_account(app: Flask, world) -> None:
    browser = _as(app, world["people"]["creditor"])
    form = browser.get("/cases/new").get_data(as_text=True)
    assert 'name="receiving_account_number"' in form
    data = {
        **GOOD,
        "mediation_org_id": str(world["case"].mediation_org_id),
        "action": "draft",
        "receiving_account_name": "测试银行股份有限公司",
        "receiving_bank": "测试银行北京分行",
        "receiving_account_number": "6222020012345678",
    }
    assert browser.submit("/cases/new", data, page="/cases/new").status_code == 302
    db.session.expire_all()
    case = db.session.scalars(select(Case).order_by(Case.id.desc()).limit(1)).one()
    assert case.receiving_account_number == "6222020012345678"
    partial = {**data, "receiving_bank": ""}
    response = browser.submit("/cases/new", partial, page="/cases/new")
    assert response.status_code == 400 and 'id="receiving_bank-error"' in response.get_data(
        as_text=True
    )


# --- the badges --------------------------------------------------------------------------


def test_the_missing_badges_show_on_the_case_and_the_docket_until_given(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    mediator = _as(app, people["mediator"])
    docket = mediator.get("/docket").get_data(as_text=True)
    assert 'data-missing="power_of_attorney"' in docket
    assert 'data-missing="receiving_account"' in docket
    page = _page(mediator, case)
    assert 'href="#papers" data-missing="power_of_attorney"' in page
    assert 'href="#papers" data-missing="receiving_account"' in page
    debtor_page = _page(_as(app, people["debtor"]), case)
    assert "data-missing" not in debtor_page and 'id="papers"' not in debtor_page
    record_poa(people["creditor"], case)
    creditor = _as(app, people["creditor"])
    assert _give_account(creditor, case).status_code == 302
    docket = mediator.get("/docket").get_data(as_text=True)
    assert "data-missing" not in docket
    assert 'data-missing="' not in _page(mediator, case).split('id="papers"')[0]


def test_a_closed_case_asks_for_nothing(app: Flask, world) -> None:
    case = world["case"]
    case.state = CaseState.CLOSED_NOT_MEDIATED
    db.session.commit()
    mediator = _as(app, world["people"]["mediator"])
    assert "data-missing" not in mediator.get("/docket?state=closed_not_mediated").get_data(
        as_text=True
    )


# --- access ------------------------------------------------------------------------------

ACCESS = [
    ("creditor", 302),
    ("colleague", 302),
    ("other_creditor", 404),  # another creditor organisation: not theirs
    ("debtor", 403),
    ("mediator", 403),
    ("other_mediator", 403),  # unassigned
    ("admin", 403),
]


@pytest.mark.parametrize(("actor", "status"), ACCESS)
def test_who_may_give_the_papers(app: Flask, world, actor: str, status: int) -> None:
    case = world["case"]
    browser = _as(app, world["people"][actor])
    assert _give_poa(browser, case).status_code == status
    assert _give_account(browser, case).status_code == status
    db.session.expire_all()
    given = status == 302
    assert (_count(PowerOfAttorneyRecord) == 1) is given
    assert (case.receiving_account_number is not None) is given


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, world) -> None:
    browser = Browser(app.test_client())
    case = world["case"]
    for url in (f"/cases/{case.id}/power-of-attorney", f"/cases/{case.id}/receiving-account"):
        response = browser.submit(url, ACCOUNT)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_nothing_is_given_once_the_case_is_closed(app: Flask, world) -> None:
    case = world["case"]
    case.state = CaseState.PERFORMED
    db.session.commit()
    browser = _as(app, world["people"]["creditor"])
    assert _give_poa(browser, case).status_code == 404
    assert _give_account(browser, case).status_code == 404
    assert _count(PowerOfAttorneyRecord) == 0


# --- the agreement's draft starts from the account ---------------------------------------


def test_the_draft_is_prefilled_from_the_creditors_account_and_may_be_changed(
    app: Flask,
) -> None:
    who = support.people()
    case = support.settled_case(who)
    _give_account(_as(app, who["creditor"]), case)
    mediator = _as(app, who["mediator"])
    form = mediator.get(f"/cases/{case.id}/agreement/draft").get_data(as_text=True)
    assert 'value="6222 0200 1234 5678 901"' in form
    assert 'value="测试银行北京分行营业部"' in form and 'id="account-from-creditor"' in form
    changed = {**ACCOUNT, "account_number": "6217 0000 1111 2222"}
    response = mediator.submit(
        f"/cases/{case.id}/agreement/draft", changed, page=f"/cases/{case.id}/agreement/draft"
    )
    assert response.status_code == 302
    db.session.expire_all()
    agreement = current_agreement(case)
    assert agreement is not None
    assert agreement.terms["account"]["account_number"] == "6217 0000 1111 2222"
    db.session.refresh(case)
    assert case.receiving_account_number == "6222 0200 1234 5678 901"  # the case keeps its own


# --- the confirmation checks page --------------------------------------------------------


@pytest.mark.parametrize(("powers", "blocked"), [(ORDINARY_POWERS, True), (FULL_POWERS, False)])
def test_the_checks_page_names_a_missing_special_authorisation(
    app: Flask, powers: frozenset, blocked: bool
) -> None:
    who, case, _ = in_force_case(
        evidence=(EvidenceCategory.CONTRACT, EvidenceCategory.DISBURSEMENT)
    )
    record_poa(who["creditor"], case, powers=powers)
    html = (
        _as(app, who["mediator"], "en")
        .get(f"/cases/{case.id}/confirmation?court=北京市朝阳区人民法院")
        .get_data(as_text=True)
    )
    message = "the power of attorney gives none"
    assert (message in html) is blocked
    assert ("第六十二条" in html) is blocked


def test_the_generic_upload_no_longer_offers_the_power_of_attorney(app: Flask, world) -> None:
    """It is given with its content, in the papers section."""
    page = _page(_as(app, world["people"]["creditor"]), world["case"])
    upload_form = page.split('id="evidence"', 1)[1]
    assert '<option value="contract">' in upload_form
    assert '<option value="attorney">' not in upload_form
    assert f'action="/cases/{world["case"].id}/power-of-attorney"' in page


def test_a_closed_case_page_shows_no_missing_badge(app: Flask, world) -> None:
    case = world["case"]
    case.state = CaseState.CLOSED_NOT_MEDIATED
    db.session.commit()
    page = _page(_as(app, world["people"]["creditor"], "en"), case)
    assert 'id="papers"' in page and "data-missing" not in page
    assert "Not given." in page and "/power-of-attorney" not in page
