"""Asked early, in a real Chromium (English): the creditor sees what is missing on a new
case, gives the receiving account and the power of attorney with its content on the case
page (1280 px), the badges go; the mediator's docket shows none. After the agreement took
effect the debtor, on a phone, still writes in the private thread, a tab of its own colour
with the banner, chosen with the keyboard.

Screenshots: ``tests/artifacts/papers-missing-creditor-1280.png``,
``tests/artifacts/papers-given-creditor-1280.png``,
``tests/artifacts/threads-private-debtor-360.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import PowerOfAttorneyRecord
from app.models.negotiation import Message, Thread
from app.models.users import Role
from app.rules.cases import CaseState
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.factories import make_case, make_mediation_org, make_user

try:
    from playwright.sync_api import Browser, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    flash,
    screenshot,
    sign_in,
    submit,
)
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_creditor_gives_the_papers_and_the_badges_go(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    org = make_mediation_org()
    creditor = make_user(Role.CREDITOR, name="陈立")
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    case = make_case(creditor=creditor, mediator=mediator, state=CaseState.SUBMITTED)
    case_id, emails = case.id, {"creditor": creditor.email, "mediator": mediator.email}
    db.session.close()  # the live server's threads use their own sessions
    poa_file = tmp_path / "授权委托书.pdf"
    poa_file.write_bytes(PDF)
    watch = Watch()

    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, emails["creditor"])
        page.goto(f"/cases/{case_id}")
        head = page.locator(".page-head")
        expect(head.locator(".badge-missing")).to_have_text(
            ["⚠ Power of attorney missing", "⚠ Receiving account missing"]
        )
        papers = page.get_by_role("region", name="Papers for the agreement and the court")
        screenshot(page, artifacts / "papers-missing-creditor-1280.png")

        papers.get_by_label("Bank and branch").fill("测试银行北京分行营业部")
        papers.get_by_label("Account number").fill("6222 0200 1234 5678 901")
        submit(page, papers.get_by_role("button", name="Save the account"), "creditor: account")
        expect(flash(page)).to_have_text("The receiving account was saved.")

        papers = page.get_by_role("region", name="Papers for the agreement and the court")
        papers.locator("#poa-file").set_input_files(str(poa_file))
        papers.get_by_label("Agent's position with the principal").fill("法务专员")
        for power in (
            "take part in the mediation",
            "sign the mediation agreement",
            "admit, waive or change claims (special authorisation)",
            "apply for judicial confirmation",
        ):
            papers.get_by_role("checkbox", name=power).check()
        papers.get_by_label("Valid from").fill("2026-01-01")
        papers.get_by_label("Date signed").fill("2026-01-01")
        submit(
            page,
            papers.get_by_role("button", name="Record the power of attorney"),
            "creditor: power of attorney",
        )
        expect(flash(page)).to_have_text("The power of attorney was recorded.")
        expect(page.locator(".page-head .badge-missing")).to_have_count(0)
        summary = page.locator("[data-power-of-attorney]")
        expect(summary).to_contain_text("陈立")
        expect(summary).to_contain_text("special authorisation")
        expect(page.locator("[data-receiving-account]")).to_contain_text("****8901")
        screenshot(page, artifacts / "papers-given-creditor-1280.png")

    record = db.session.scalars(select(PowerOfAttorneyRecord)).one()
    assert record.agent_name == "陈立" and "special" in record.powers
    db.session.close()

    with browser_page(chromium, live_server, watch, "mediator") as page:
        sign_in(page, emails["mediator"])
        page.goto("/docket")
        expect(page.locator(".badge-missing")).to_have_count(0)

    assert watch.problems == []


def test_the_debtor_writes_privately_after_the_agreement_took_effect(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    creditor, debtor = make_user(Role.CREDITOR), make_user(Role.DEBTOR)
    mediator = make_user(Role.MEDIATOR)
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.IN_FORCE, debtor_user_id=debtor.id
    )
    case_id, email = case.id, debtor.email
    db.session.close()
    watch = Watch()
    layout: list[str] = []
    text = "Could the first payment move by one week?"

    with browser_page(chromium, live_server, watch, "debtor", width=360) as page:
        sign_in(page, email)
        page.goto(f"/cases/{case_id}")
        messages = page.get_by_role("region", name="Messages")
        joint = messages.get_by_role("tab", name="Joint", exact=True)
        private = messages.get_by_role("tab", name="Private with the mediator", exact=True)
        expect(joint).to_have_attribute("aria-selected", "true")
        expect(private).to_have_attribute("aria-selected", "false")
        joint.focus()
        page.keyboard.press("ArrowRight")  # the tabs pattern: arrows move between tabs
        expect(private).to_have_attribute("aria-selected", "true")
        expect(private).to_be_focused()
        panel = messages.get_by_role("tabpanel", name="Private with the mediator")
        expect(panel.locator(".thread-banner")).to_have_text(
            "Only the mediator sees this conversation"
        )
        expect(messages.get_by_role("tabpanel", name="Joint")).to_be_hidden()
        colours = [
            tab.evaluate("el => getComputedStyle(el).backgroundColor") for tab in (joint, private)
        ]
        assert colours[0] != colours[1], colours
        panel.get_by_label("Your private message").fill(text)
        submit(page, panel.get_by_role("button", name="Send"), "debtor: write privately")
        expect(private).to_have_attribute("aria-selected", "true")  # back on its tab
        expect(panel.locator(".message-body")).to_have_text([text])
        screenshot(page, artifacts / "threads-private-debtor-360.png")
        layout += wider_than_screen(page, "the threads on a phone")

    message = db.session.scalars(select(Message)).one()
    assert message.thread == Thread.CAUCUS_DEBTOR and message.body == text
    assert watch.problems == []
    assert layout == []
