"""Case intake by the creditor: drafts, validation, submission with the claim check,
assignment by load; and who may see what."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Case, LicenceType, MediatorConflict
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_creditor_org, make_mediation_org, make_user
from tests.helpers import Browser, refused

GOOD = {
    "debtor_name": "刘强",
    "debtor_id_type": "resident_id",
    "debtor_id_number": "11010519491231002X",
    "debtor_phone": "13800138001",
    "debtor_email": "liuqiang@example.com",
    "debtor_address": "北京市朝阳区某街 1 号",
    "contract_number": "HT-2024-001",
    "contract_date": "2024-03-01",
    "principal_lent": "50,000",
    "annual_rate": "12",
    "term_months": "24",
    "outstanding_principal": "30000",
    "interest": "1500.00",
    "penalty": "300",
    "fees": "0",
    "overdue_since": "2025-06-01",
    "is_assignee": "no",
    "debtor_notified": "",
}


@pytest.fixture
def org(app: Flask):
    return make_mediation_org()


@pytest.fixture
def mediators(org) -> list[User]:
    return [make_user(Role.MEDIATOR, mediation_org=org, name=n) for n in ("甲调解员", "乙调解员")]


@pytest.fixture
def creditor(browser: Browser) -> User:
    user = make_user(Role.CREDITOR)
    assert browser.login(user.email, PASSWORD).status_code == 302
    return user


def _post(browser: Browser, action: str, **changes: str):
    data = {**GOOD, "mediation_org_id": str(_org_id()), "action": action, **changes}
    return browser.submit("/cases/new", data, page="/cases/new")


def _org_id() -> int:
    return db.session.scalar(select(func.min(Case.mediation_org_id)).select_from(Case)) or (
        db.session.execute(db.text("SELECT min(id) FROM mediation_organisations")).scalar_one()
    )


def _cases() -> list[Case]:
    db.session.expire_all()
    return list(db.session.scalars(select(Case).order_by(Case.id)))


def test_a_draft_is_saved_and_can_be_finished_later(browser: Browser, creditor, mediators) -> None:
    response = _post(browser, "draft", interest="", penalty="", overdue_since="")
    assert response.status_code == 302
    (case,) = _cases()
    assert case.state == CaseState.DRAFT
    assert case.reference.startswith("HZ-2026-") and case.reference.endswith(f"{case.id:06d}")
    assert case.debtor_id_masked == "110105********002X"
    assert case.interest is None
    page = browser.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert 'value="30000.00"' in page
    finished = browser.submit(
        f"/cases/{case.id}/edit",
        {**GOOD, "mediation_org_id": str(case.mediation_org_id), "action": "submit"},
        page=f"/cases/{case.id}/edit",
    )
    assert finished.status_code == 302
    (case,) = _cases()
    assert case.state == CaseState.SUBMITTED
    assert case.claim_total == Decimal("31800.00")
    assert case.mediator_id in {m.id for m in mediators}


def test_the_id_number_is_encrypted_at_rest(browser: Browser, creditor, mediators) -> None:
    _post(browser, "draft")
    raw = db.session.execute(db.text("SELECT debtor_id_number FROM cases")).scalar_one()
    assert "11010519491231002X" not in raw
    assert _cases()[0].debtor_id_number == "11010519491231002X"
    assert "11010519491231002X" not in browser.get(f"/cases/{_cases()[0].id}").get_data(
        as_text=True
    )


def test_submitted_claim_is_locked(browser: Browser, creditor, mediators) -> None:
    _post(browser, "submit")
    (case,) = _cases()
    assert browser.get(f"/cases/{case.id}/edit").status_code == 404
    response = browser.submit(
        f"/cases/{case.id}/edit", {**GOOD, "interest": "1", "action": "draft"}, page="/cases"
    )
    assert response.status_code == 404
    assert _cases()[0].interest == Decimal("1500.00")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("debtor_id_number", "110105194912310021", "GB 11643"),
        ("debtor_id_number", "1101051949123", "18"),
        ("debtor_phone", "12345678901", "11 位"),
        ("debtor_email", "not-an-email", "邮箱"),
        ("interest", "-1", "金额"),
        ("interest", "0.001", "两位小数"),
        ("interest", "1e9999", "金额"),
        ("interest", "NaN", "金额"),
        ("interest", "一万", "金额"),
        ("outstanding_principal", "0", "大于零"),
        ("contract_date", "2099-01-01", "未来"),
        ("overdue_since", "2024-02-01", "合同订立之前"),
    ],
)
def test_bad_input_rerenders_with_a_clear_message_and_saves_nothing(
    browser: Browser, creditor, mediators, field: str, value: str, message: str
) -> None:
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = _post(browser, "submit", **{field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html, field
    assert f'value="{GOOD["debtor_name"]}"' in html  # what was typed stays
    assert _cases() == []
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_submission_needs_every_field(browser: Browser, creditor, mediators) -> None:
    response = _post(browser, "submit", fees="", contract_number="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="fees-error">\s*此项为必填项', html)
    assert re.search(r'id="contract_number-error">\s*此项为必填项', html)
    summary = html[
        html.index("data-error-summary") : html.index("</ul>", html.index("data-error-summary"))
    ]
    assert summary.count("此项为必填项") == 2  # the summary at the top names both, linked
    assert 'href="#fees"' in summary and 'href="#contract_number"' in summary
    assert _cases() == []


def test_private_loan_over_the_cap_is_blocked_with_the_finding(
    app: Flask, browser: Browser
) -> None:
    make_mediation_org()
    lender = make_user(
        Role.CREDITOR, creditor_org=make_creditor_org(licence_type=LicenceType.PRIVATE_LENDER)
    )
    browser.login(lender.email, PASSWORD)
    response = _post(
        browser, "submit", contract_date="2025-06-01", annual_rate="18", overdue_since="2025-09-01"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "上限12%" in html  # 4 × LPR 3% in force on 2025-06-01
    (case,) = _cases()  # kept as a draft so nothing typed is lost
    assert case.state == CaseState.DRAFT


def test_bank_at_the_same_rate_gets_a_warning_not_a_block(browser: Browser, creditor, mediators):
    response = _post(
        browser, "submit", contract_date="2025-06-01", annual_rate="30", overdue_since="2025-09-01"
    )
    assert response.status_code == 302
    (case,) = _cases()
    assert case.state == CaseState.SUBMITTED
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "finding-warn" in page
    # 民间借贷规定 Art. 1 para. 2; 银行卡规定 for credit cards only: the card says so.
    assert "按金融借款规则审查" in page and "本案不适用" in page
    assert "按民间借贷规则审查" not in page


def test_a_pre_2020_private_loan_is_split_on_the_claim_check(
    browser: Browser, creditor, mediators
) -> None:
    """民间借贷规定 (2020) Art. 31: formed 2019-06-01 at 18%, the claim card names the
    transitional rule and shows both parts instead of blocking on 4 × the 2019 LPR."""
    creditor.creditor_org.licence_type = LicenceType.PRIVATE_LENDER
    db.session.commit()
    response = _post(
        browser,
        "submit",
        contract_date="2019-06-01",
        annual_rate="18",
        overdue_since="2025-09-01",
    )
    assert response.status_code == 302
    (case,) = _cases()
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "第三十一条的过渡规定" in page
    assert "2019年6月1日至2020年8月19日" in page and "2020年8月20日至" in page


def test_assignee_must_give_the_assignment_details(browser: Browser, creditor, mediators) -> None:
    response = _post(browser, "submit", is_assignee="yes")
    assert response.status_code == 400
    # Three fields, each named in the summary at the top and again by the field.
    assert response.get_data(as_text=True).count("此项为必填项") == 2 * 3


def test_case_goes_to_the_mediator_with_fewest_open_cases(app: Flask, org, mediators) -> None:
    from app.cases.assignment import pick_mediator

    busy, free = mediators
    for _ in range(2):
        make_case(mediator=busy)
    make_case(mediator=free, state=CaseState.CLOSED_NOT_MEDIATED)
    case = make_case(mediation_org_id=org.id, state=CaseState.SUBMITTED)
    assert pick_mediator(case) == free


def test_a_declared_conflict_keeps_the_case_away(app: Flask, org, mediators) -> None:
    from app.cases.assignment import pick_mediator

    first, second = mediators
    creditor = make_user(Role.CREDITOR)
    db.session.add(
        MediatorConflict(
            mediator_id=first.id, creditor_org_id=creditor.creditor_org_id, reason="前雇主"
        )
    )
    db.session.commit()
    for _ in range(3):
        make_case(mediator=second)  # busier, but the only one without a conflict
    case = make_case(creditor=creditor, mediation_org_id=org.id)
    assert pick_mediator(case) == second


def test_creditor_lists_only_its_organisations_cases(browser: Browser, creditor) -> None:
    mine = make_case(creditor=creditor)
    theirs = make_case()
    page = browser.get("/cases").get_data(as_text=True)
    assert mine.reference in page
    assert theirs.reference not in page


@pytest.mark.parametrize("url", ["/cases/{id}", "/cases/{id}/edit", "/cases/{id}/evidence/1"])
def test_another_creditor_guessing_ids_gets_404(browser: Browser, creditor, url: str) -> None:
    other = make_case(state=CaseState.DRAFT)
    assert browser.get(url.format(id=other.id)).status_code == 404


def test_a_draft_is_invisible_to_the_mediation_side(app: Flask, org) -> None:
    admin = make_user(Role.ADMIN, mediation_org=org)
    draft = make_case(mediation_org_id=org.id, state=CaseState.DRAFT)
    browser = Browser(app.test_client())
    browser.login(admin.email, PASSWORD)
    assert browser.get(f"/cases/{draft.id}").status_code == 404


def test_each_refusal_of_the_form_names_its_field(app: Flask) -> None:
    from app.cases.intake import parse_case_form
    from app.cases.lifecycle import today

    form = {**GOOD, "debtor_phone": "12345678901", "interest": "0.001", "fees": ""}
    parsed = parse_case_form(form, today(), complete=True)
    assert {name: (err.field, err.code) for name, err in parsed.errors.items()} == {
        "debtor_phone": ("debtor_phone", "invalid_mobile"),
        "interest": ("interest", "money_precision"),
        "fees": ("fees", "required"),
    }
    with app.test_request_context():
        assert "13800138000" in parsed.errors["debtor_phone"].message


def test_a_rule_refusal_keeps_its_code_under_the_fields_name(app: Flask) -> None:
    from app.cases.intake import parse_case_form
    from app.cases.lifecycle import today

    parsed = parse_case_form(
        {**GOOD, "debtor_id_number": "110105194912310021"}, today(), complete=False
    )
    (error,) = parsed.errors.values()
    assert (error.field, error.code) == ("debtor_id_number", "id_checksum")
    with app.test_request_context():
        assert "GB 11643" in error.message


def test_reassigning_to_someone_who_is_not_a_mediator_here_is_refused(app: Flask, org) -> None:
    admin = make_user(Role.ADMIN, mediation_org=org)
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    foreign = make_user(Role.MEDIATOR, mediation_org=make_mediation_org())
    case = make_case(mediator=mediator, state=CaseState.SUBMITTED)
    browser = Browser(app.test_client())
    browser.login(admin.email, PASSWORD)
    # Numbers no row can have (past 32 and 64 bits) are refused like a stranger, not a 500.
    for chosen in (foreign.id, 999_999, 2**31, 2**64 + 1):
        response = browser.submit(
            f"/cases/{case.id}/reassign", {"mediator_id": str(chosen)}, page="/login"
        )
        assert refused(response)  # a 303 back to the case page, which says why
        assert "请选择本组织的调解员" in response.get_data(as_text=True)
        db.session.refresh(case)
        assert case.mediator_id == mediator.id
