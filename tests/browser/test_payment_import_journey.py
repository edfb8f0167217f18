"""A bank's statement import, in a real Chromium and in English: the creditor opens the
import page from the workspace, downloads nothing but reads the columns, uploads a CSV
with a good line and a bad one, and reads the per-row report; the case's repayment panel
shows the payment applied.

Screenshot: ``tests/artifacts/payment-import-report-1280.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app.cases.lifecycle import today
from app.extensions import db
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.repayment_support import performing_case, statement

try:
    from playwright.sync_api import Browser, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    screenshot,
    section,
    sign_in,
    submit,
    url_is,
)

pytestmark = pytest.mark.browser


def test_the_creditor_imports_a_statement_and_reads_the_report(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    who, case, _ = performing_case(count=12)
    case_id, reference, email = case.id, case.reference, who["creditor"].email
    db.session.close()  # the live server's threads use their own sessions
    day = today().isoformat()
    csv_file = tmp_path / "statement.csv"
    csv_file.write_bytes(
        statement(
            (reference, "2,000.00", day, "bank_transfer", "IMP-1"),
            (reference, "-5", day, "", "IMP-2"),
            bom=True,
        )
    )
    watch = Watch()
    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, email)
        link = page.get_by_role("link", name="Import a statement of payments", exact=True)
        submit(page, link, "creditor: to the import page")
        expect(section(page, "The columns")).to_contain_text("银行流水号")
        upload = section(page, "Upload")
        upload.get_by_label("Statement (CSV, UTF-8)", exact=True).set_input_files(str(csv_file))
        submit(page, upload.get_by_role("button", name="Import the payments"), "upload")
        expect(page).to_have_url(url_is(r"/payments/imports/\d+"))
        status = section(page, "Status: Done")
        expect(status.locator(".count-applied")).to_have_text("1")
        expect(status.locator(".count-refused")).to_have_text("1")
        rows = section(page, "Line by line")
        expect(rows.locator(".row-applied")).to_contain_text("Applied")
        expect(rows.locator(".row-refused")).to_contain_text(
            "Not applied: The amount must be greater than zero."
        )
        screenshot(page, artifacts / "payment-import-report-1280.png")
        page.goto(f"/cases/{case_id}")
        expect(section(page, "Repayment").locator(".repayment-totals")).to_contain_text("¥2,000.00")
    assert watch.problems == []
