"""Journey 8 (no agreement), in a real Chromium and in English: the creditor proposes to
extend the mediation period, the debtor (on a phone) agrees, then asks to end the
mediation: a page of its own asks for the reason and a confirmation (missing either shows
the form again), and the case closes with the organisation's certificate; the creditor
reads on the case page why it ended.

Screenshots: ``tests/artifacts/failure-end-debtor-360.png``,
``tests/artifacts/failure-closed-creditor-1280.png``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from app.closing.facts import mediation_end
from app.core import clock
from app.extensions import db
from tests import agreement_support as support
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.closing_support import END_REASON, negotiating_case

try:
    from playwright.sync_api import Browser, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    flash,
    screenshot,
    section,
    sign_in,
    submit,
    url_is,
)

pytestmark = pytest.mark.browser


def test_an_extension_is_agreed_then_the_debtor_ends_the_mediation(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    who = support.people()
    case = negotiating_case(who, clock.now() - timedelta(days=5))
    end = mediation_end(case)
    assert end is not None
    until = end + timedelta(days=10)
    case_id = case.id
    emails = {role: who[role].email for role in ("creditor", "debtor")}
    db.session.close()  # the live server's threads use their own sessions
    watch = Watch()

    # 1. The creditor proposes to extend the mediation period.
    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, emails["creditor"])
        page.goto(f"/cases/{case_id}")
        panel = section(page, "Mediation period")
        panel.get_by_label("Propose to extend the mediation until", exact=True).fill(
            until.isoformat()
        )
        submit(page, panel.get_by_role("button", name="Propose the extension"), "propose")
        expect(flash(page)).to_contain_text("sent to the other party")

    # 2. The debtor, on a phone, agrees, then asks to end the mediation.
    with browser_page(chromium, live_server, watch, "debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        page.goto(f"/cases/{case_id}")
        panel = section(page, "Mediation period")
        expect(panel).to_contain_text("The creditor proposed extending the mediation")
        submit(page, panel.get_by_role("button", name="Agree to the extension"), "agree")
        expect(flash(page)).to_have_text("The mediation period is extended.")
        expect(section(page, "Mediation period")).to_contain_text(
            "extended by agreement of both parties"
        )
        link = section(page, "Mediation period").get_by_role("link", name="End the mediation…")
        submit(page, link, "open the ending page")
        expect(page).to_have_url(url_is(rf"/cases/{case_id}/end"))
        page.get_by_label("Why should the mediation end?", exact=True).fill(END_REASON)
        button = page.get_by_role("button", name="End the mediation and close the case")
        with page.expect_navigation():
            button.click()  # not confirmed: the form comes back with the message
        expect(page.locator("#confirm-error")).to_contain_text("Tick the box")
        # The browser logs the deliberate 400 of that answer; nothing else may fail.
        assert watch.problems == [
            "debtor: console error: Failed to load resource: the server responded with a "
            "status of 400 (BAD REQUEST)"
        ]
        watch.problems.clear()
        expect(page.get_by_label("Why should the mediation end?", exact=True)).to_have_value(
            END_REASON
        )
        page.get_by_label(
            "I understand that the case closes for good and cannot be reopened.", exact=True
        ).check()
        screenshot(page, artifacts / "failure-end-debtor-360.png")
        submit(page, button, "end the mediation")
        expect(page).to_have_url(url_is(rf"/cases/{case_id}"))
        expect(flash(page)).to_contain_text("The mediation has ended")

    # 3. The creditor reads why it ended and finds the certificate.
    with browser_page(chromium, live_server, watch, "creditor-after") as page:
        sign_in(page, emails["creditor"])
        page.goto(f"/cases/{case_id}")
        expect(section(page, "Mediation period")).to_contain_text(
            "The debtor asked to end the mediation."
        )
        certificate = section(page, "Certificate that mediation ended without agreement")
        expect(certificate.get_by_role("link", name="Download")).to_be_visible()
        screenshot(page, artifacts / "failure-closed-creditor-1280.png")
    assert not watch.problems, watch.problems
