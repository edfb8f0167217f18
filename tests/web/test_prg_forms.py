"""Post/redirect/get form by form (app/core/prg.py): a refused post answers 303 to the
form's page, whose GET shows the values typed and the errors once (a reload shows the
page fresh); secrets and files are never kept, and a form with a file says to choose it
again."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from app.core.prg import _KEY
from app.models.cases import Case
from app.models.organisations import LicenceType
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

FILES_AGAIN = "不会保留文件"  # "Files are not kept when a form comes back…" in Chinese


@pytest.fixture
def people(app: Flask) -> dict[str, User]:
    org = make_mediation_org()
    return {
        "creditor": make_user(Role.CREDITOR),
        "mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "admin": make_user(Role.ADMIN, mediation_org=org),
        "debtor": make_user(Role.DEBTOR),
    }


def _case(people: dict[str, User], state: CaseState, **kw: Any) -> Case:
    return make_case(
        creditor=people["creditor"],
        mediator=people["mediator"],
        state=state,
        debtor_user_id=people["debtor"].id,
        **kw,
    )


def _as(app: Flask, user: User | None) -> Browser:
    browser = Browser(app.test_client())
    if user is not None:
        assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _refused(browser: Browser, url: str, data: dict[str, Any], page: str) -> tuple[Any, str]:
    """Post the form; the refusal is a 303 whose page (fetched like a browser) shows it."""
    answer = browser.submit(url, data, page=page, follow_refusal=False)
    assert answer.status_code == 303, answer.status_code
    with browser.client.session_transaction() as session:
        kept = repr(session.get(_KEY))
    shown = browser.get(answer.headers["Location"])
    return shown, kept


def test_admin_account_form_keeps_the_values_never_the_password(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["admin"])
    data = {
        "acct-role": "mediator",
        "acct-creditor_org_id": "0",
        "acct-name": "",
        "acct-email": "new.mediator@example.com",
        "acct-password": "correct horse battery",
    }
    shown, kept = _refused(browser, "/admin/users", data, page="/admin/")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 400
    assert 'value="new.mediator@example.com"' in html and 'aria-invalid="true"' in html
    assert "correct horse battery" not in kept and "correct horse battery" not in html
    assert "new.mediator@example.com" not in browser.get("/admin/").get_data(as_text=True)


def test_admin_organisation_form_says_to_choose_the_seal_again(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["admin"])
    data = {"org-name": "新的调解中心", "org-registration_number": "", "org-address": "x"}
    shown, _ = _refused(browser, "/admin/organisation", data, page="/admin/")
    html = shown.get_data(as_text=True)
    assert 'value="新的调解中心"' in html and FILES_AGAIN in html


def test_admin_lpr_fixing_keeps_the_day_and_the_rate(app: Flask, people: dict[str, User]) -> None:
    browser = _as(app, people["admin"])
    shown, _ = _refused(
        browser, "/admin/lpr", {"effective": "2031-01-20", "rate": "abc"}, page="/admin/"
    )
    html = shown.get_data(as_text=True)
    assert shown.status_code >= 400
    assert 'value="2031-01-20"' in html and 'value="abc"' in html and "notice-error" in html


def test_calendar_override_keeps_the_source_typed(app: Flask, people: dict[str, User]) -> None:
    browser = _as(app, people["admin"])
    data = {
        "day-day": "2031-02-31",
        "day-is_working": "working",
        "day-note": "国办发明电〔2030〕7号",
    }
    shown, _ = _refused(browser, "/admin/calendar/overrides", data, page="/admin/calendar/")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 400
    assert 'value="2031-02-31"' in html and "国办发明电〔2030〕7号" in html
    assert re.search(r'<option (selected value="working"|value="working" selected)', html)
    assert 'aria-invalid="true"' in html


def test_case_intake_keeps_every_value_typed(app: Flask, people: dict[str, User]) -> None:
    browser = _as(app, people["creditor"])
    data = {
        "debtor_name": "王小明",
        "debtor_phone": "13900139000",
        "debtor_address": "上海市浦东新区某路 8 号",
        "contract_number": "HT-2025-77",
        "principal_lent": "-1",
        "annual_rate": "12",
        "action": "save",
    }
    shown, _ = _refused(browser, "/cases/new", data, page="/cases/new")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 400
    for value in ("王小明", "13900139000", "上海市浦东新区某路 8 号", "HT-2025-77", 'value="-1"'):
        assert value in html
    assert 'id="principal_lent-error"' in html
    assert "王小明" not in browser.get("/cases/new").get_data(as_text=True)


def test_a_blocked_submission_comes_back_on_the_draft_with_the_findings(
    app: Flask, people: dict[str, User]
) -> None:
    case = _case(
        people,
        CaseState.DRAFT,
        annual_rate=Decimal("99.0000"),
        lender_kind=LicenceType.PRIVATE_LENDER,
    )
    browser = _as(app, people["creditor"])
    answer = browser.submit(
        f"/cases/{case.id}/submit", {}, page=f"/cases/{case.id}", follow_refusal=False
    )
    assert answer.status_code == 303 and answer.headers["Location"] == f"/cases/{case.id}/edit"
    html = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="findings-title"' in html and 'value="99' in html


def test_ending_the_mediation_keeps_the_reason_and_the_box(
    app: Flask, people: dict[str, User]
) -> None:
    case = _case(people, CaseState.NEGOTIATING)
    browser = _as(app, people["debtor"])
    url = f"/cases/{case.id}/end"
    shown, kept = _refused(browser, url, {"reason": "", "confirm": "1"}, page=url)
    html = shown.get_data(as_text=True)
    assert shown.status_code >= 400 and "checked" in html and "'confirm'" in kept
    assert "checked" not in browser.get(url).get_data(as_text=True).split('name="confirm"')[1][:60]


def test_a_refused_restructuring_decline_keeps_the_reason(
    app: Flask, people: dict[str, User]
) -> None:
    case = _case(people, CaseState.IN_FORCE)
    browser = _as(app, people["creditor"])
    url = f"/cases/{case.id}/restructuring/decline"
    shown, _ = _refused(browser, url, {"reason": "首付太低"}, page="/account/")
    html = shown.get_data(as_text=True)
    assert shown.status_code >= 400 and "首付太低" in html and 'role="alert"' in html
    assert "首付太低" not in browser.get(url).get_data(as_text=True)


def test_a_refused_decline_of_a_case_keeps_the_reason_on_the_case_page(
    app: Flask, people: dict[str, User]
) -> None:
    case = _case(people, CaseState.SUBMITTED)
    browser = _as(app, people["mediator"])
    shown, _ = _refused(
        browser, f"/cases/{case.id}/decline", {"reason": " "}, page=f"/cases/{case.id}"
    )
    html = shown.get_data(as_text=True)
    assert shown.status_code >= 400 and 'id="decline-reason-error"' in html
    assert '<details class="decline" open>' in html


def test_a_refused_conflict_declaration_keeps_the_reason(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["mediator"])
    shown, _ = _refused(
        browser,
        "/account/conflicts",
        {"creditor_org_id": "", "reason": "我曾在该行任职"},
        "/account/",
    )
    html = shown.get_data(as_text=True)
    assert shown.status_code >= 400 and 'value="我曾在该行任职"' in html
    assert 'id="conflict-error"' in html


def test_a_refused_filing_keeps_the_court_case_number(app: Flask, people: dict[str, User]) -> None:
    case = _case(people, CaseState.IN_FORCE)
    browser = _as(app, people["mediator"])
    data = {"filed_on": "not-a-day", "court_case_number": "(2026)京0105民特123号"}
    shown, _ = _refused(browser, f"/cases/{case.id}/confirmation/filing", data, "/account/")
    assert shown.status_code >= 400
    assert "notice-error" in shown.get_data(as_text=True)


def test_a_refused_statement_import_says_to_choose_the_file_again(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["creditor"])
    shown, _ = _refused(browser, "/payments/imports", {}, page="/payments/imports")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 422 and 'id="statement-error"' in html and FILES_AGAIN in html
    assert 'id="statement-error"' not in browser.get("/payments/imports").get_data(as_text=True)


def test_a_refused_verify_upload_comes_back_to_the_form(app: Flask) -> None:
    browser = _as(app, None)
    shown, _ = _refused(browser, "/verify", {}, page="/verify")
    assert shown.status_code == 400 and 'role="alert"' in shown.get_data(as_text=True)
    assert browser.get("/verify").status_code == 200
