"""On a 360 px phone, a proposal form that comes back with errors shows its error summary
at once (focused and in view, whatever the page's length), and each link in it moves to
its field; an amount typed as 1.2万 is taken as 12,000.00. An objection sent without a
reason, from the long case page, comes back with its summary in view too.

Screenshots: ``tests/artifacts/form-errors-360.png``, ``form-errors-1280.png`` and
``objection-errors-360.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Proposal
from app.models.users import Role
from app.rules.cases import CaseState
from tests.browser.support import PLAYWRIGHT_MISSING, AxeWatch, unavailable
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user

try:
    from playwright.sync_api import Browser, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_case_journey import Watch, screenshot, submit  # noqa: E402
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser


def _in_view(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect();"
        " return r.top > -2 && r.top < window.innerHeight; }",  # sub-pixel rounding
    )


def test_a_phone_user_is_taken_to_the_errors_and_1_2_wan_is_read(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    debtor = make_user(Role.DEBTOR)
    case = make_case(
        creditor=make_user(Role.CREDITOR),
        mediator=make_user(Role.MEDIATOR, mediation_org=make_mediation_org()),
        state=CaseState.NEGOTIATING,
        debtor_user_id=debtor.id,
    )
    case_id, email = case.id, debtor.email
    db.session.commit()
    db.session.close()

    watch = Watch()
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        watch.attach(page, "debtor")
        axe = AxeWatch().attach(page)
        page.goto("/login")
        page.get_by_label("邮箱或手机号", exact=True).fill(email)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        submit(page, page.get_by_role("button", name="登录", exact=True), "debtor: sign in")

        page.goto(f"/cases/{case_id}/proposals/new")
        form = page.locator("#proposal-form")
        form.locator("input[name=kind][value=instalments]").check()
        form.locator("#proposal-total").fill("12,00")
        form.locator("#proposal-count").fill("0")
        form.locator("#proposal-first_due").fill("2027-01-15")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()

        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        assert _in_view(page, "[data-error-summary]"), "the summary is not in view"
        expect(summary.get_by_role("link")).to_have_count(2)
        problems = wider_than_screen(page, "the proposal form with errors")
        screenshot(page, artifacts / "form-errors-360.png")

        summary.get_by_role("link").nth(1).click()
        expect(page.locator("#proposal-count")).to_be_focused()
        assert _in_view(page, "#proposal-count"), "the count field is not in view"

        page.locator("#proposal-total").fill("1.2万")
        page.locator("#proposal-count").fill("12")
        screenshot(page, artifacts / "form-errors-1280.png", width=1280)
        with page.expect_navigation():
            page.locator("#proposal-form button[type=submit]").click()
        expect(page.locator("[data-error-summary]")).to_have_count(0)
        report = axe.finish(page)
        assert report is None, report
    finally:
        context.close()
    db.session.expire_all()
    proposal = db.session.scalar(select(Proposal).where(Proposal.case_id == case_id))
    assert proposal is not None and str(proposal.total) == "12000.00"
    assert problems == []
    refused = "the server responded with a status of 400 (BAD REQUEST)"  # the form came back
    assert [p for p in watch.problems if refused not in p] == []


def test_an_objection_without_a_reason_shows_its_error_in_view_on_a_phone(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    debtor = make_user(Role.DEBTOR)
    case = make_case(
        creditor=make_user(Role.CREDITOR),
        mediator=make_user(Role.MEDIATOR, mediation_org=make_mediation_org()),
        state=CaseState.NEGOTIATING,
        debtor_user_id=debtor.id,
    )
    case_id, email = case.id, debtor.email
    db.session.commit()
    db.session.close()

    watch = Watch()
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        watch.attach(page, "debtor")
        axe = AxeWatch().attach(page)
        page.goto("/login")
        page.get_by_label("邮箱或手机号", exact=True).fill(email)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        submit(page, page.get_by_role("button", name="登录", exact=True), "debtor: sign in")
        page.goto(f"/cases/{case_id}")
        new = page.locator("details.objection-new")
        new.locator("summary").click()
        new.locator("input[name=item]").first.check()
        with page.expect_navigation():
            new.locator("button[type=submit]").click()
        summary = page.locator("#objection-error")
        expect(summary).to_be_focused()
        assert _in_view(page, "#objection-error"), "the objection's errors are out of view"
        expect(summary.get_by_role("link")).to_have_count(1)
        screenshot(page, artifacts / "objection-errors-360.png")
        summary.get_by_role("link").click()
        expect(page.locator("#objection-reason")).to_be_focused()
        report = axe.finish(page)
        assert report is None, report
    finally:
        context.close()
    refused = "the server responded with a status of 4"  # the form came back
    assert [p for p in watch.problems if refused not in p] == []
