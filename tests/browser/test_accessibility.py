"""Accessibility, checked by axe-core (vendored, ``tests/browser/vendor/``) in a real Chromium.

Every page a browser test shows is checked once it has loaded, before the test may leave it
(``AxeWatch``, attached by the ``page`` fixture and by the journeys' ``browser_page``). This
module proves the checks fail on a violation, and walks every role's main pages on the demo
data in both languages, asserting that axe finds nothing at any impact.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.models import Agreement, Case, User
from tests.browser.support import (
    PLAYWRIGHT_MISSING,
    AxeWatch,
    assert_accessible,
    unavailable,
)
from tests.browser.test_roles import zh
from tests.demo_support import seeded, seeded_world
from tests.worlds import Snapshot

try:
    from playwright.sync_api import Browser, Page
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

pytestmark = pytest.mark.browser
__all__ = ["seeded", "seeded_world"]  # the demo world's fixtures, used below

# An image without a text alternative and a field without a label: two rules broken.
VIOLATING = """() => {
  const img = document.createElement("img");
  img.src = "/static/img/logo.svg";
  img.id = "axe-proof-img";
  const input = document.createElement("input");
  input.type = "text";
  input.id = "axe-proof-input";
  document.querySelector("main").append(img, input);
}"""


def test_the_check_fails_on_a_violation_and_names_it(page: Page) -> None:
    page.goto("/login")
    assert_accessible(page, "the sign-in page as served")

    page.evaluate(VIOLATING)
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page, "the sign-in page with a violation")
    report = str(failure.value)
    assert "[critical] image-alt" in report, report
    assert "#axe-proof-img" in report, report
    assert "label" in report and "#axe-proof-input" in report, report
    assert "/login" in report, report
    page.goto("/login")  # the page fixture's own check sees the clean page again


BROKEN_PAGE = """<!doctype html><html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="/static/img/logo.svg">
<a href="/login/forgot">Forgot</a></main></body></html>"""


def test_the_watch_reports_a_page_left_by_a_link(chromium: Browser, live_server: str) -> None:
    context = chromium.new_context(base_url=live_server, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        watch = AxeWatch().attach(page)
        page.route(
            "**/broken", lambda route: route.fulfill(body=BROKEN_PAGE, content_type="text/html")
        )
        page.goto("/broken")
        with page.expect_navigation():  # at once: the link waits for the check
            page.get_by_role("link", name="Forgot").click()
        assert watch.checked == ["/broken"]
        assert [(v.url, v.rule, v.targets) for v in watch.violations] == [
            ("/broken", "image-alt", ("img",))
        ]
        report = watch.finish(page)  # the forgot-password page as served adds nothing
        assert report is not None and "/login/forgot" not in report, report
        assert "[critical] image-alt" in report and "/broken" in report, report
        assert watch.checked == ["/broken", "/login/forgot"]
    finally:
        context.close()


# --- every role's main pages, on the demo data, in both languages --------------------------

LANGUAGES = {"zh-CN": "中文", "en": "EN"}  # html lang -> the switcher's button
SIGN_IN = ("Email or mobile number", "Password", "Sign in")


def _case_of(debtor_email: str) -> Case:
    return db.session.scalars(select(Case).where(Case.debtor_email == debtor_email)).one()


@contextmanager
def _visitor(
    chromium: Browser, live_server: str, lang: str, width: int, found: list[str]
) -> Iterator[tuple[Page, AxeWatch]]:
    """A new browser in ``lang`` (chosen with the switcher on the sign-in page), watched."""
    context = chromium.new_context(
        base_url=live_server, viewport={"width": width, "height": 800}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        watch = AxeWatch().attach(page)
        page.goto("/login")
        with page.expect_navigation():
            page.get_by_role("button", name=LANGUAGES[lang], exact=True).click()
        assert page.locator("html").get_attribute("lang") == lang
        yield page, watch
        report = watch.finish(page)
        if report:
            found.append(f"--- {lang} at {width} px ---\n{report}")
    finally:
        context.close()


def _sign_in(app: Flask, page: Page, lang: str, email: str) -> None:
    identifier, password, button = (t if lang == "en" else zh(app, t) for t in SIGN_IN)
    page.get_by_label(identifier, exact=True).fill(email)
    page.get_by_label(password, exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def _visit(page: Page, watch: AxeWatch, *paths: str) -> None:
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 400, f"{path}: {response}"
        watch.settle(page)
        assert watch.checked[-1] == path, f"{path} was not checked: {watch.checked}"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_main_page_has_no_accessibility_violation(
    app: Flask,
    seeded: None,
    seeded_world: Snapshot,
    chromium: Browser,
    live_server: str,
    lang: str,
) -> None:
    negotiating = _case_of("debtor1@demo.concord")
    signing = _case_of("debtor4@demo.concord")
    performing = _case_of("debtor9@demo.concord")
    mediator = db.session.get(User, negotiating.mediator_id)
    assert mediator is not None and mediator.email
    mediator_email = mediator.email
    cases = [f"/cases/{c.id}" for c in (negotiating, signing, performing)]
    version = db.session.scalars(
        select(func.max(Agreement.version)).where(Agreement.case_id == signing.id)
    ).one()
    sign = f"{cases[1]}/agreement/{version}/sign"  # the bank has not signed yet
    db.session.close()  # the live server's threads use their own sessions
    link = re.search(r"/invite/[A-Za-z0-9_\-]+", str(seeded_world.value))
    assert link, f"no invitation link in the demo's output:\n{seeded_world.value}"
    invite, found = link.group(0), list[str]()

    # Signed out: sign-in (visited by _visitor), forgotten password, verification, and the
    # invitation's identity step.
    with _visitor(chromium, live_server, lang, 1280, found) as (page, watch):
        _visit(page, watch, "/login/forgot", "/verify", invite, f"{invite}/identity")
    with _visitor(chromium, live_server, lang, 360, found) as (page, watch):
        _visit(page, watch, "/login/forgot", invite, f"{invite}/identity")

    # The debtor on a phone: home, the case in negotiation, the notifications.
    with _visitor(chromium, live_server, lang, 360, found) as (page, watch):
        _sign_in(app, page, lang, "debtor1@demo.concord")
        _visit(page, watch, "/debtor", cases[0], "/notifications")
    with _visitor(chromium, live_server, lang, 360, found) as (page, watch):
        _sign_in(app, page, lang, "debtor4@demo.concord")
        _visit(page, watch, "/debtor", cases[1])
    with _visitor(chromium, live_server, lang, 360, found) as (page, watch):
        _sign_in(app, page, lang, "debtor9@demo.concord")
        _visit(page, watch, "/debtor", cases[2])
    # The administrator's dashboard on a phone: charts and their tables at 360 px.
    with _visitor(chromium, live_server, lang, 360, found) as (page, watch):
        _sign_in(app, page, lang, "admin@demo.concord")
        _visit(page, watch, "/dashboard")

    # At 1280 px: the bank (with the agreement it has still to sign), the mediator and the
    # administrator.
    with _visitor(chromium, live_server, lang, 1280, found) as (page, watch):
        _sign_in(app, page, lang, "bank@demo.concord")
        _visit(page, watch, "/creditor", *cases, sign, "/notifications", "/dashboard")
    with _visitor(chromium, live_server, lang, 1280, found) as (page, watch):
        _sign_in(app, page, lang, mediator_email)
        _visit(page, watch, "/docket", cases[0], "/notifications", "/dashboard")
    with _visitor(chromium, live_server, lang, 1280, found) as (page, watch):
        _sign_in(app, page, lang, "admin@demo.concord")
        _visit(page, watch, "/admin/", "/docket", cases[2], "/dashboard")

    assert found == [], "\n".join(found)
