"""Restructuring, in a real Chromium and in English: the debtor, on a phone, asks for new
terms for the rest (a total that is not the remaining balance is refused on the form); the
creditor accepts; the mediator drafts the supplementary agreement; the debtor, the creditor
and the mediator sign it after a one-time code; the plan then shows the superseded
instalments and the new schedule.

Screenshots: ``tests/artifacts/restructuring-request-debtor-360.png``,
``restructuring-panel-creditor-1280.png``, ``restructuring-plan-creditor-1280.png``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from app.cases.lifecycle import today
from app.extensions import db
from app.models.notifications import Channel
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.restructuring_support import partly_paid_case

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_agreement_journey import (  # noqa: E402
    REFUSED_LOG,
    ask_for_code,
    confirm,
    signing_code,
    submit_refused,
    type_signature,
)
from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    flash,
    heading,
    screenshot,
    section,
    sign_in,
    submit,
)

pytestmark = pytest.mark.browser
TITLE = "Restructuring (supplementary agreement)"


def panel(page: Page):
    return section(page, TITLE)


def sign_supplement(page: Page, case_id: int, user_id: int, name: str, channel: Channel) -> None:
    page.goto(f"/cases/{case_id}")
    submit(page, panel(page).get_by_role("link", name="Review and sign"), f"{name}: open")
    expect(heading(page, "Sign the supplementary agreement")).to_be_visible()
    button = re.compile(r"^SMS to ") if channel == Channel.SMS else re.compile(r"^Email to ")
    sent_by = "text message" if channel == Channel.SMS else "email"
    ask_for_code(page, button, sent_by, name)
    confirm(page, signing_code(user_id, channel))
    type_signature(page, name)
    submit(page, page.get_by_role("button", name="Sign", exact=True), f"{name}: sign")
    expect(flash(page)).to_have_text("You signed the supplementary agreement.")


def test_debtor_asks_creditor_accepts_all_sign_the_supplementary_agreement(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    who, case, _ = partly_paid_case()
    case_id = case.id
    ids = {role: who[role].id for role in ("debtor", "creditor", "mediator")}
    emails = {role: who[role].email for role in ("debtor", "creditor", "mediator")}
    first_due = (today() + timedelta(days=40)).isoformat()
    db.session.close()
    watch = Watch()

    # 1. The debtor, on a phone, asks; a total that re-collects what was paid is refused.
    with browser_page(chromium, live_server, watch, "debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        page.goto(f"/cases/{case_id}")
        submit(page, panel(page).get_by_role("link", name="Ask to restructure"), "debtor: ask")
        expect(heading(page, "Ask to restructure")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text("Remaining: ¥22,500.00")
        page.get_by_label("What changed in your situation?").fill("失业，收入减少一半")
        page.get_by_role("radio", name="Instalments").check()
        page.get_by_label("Remaining balance to be paid (yuan)").fill("24000")
        page.get_by_label("Number of instalments").fill("10")
        page.get_by_label("First instalment due (date)").fill(first_due)
        alert = submit_refused(
            page, page.get_by_role("button", name="Send the request"), "debtor: wrong total"
        )
        expect(alert).to_contain_text("Nothing was saved yet.")
        expect(page.locator("#total-error")).to_contain_text("¥22,500.00")
        page.get_by_label("Remaining balance to be paid (yuan)").fill("22500")
        screenshot(page, artifacts / "restructuring-request-debtor-360.png")
        submit(page, page.get_by_role("button", name="Send the request"), "debtor: send")
        expect(flash(page)).to_have_text(
            "Your request is sent. The creditor and the mediator are told."
        )
        expect(panel(page)).to_contain_text("Waiting for an answer")

    # 2. The creditor accepts the debtor's terms.
    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, emails["creditor"])
        page.goto(f"/cases/{case_id}")
        expect(panel(page)).to_contain_text("失业，收入减少一半")
        submit(
            page, panel(page).get_by_role("button", name="Accept these terms"), "creditor: accept"
        )
        expect(flash(page)).to_have_text(
            "You accepted the terms. The mediator drafts the supplementary agreement."
        )

    # 3. The mediator drafts; the worker prepares the PDF.
    with browser_page(chromium, live_server, watch, "mediator") as page:
        sign_in(page, emails["mediator"])
        page.goto(f"/cases/{case_id}")
        submit(
            page,
            panel(page).get_by_role("button", name="Draft the supplementary agreement"),
            "mediator: draft",
        )
        page.goto(f"/cases/{case_id}")
        expect(panel(page).locator(".badge-agreement-signing")).to_have_text("Awaiting signatures")

    # 4. Each signs after a one-time code: the debtor on a phone, then creditor, mediator.
    with browser_page(chromium, live_server, watch, "debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        sign_supplement(page, case_id, ids["debtor"], "debtor", Channel.SMS)
    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, emails["creditor"])
        sign_supplement(page, case_id, ids["creditor"], "creditor", Channel.EMAIL)
    with browser_page(chromium, live_server, watch, "mediator") as page:
        sign_in(page, emails["mediator"])
        sign_supplement(page, case_id, ids["mediator"], "mediator", Channel.EMAIL)

    # 5. In force: the plan keeps what was paid and shows what it superseded.
    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, emails["creditor"])
        page.goto(f"/cases/{case_id}")
        expect(panel(page).locator(".badge-restructuring-completed")).to_have_text(
            "Supplementary agreement in force"
        )
        panel(page).screenshot(path=artifacts / "restructuring-panel-creditor-1280.png")
        plan = section(page, "Repayment")
        plan.locator("details.repayment-plan summary").click()
        expect(plan.locator(".badge-instalment-superseded")).to_have_count(23)
        expect(plan).to_contain_text("Supplementary agreement, instalment 10")
        expect(plan.locator(".repayment-totals")).to_contain_text("¥22,500.00")
        screenshot(page, artifacts / "restructuring-plan-creditor-1280.png")
    # The wrong total's 422 page is the one expected error (Chromium logs every 4xx).
    refused = f"debtor: console error: {REFUSED_LOG}"
    assert refused in watch.problems, f"the wrong total was not refused: {watch.problems}"
    watch.problems.remove(refused)
    assert watch.problems == [], "\n".join(watch.problems)
