"""Journey 7 (performance), in a real Chromium and in English: the creditor records a
payment on the case page; the debtor, on a phone, sees the plan move on their home and on
the case, and reports the next payment with a transfer receipt; the creditor confirms it
and the debtor sees it counted.

Screenshots: ``tests/artifacts/repayment-creditor-1280.png``,
``tests/artifacts/repayment-debtor-360.png``, ``tests/artifacts/repayment-home-debtor-360.png``
and the panel alone: ``repayment-panel-creditor-1280.png``, ``repayment-panel-debtor-360.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app.extensions import db
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.repayment_support import performing_case

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    flash,
    pdf_bytes,
    screenshot,
    section,
    sign_in,
    submit,
    url_is,
)
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser


def fill_payment(page: Page, amount: str, reference: str) -> None:
    panel = section(page, "Repayment")
    panel.get_by_label("Amount (yuan)", exact=True).fill(amount)
    panel.get_by_label("Date paid", exact=True).fill("2026-12-01")
    panel.get_by_label("Reference (bank serial number)", exact=True).fill(reference)


def test_creditor_records_a_payment_and_the_debtor_sees_the_plan_move(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    who, case, _ = performing_case(count=12)
    case_id, reference = case.id, case.reference
    emails = {role: who[role].email for role in ("creditor", "debtor")}
    db.session.close()  # the live server's threads use their own sessions
    watch = Watch()
    layout: list[str] = []

    # 1. The creditor records 3,000 yuan received: the first instalment and half the second.
    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, emails["creditor"])
        page.goto(f"/cases/{case_id}")
        panel = section(page, "Repayment")
        expect(panel.locator(".badge-repayment-on-track")).to_have_text("On track")
        fill_payment(page, "3000", "CR-20261201-1")
        submit(page, panel.get_by_role("button", name="Record the payment"), "creditor: record")
        expect(page).to_have_url(url_is(rf"/cases/{case_id}"))
        expect(flash(page)).to_have_text("The payment is recorded. The debtor has been notified.")
        panel = section(page, "Repayment")
        expect(panel.locator(".repayment-totals")).to_contain_text("¥3,000.00")
        expect(panel.locator(".repayment-totals")).to_contain_text("¥21,000.00")
        screenshot(page, artifacts / "repayment-creditor-1280.png")
        panel.screenshot(path=artifacts / "repayment-panel-creditor-1280.png")

    # 2. The debtor, on a phone: the home shows the next instalment; the case shows the plan.
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(pdf_bytes("Transfer receipt 1000.00"))
    with browser_page(chromium, live_server, watch, "debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        expect(page).to_have_url(url_is("/debtor"))
        home = page.locator(".repayment-home")
        expect(home).to_contain_text(reference)
        expect(home).to_contain_text("¥1,000.00")  # what is left of instalment 2
        expect(home).to_contain_text("¥21,000.00")
        screenshot(page, artifacts / "repayment-home-debtor-360.png")
        layout += wider_than_screen(page, "the debtor's home")
        submit(
            page,
            home.get_by_role("link", name="The plan, the account to pay and reporting a payment"),
            "debtor: open the plan",
        )
        panel = section(page, "Repayment")
        expect(panel.locator(".repayment-next")).to_contain_text("6222 0200 1234 5678 901")
        expect(panel.locator("tr.instalment-paid")).to_have_count(1)
        expect(panel.locator("tr.instalment-partly-paid")).to_have_count(1)
        expect(panel.locator(".payment-recorded")).to_contain_text("CR-20261201-1")
        panel.locator(".repayment-plan summary").click()  # open the plan for the picture
        screenshot(page, artifacts / "repayment-debtor-360.png")
        panel.screenshot(path=artifacts / "repayment-panel-debtor-360.png")
        layout += wider_than_screen(page, "the debtor's case page with the repayment")

        # The debtor pays the rest of instalment 2 and reports it with the receipt.
        fill_payment(page, "1000.00", "DB-20261201-9")
        panel.get_by_label("Transfer receipt (PDF, JPEG or PNG)", exact=True).set_input_files(
            str(receipt)
        )
        submit(page, panel.get_by_role("button", name="Report the payment"), "debtor: report")
        expect(flash(page)).to_have_text(
            "Your payment is reported. The creditor confirms it once received."
        )
        expect(section(page, "Repayment").locator(".payment-reported")).to_contain_text(
            "Awaiting the creditor's confirmation"
        )

    # 3. The creditor confirms; the debtor sees it counted.
    with browser_page(chromium, live_server, watch, "creditor again") as page:
        sign_in(page, emails["creditor"])
        page.goto(f"/cases/{case_id}")
        reported = section(page, "Repayment").locator(".payment-reported")
        submit(page, reported.get_by_role("button", name="Confirm: received"), "confirm")
        expect(flash(page)).to_have_text(
            "The payment is confirmed and counts from the day it was paid."
            " The debtor has been notified."
        )
    with browser_page(chromium, live_server, watch, "debtor again", width=360) as page:
        sign_in(page, emails["debtor"])
        page.goto(f"/cases/{case_id}")
        panel = section(page, "Repayment")
        expect(panel.locator(".repayment-totals")).to_contain_text("¥4,000.00")
        expect(panel.locator(".repayment-totals")).to_contain_text("¥20,000.00")
        expect(panel.locator("tr.instalment-paid")).to_have_count(2)

    assert watch.problems == [], "\n".join(watch.problems)
    if layout:
        pytest.fail("Sideways scrolling on the phone:\n" + "\n".join(layout), pytrace=False)
