"""The demo, as a newcomer sees it in a real Chromium (in English): the administrator's
docket shows the agreements being performed (on track, late, in breach, completed); the
bank finds the enforcement application on the case in breach and the certificates on the
closed cases; the debtor whose instalment is late sees it on a phone, and the debtor who
paid everything downloads the settlement certificate from home.

Screenshots: ``tests/artifacts/demo-docket-1280.png``, ``demo-breach-creditor-1280.png``,
``demo-performed-creditor-1280.png``, ``demo-late-debtor-360.png``,
``demo-performed-debtor-360.png``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.demo.performance import PERFORMANCE_CASES, Story
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.models import Case
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.demo_support import seeded, seeded_world

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
)
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser
__all__ = ["seeded", "seeded_world"]  # the demo world's fixtures, used below

EMAILS = {spec.story: spec.stage.case.email for spec in PERFORMANCE_CASES}


def _case_id(email: str) -> int:
    return db.session.scalars(select(Case.id).where(Case.debtor_email == email)).one()


def test_the_demo_shows_the_life_of_an_agreement(
    app: Flask, seeded: None, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    ids = {story: _case_id(email) for story, email in EMAILS.items()}
    declined = _case_id("debtor3@demo.concord")
    db.session.close()  # the live server's threads use their own sessions
    watch = Watch()
    layout: list[str] = []

    # 1. The administrator's docket: every repayment state is there.
    with browser_page(chromium, live_server, watch, "admin") as page:
        sign_in(page, "admin@demo.concord", DEMO_PASSWORD)
        page.goto("/docket?per_page=50")
        docket = page.get_by_role("table", name="Docket")
        for key, label in (
            ("on-track", "On track"),
            ("late", "Late"),
            ("in-breach", "In breach"),
            ("completed", "Completed"),
        ):
            expect(docket.locator(f".badge-repayment-{key}").first).to_have_text(label)
        screenshot(page, artifacts / "demo-docket-1280.png")

    # 2. The bank: the application on the case in breach, the certificates on closed cases.
    with browser_page(chromium, live_server, watch, "bank") as page:
        sign_in(page, "bank@demo.concord", DEMO_PASSWORD)
        page.goto(f"/cases/{ids[Story.BREACH]}")
        expect(section(page, "Repayment").locator(".badge-repayment-in-breach")).to_be_visible()
        enforcement = section(page, "Enforcement")
        expect(enforcement.locator(".enforcement-applications li")).to_have_count(1)
        screenshot(page, artifacts / "demo-breach-creditor-1280.png")
        page.goto(f"/cases/{ids[Story.PERFORMED]}")
        expect(page.locator(".badge-state")).to_have_text("Closed, agreement performed")
        settlement = section(page, "Settlement certificate")
        expect(settlement.get_by_role("link", name="Download", exact=True)).to_be_visible()
        screenshot(page, artifacts / "demo-performed-creditor-1280.png")
        page.goto(f"/cases/{declined}")
        ended = section(page, "Certificate that mediation ended without agreement")
        expect(ended.get_by_role("link", name="Download", exact=True)).to_be_visible()

    # 3. The debtor who is late, on a phone: the instalment that was due, the grace rule.
    with browser_page(chromium, live_server, watch, "late debtor", width=360) as page:
        sign_in(page, EMAILS[Story.LATE], DEMO_PASSWORD)
        home = page.locator(".repayment-home")
        expect(home.locator(".badge-repayment-late")).to_have_text("Late")
        expect(home).to_contain_text(re.compile(r"was due on \d{1,2} \w{3} \d{4}"))
        screenshot(page, artifacts / "demo-late-debtor-360.png")
        layout += wider_than_screen(page, "the late debtor's home")

    # 4. The debtor who paid everything downloads the settlement certificate from home.
    with browser_page(chromium, live_server, watch, "paid debtor", width=360) as page:
        sign_in(page, EMAILS[Story.PERFORMED], DEMO_PASSWORD)
        with page.expect_download() as download:
            section(page, "Certificates").get_by_role("link", name="Download").click()
        assert download.value.suggested_filename.endswith(".pdf")
        screenshot(page, artifacts / "demo-performed-debtor-360.png")
        layout += wider_than_screen(page, "the paid debtor's home")

    assert watch.problems == [], "\n".join(watch.problems)
    if layout:
        pytest.fail("Sideways scrolling on the phone:\n" + "\n".join(layout), pytrace=False)
