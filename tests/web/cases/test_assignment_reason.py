"""The case page tells the creditor and the admin why the case has its mediator: the
rule and the load recorded when it was chosen; the mediator and the debtor are not told."""

from __future__ import annotations

from flask import Flask

from app.cases.lifecycle import decline_case, reassign_case, submit_case
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser


def _page(app: Flask, user: User, case_id: int) -> str:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    response = browser.get(f"/cases/{case_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_rule_and_the_load_are_shown_to_the_creditor_and_the_admin(app: Flask) -> None:
    org = make_mediation_org()
    busy = make_user(Role.MEDIATOR, mediation_org=org, name="忙调解")
    free = make_user(Role.MEDIATOR, mediation_org=org, name="闲调解")
    admin = make_user(Role.ADMIN, mediation_org=org)
    creditor = make_user(Role.CREDITOR)
    for _ in range(2):
        make_case(mediator=busy)
    case = make_case(creditor=creditor, mediation_org_id=org.id, state=CaseState.DRAFT)
    submit_case(creditor, case)
    assert case.mediator_id == free.id

    said = "指派时 闲调解 有 0 件在办案件，是 2 名可选调解员中最少的。"
    for viewer in (creditor, admin):
        page = _page(app, viewer, case.id)
        assert "在办案件最少的调解员" in page and said in page
    assert 'id="assignment-reason"' not in _page(app, free, case.id)

    decline_case(free, case, "与债权人存在业务往来。")
    assert case.mediator_id == busy.id
    page = _page(app, creditor, case.id)
    assert "指派时 忙调解 有 2 件在办案件，是 1 名可选调解员中最少的。" in page

    reassign_case(admin, case, free)
    page = _page(app, admin, case.id)
    assert "闲调解 由调解组织管理员指派。" in page
    assert "在办案件最少" not in page


def test_when_nobody_is_eligible_the_admin_is_told_to_assign(app: Flask) -> None:
    org = make_mediation_org()
    only = make_user(Role.MEDIATOR, mediation_org=org, is_locked=True)
    admin = make_user(Role.ADMIN, mediation_org=org)
    creditor = make_user(Role.CREDITOR)
    case = make_case(creditor=creditor, mediation_org_id=org.id, state=CaseState.DRAFT)
    submit_case(creditor, case)
    assert case.mediator_id is None and only.is_locked
    assert "由管理员指派" in _page(app, admin, case.id)
