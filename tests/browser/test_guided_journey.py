"""The debtor's guided path on a 360 px phone (issue 12 item 3): from the claim to a
proposal, one page per step, a reload on every step, Back after a refused form, the
statement kept as a draft across leaving, its running total as typed, and the
confirmation before accepting the creditor's terms. A screenshot of each step goes to
tests/artifacts/guided-*.png."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask

from app.cases.lifecycle import today
from app.extensions import db
from app.models.negotiation import Proposal
from app.models.users import Role
from app.negotiation import proposals as proposal_service
from app.negotiation.offers import Offer
from app.rules.cases import CaseState
from app.rules.proposals import ProposalState
from app.rules.schedules import Frequency
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.factories import make_case, make_mediation_org, make_user

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    assert_fits,
    browser_page,
    flash,
    heading,
    screenshot,
    sign_in,
    submit,
    url_is,
)

pytestmark = pytest.mark.browser
PHONE = 360


def shot(page: Page, artifacts: Path, name: str) -> None:
    assert_fits(page, name)
    screenshot(page, artifacts / f"guided-{name}.png")


def reload_keeps(page: Page, title: str) -> None:
    """A phone reloads the tab when the user comes back from another app."""
    response = page.reload()
    assert response is not None and response.status == 200, page.url
    expect(heading(page, title)).to_be_visible()


def current(page: Page) -> str:
    return page.locator("[aria-current=step]").get_attribute("data-step") or ""


def test_the_debtor_walks_the_steps_on_a_phone(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    mediator = make_user(Role.MEDIATOR, mediation_org=make_mediation_org())
    creditor = make_user(Role.CREDITOR)
    debtor = make_user(Role.DEBTOR)
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )
    offer = Offer(
        "instalments",
        Decimal("24000.00"),
        today() + timedelta(days=30),
        count=12,
        frequency=Frequency.MONTHLY,
    )
    creditors = proposal_service.submit_proposal(creditor, case, offer)
    case_id, offer_id, email = case.id, creditors.id, debtor.email
    assert email
    db.session.close()  # the live server's threads use their own sessions
    watch = Watch()
    with browser_page(chromium, live_server, watch, "debtor", width=PHONE) as page:
        sign_in(page, email)
        page.goto(f"/cases/{case_id}")
        submit(page, page.locator("#continue-steps"), "continue where I left off")

        # 1. The claim.
        expect(page).to_have_url(url_is(f"/cases/{case_id}/steps/claim"))
        expect(heading(page, "See the claim")).to_be_visible()
        assert current(page) == "claim"
        expect(page.locator("[aria-current=step] .step-status")).to_have_text("(you are here)")
        reload_keeps(page, "See the claim")
        shot(page, artifacts, "1-claim")
        submit(page, page.locator("#step-next"), "the claim is read")

        # 2. Objections: a refused one comes back with what was typed; Back never posts.
        expect(heading(page, "Objections")).to_be_visible()
        expect(page.locator("[data-step=claim] .step-status")).to_have_text("(done)")
        reload_keeps(page, "Objections")
        page.locator("input[name=item][value=interest]").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Send the objection").click()
        expect(page.locator("#objection-errors")).to_be_visible()
        expect(page.locator("input[name=item][value=interest]")).to_be_checked()
        # The browser logs the deliberate 400 of the refusal; nothing else may fail.
        assert watch.problems == [
            "debtor: console error: Failed to load resource: the server responded with a "
            "status of 400 (BAD REQUEST)"
        ]
        watch.problems.clear()
        shot(page, artifacts, "2-objections-refused")
        page.go_back()
        expect(heading(page, "Objections")).to_be_visible()  # no "Confirm Form Resubmission"
        page.go_forward()
        expect(heading(page, "Objections")).to_be_visible()
        page.locator("input[name=item][value=interest]").check()
        page.get_by_label("Why is it wrong?").fill("利息按 36% 计算，超过了法定上限。")
        submit(page, page.get_by_role("button", name="Send the objection"), "object")
        expect(page.locator("[data-objection]")).to_contain_text("利息按 36% 计算")
        shot(page, artifacts, "2-objections")
        submit(page, page.locator("#step-next"), "move on from the objections")

        # 3. Income and spending: the running total as typed, saved for later, kept.
        expect(heading(page, "Income and spending")).to_be_visible()
        reload_keeps(page, "Income and spending")
        page.get_by_label("People in your household, including you").fill("2")
        page.get_by_label("Wages or salary, after tax").fill("0.8万")
        page.get_by_label("Food and household goods").fill("１,５００")
        expect(page.locator("[data-total=income]")).to_have_text("¥8,000.00")
        expect(page.locator("[data-total=left]")).to_have_text("¥6,500.00")
        page.get_by_label("Housing: rent, mortgage, property fees").fill("3千")
        expect(page.locator("[data-total=spending]")).to_have_text("¥4,500.00")
        expect(page.locator("[data-total=left]")).to_have_text("¥3,500.00")
        page.get_by_label("Transport").fill("12,00")
        expect(page.locator("[data-total=unreadable]")).to_be_visible()
        page.get_by_label("Transport").fill("")
        expect(page.locator("[data-total=unreadable]")).to_be_hidden()
        submit(page, page.locator("#save-for-later"), "save the statement for later")
        expect(flash(page)).to_contain_text("Saved.")
        page.goto("/account/")  # leave, come back later
        page.goto(f"/cases/{case_id}/steps")
        expect(page).to_have_url(url_is(f"/cases/{case_id}/steps/statement"))
        expect(page.locator("#draft-restored")).to_be_visible()
        expect(page.get_by_label("Wages or salary, after tax")).to_have_value("0.8万")
        expect(page.locator("[data-total=left]")).to_have_text("¥3,500.00")
        shot(page, artifacts, "3-statement")
        page.get_by_label("Transport").focus()  # typing half-way down: the total in view
        page.screenshot(path=artifacts / "guided-3-statement-typing.png")
        submit(
            page,
            page.get_by_role("button", name="Save my statement"),
            "send the statement",
        )

        # 4. The repayment plan: the creditor's terms, reviewed and confirmed.
        expect(page).to_have_url(url_is(f"/cases/{case_id}/steps/proposal"))
        expect(heading(page, "Repayment plan")).to_be_visible()
        reload_keeps(page, "Repayment plan")
        shot(page, artifacts, "4-proposal")
        submit(page, page.locator(f"#review-{offer_id}"), "review the creditor's terms")
        expect(heading(page, "Confirm that you accept")).to_be_visible()
        expect(page.locator("[data-summary=total]")).to_have_text("¥24,000.00")
        expect(page.locator("[data-summary=payments]")).to_have_text("12")
        reload_keeps(page, "Confirm that you accept")
        shot(page, artifacts, "5-confirm")
        page.get_by_label("I have read the terms above and accept them.").check()
        submit(page, page.locator("#confirm-accept"), "confirm the acceptance")

        # 5. Signing comes next, once the mediator has drafted the agreement.
        expect(page).to_have_url(url_is(f"/cases/{case_id}/steps/sign"))
        expect(flash(page)).to_contain_text("Terms agreed.")
        reload_keeps(page, "Sign")
        expect(page.locator("#drafting")).to_be_visible()
        shot(page, artifacts, "6-sign")

        # The same path in Chinese, the tracker's words included.
        submit(page, page.get_by_role("button", name="中文", exact=True), "switch to Chinese")
        page.goto(f"/cases/{case_id}/steps/statement")
        expect(heading(page, "收支情况")).to_be_visible()
        expect(page.locator("[data-step=proposal] .step-status")).to_have_text("（已完成）")
        shot(page, artifacts, "7-zh-statement")
    assert watch.problems == []
    db.session.expire_all()
    assert db.session.get(Proposal, offer_id).state == ProposalState.ACCEPTED  # type: ignore[union-attr]
