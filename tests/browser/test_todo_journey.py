"""Each role's to-do list in a real Chromium: the debtor on a phone (360 px) and the
mediator at a desk (1280 px) see what waits for them and each link opens the exact place
to act.

Screenshots: ``tests/artifacts/todo-debtor-360.png``, ``tests/artifacts/todo-mediator-1280.png``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from app.core import clock
from app.extensions import db
from app.rules.cases import CaseState
from tests.agreement_support import people
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.factories import make_case

try:
    from playwright.sync_api import Browser, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    heading,
    screenshot,
    section,
    sign_in,
    submit,
    url_is,
)
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_debtors_and_the_mediators_lists_link_to_the_place_to_act(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    who = people()
    negotiating = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        next_deadline=clock.today() + timedelta(days=20),
    )
    assigned = make_case(creditor=who["creditor"], mediator=who["mediator"])
    ids = {"negotiating": negotiating.id, "assigned": assigned.id}
    refs = {"negotiating": negotiating.reference, "assigned": assigned.reference}
    emails = {role: who[role].email for role in ("debtor", "mediator", "other_debtor")}
    db.session.close()  # the live server's threads use their own sessions
    watch = Watch()
    layout: list[str] = []

    with browser_page(chromium, live_server, watch, "debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        expect(page).to_have_url(url_is("/debtor"))
        todo = section(page, "Waiting for you")
        items = todo.locator(".todo-item")
        expect(items).to_have_count(2)
        expect(items.nth(0)).to_contain_text(refs["negotiating"])
        expect(items.nth(0)).to_contain_text("object to any item you dispute")
        expect(items.nth(1)).to_contain_text("income and spending")
        screenshot(page, artifacts / "todo-debtor-360.png")
        layout += wider_than_screen(page, "the debtor's home with the to-do list")

        submit(page, items.nth(0).get_by_role("link"), "debtor: answer the claim")
        expect(page).to_have_url(url_is(rf"/cases/{ids['negotiating']}/steps/claim"))
        expect(page.locator("[aria-current=step]")).to_be_visible()

        page.goto("/debtor")
        submit(
            page,
            section(page, "Waiting for you").locator(".todo-statement a"),
            "debtor: the statement",
        )
        expect(page).to_have_url(url_is(rf"/cases/{ids['negotiating']}/steps/statement"))

    with browser_page(chromium, live_server, watch, "other debtor", width=360) as page:
        sign_in(page, emails["other_debtor"])
        todo = section(page, "Waiting for you")
        expect(todo.locator(".todo-item")).to_have_count(0)
        expect(todo).to_contain_text("Nothing is waiting for you.")

    with browser_page(chromium, live_server, watch, "mediator") as page:
        sign_in(page, emails["mediator"])
        expect(page).to_have_url(url_is("/docket"))
        todo = section(page, "Waiting for you")
        accept = todo.locator(".todo-accept")
        expect(accept).to_contain_text(refs["assigned"])
        expect(todo.locator(".todo-offer")).to_have_count(0)
        screenshot(page, artifacts / "todo-mediator-1280.png")
        # The docket's search: the browser does not send a whole phone number; pinyin works.
        search = page.get_by_label("Reference or debtor name", exact=True)
        search.fill("13800138001")
        page.get_by_role("button", name="Show cases").click()
        page.wait_for_timeout(300)
        assert "13800138001" not in page.url
        assert search.evaluate("box => box.validity.patternMismatch")
        search.fill("lq")
        submit(page, page.get_by_role("button", name="Show cases"), "mediator: search by pinyin")
        expect(page.locator(f'a[href="/cases/{ids["assigned"]}"]')).to_have_count(1)
        expect(page.locator(f'a[href="/cases/{ids["negotiating"]}"]')).to_have_count(1)
        page.goto("/docket")
        todo = section(page, "Waiting for you")
        accept = todo.locator(".todo-accept")
        submit(page, accept.get_by_role("link"), "mediator: the new assignment")
        expect(page).to_have_url(url_is(rf"/cases/{ids['assigned']}"))
        assert page.url.endswith("#accept")
        expect(heading(page, "This case is assigned to you", level=2)).to_be_in_viewport()
        submit(
            page, page.get_by_role("button", name="Accept the case"), "mediator: accept the case"
        )
        page.goto("/docket")
        expect(section(page, "Waiting for you").locator(".todo-accept")).to_have_count(0)

    assert not watch.problems, watch.problems
    assert not layout, layout
