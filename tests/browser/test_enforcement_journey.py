"""Journey 7's end after a breach, in a real Chromium and in English: an agreement the
court confirmed, 1,500 yuan paid of 24,000; the clock moves to 15 March 2027, past
instalment 2's due date and its grace period, and the worker's repayment watch runs: the
agreement is in breach. The debtor, on a phone, sees it on the case page; the creditor
generates the enforcement application (强制执行申请书), downloads it, and a visitor who
uploads it at /verify finds it genuine.

Screenshots: ``tests/artifacts/enforcement-breach-debtor-360.png``,
``enforcement-creditor-1280.png``, ``enforcement-verify-1280.png``; the application's pages
are rendered to ``tests/artifacts/enforcement-application-<n>.png``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import AuditEvent
from app.models.repayments import RepaymentBreach
from app.repayments.tasks import watch_repayments_hourly
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.certificate_support import page_images, pdf_text
from tests.enforcement_support import COURT, RULING_NUMBER, breached_case

try:
    from playwright.sync_api import Browser, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

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
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser


def test_missed_instalment_breach_enforcement_application_verifies(
    app: Flask,
    chromium: Browser,
    live_server: str,
    artifacts: Path,
    tmp_path: Path,
    frozen_clock: Any,
) -> None:
    # 1. A confirmed agreement, 1,500 paid; the clock moves past instalment 2's grace
    # period and the worker's hourly watch runs (as the consumer would run it).
    who, case, _ = breached_case(frozen_clock)
    assert watch_repayments_hourly.call_local() >= 1
    breach = db.session.scalars(
        select(RepaymentBreach).where(RepaymentBreach.case_id == case.id)
    ).one()
    assert breach.instalment == 2 and breach.accelerated
    case_id, reference, debtor_name = case.id, case.reference, case.debtor_name
    emails = {role: who[role].email for role in ("creditor", "debtor")}
    db.session.close()  # the live server's threads use their own sessions
    watch = Watch()
    layout: list[str] = []
    application = tmp_path / "enforcement.pdf"

    # 2. The debtor, on a phone, sees the breach on the case page.
    with browser_page(chromium, live_server, watch, "debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        page.goto(f"/cases/{case_id}")
        panel = section(page, "Repayment")
        expect(panel.locator(".badge-repayment-in-breach")).to_have_text("In breach")
        due = panel.locator(".repayment-next")  # the whole balance, not "instalment 2"
        expect(due.get_by_role("heading", name="Due now")).to_be_visible()
        expect(due).to_contain_text("¥22,500.00")
        expect(section(page, "Enforcement")).to_contain_text("The court confirmed the agreement")
        expect(section(page, "Enforcement").get_by_role("button")).to_have_count(0)
        screenshot(page, artifacts / "enforcement-breach-debtor-360.png")
        layout += wider_than_screen(page, "the debtor's case page in breach")

    # 3. The creditor generates the application: the PDF downloads at once.
    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, emails["creditor"])
        page.goto(f"/cases/{case_id}")
        enforcement = section(page, "Enforcement")
        expect(enforcement.locator(".deadline")).to_have_text(re.compile(r"\d{4}"))
        button = enforcement.get_by_role("button", name="Generate the enforcement application")
        with page.expect_download() as download:
            button.click()
        assert download.value.suggested_filename == f"enforcement-{reference}-1.pdf"
        download.value.save_as(application)
        page.goto(f"/cases/{case_id}")
        expect(flash(page)).to_have_text(
            "The enforcement application is ready: download it, sign it and file it with the court."
        )
        listed = section(page, "Enforcement").locator(".enforcement-applications li")
        expect(listed).to_have_count(1)
        expect(listed).to_contain_text("Enforcement application 1")
        screenshot(page, artifacts / "enforcement-creditor-1280.png")
        section(page, "Enforcement").screenshot(path=artifacts / "enforcement-panel-1280.png")
        with page.expect_download() as again:  # the listed copy is the same file
            listed.get_by_role("link").click()
        assert Path(again.value.path()).read_bytes() == application.read_bytes()

    data = application.read_bytes()
    assert data.startswith(b"%PDF-"), "the download is not a PDF"
    text = pdf_text(data)
    assert "强制执行申请书" in text and COURT in text and RULING_NUMBER in text
    assert debtor_name.replace("𠮷", "") in text or debtor_name in text
    assert "共计¥22,500.00（人民币贰万贰仟伍佰元整）" in text
    assert len(page_images(data, "enforcement-application")) >= 1

    # 4. Anyone, not signed in, uploads it at /verify: genuine, this case, this document.
    with browser_page(chromium, live_server, watch, "visitor") as page:
        page.goto("/verify")
        expect(heading(page, "Verify a document")).to_be_visible()
        page.get_by_label("PDF file", exact=True).set_input_files(application)
        submit(page, page.get_by_role("button", name="Verify", exact=True), "visitor: verify")
        result = page.locator("#verify-result")
        expect(result).to_have_class(re.compile(r"\baccepted\b"))
        expect(result.get_by_role("heading", level=2)).to_have_text("Genuine and unaltered")
        facts = {
            "SHA-256": hashlib.sha256(data).hexdigest(),
            "Case": reference,
            "Document": "Enforcement application, Version 1",
            "Stage": "Issued to the creditor, certified by the platform",
        }
        for term, value in facts.items():
            expect(result.locator(f"dt:text-is('{term}') + dd")).to_have_text(value)
        checks = result.locator("table.signatures tbody tr td:last-child")
        expect(checks).to_have_count(1)
        assert set(checks.all_inner_texts()) == {"valid"}, checks.all_inner_texts()
        screenshot(page, artifacts / "enforcement-verify-1280.png")

    # 5. The generation and both downloads are on the record, and the record is whole.
    assert watch.problems == [], "\n".join(watch.problems)
    if layout:
        pytest.fail("Sideways scrolling on the phone:\n" + "\n".join(layout), pytrace=False)
    db.session.expire_all()
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id))
    )
    assert actions.count("case:enforcement:generate") == 1
    assert actions.count("case:enforcement:download") == 2
    report = audit.verify_chain()
    db.session.close()
    assert report.intact, f"audit chain broken at event {report.broken_id}: {report.reason}"
