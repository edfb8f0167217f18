"""Each role signs in, sees its home page, switches language and signs out, in a real Chromium.

Screenshots of every home page at 360 px and 1280 px go to ``tests/artifacts/`` for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext

from app.extensions import db
from app.models.users import Role
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.factories import PASSWORD, make_user

try:
    from playwright.sync_api import Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

pytestmark = pytest.mark.browser

ZH = "zh_Hans_CN"


@dataclass(frozen=True)
class Home:
    path: str
    heading: str  # msgid of a heading that names the page
    level: int


HOMES = {
    Role.CREDITOR: Home("/creditor", "Creditor workspace", 1),
    Role.DEBTOR: Home("/debtor", "My cases", 1),
    Role.MEDIATOR: Home("/docket", "Docket", 1),
    # The admin page's h1 is the organisation's own name; its first section names the page.
    Role.ADMIN: Home("/admin/", "Registered details", 2),
}


def zh(app: Flask, msgid: str) -> str:
    """What the Chinese interface shows for ``msgid``, from the app's own catalogue."""
    with app.test_request_context(), force_locale(ZH):
        return gettext(msgid)


def url_path(path: str) -> re.Pattern[str]:
    return re.compile(rf"^http://127\.0\.0\.1:\d+{re.escape(path)}(\?.*)?$")


def heading(page: Page, name: str, level: int = 1) -> Any:
    return page.get_by_role("heading", name=name, exact=True, level=level)


def new_user(role: Role) -> tuple[str, str]:
    user = make_user(role)
    email, name = user.email, user.name
    db.session.close()  # the live server's threads use their own sessions
    assert email
    return email, name


def sign_in(app: Flask, page: Page, identifier: str) -> None:
    page.goto("/login")
    page.get_by_label(zh(app, "Email or mobile number"), exact=True).fill(identifier)
    page.get_by_label(zh(app, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=zh(app, "Sign in"), exact=True).click()


def switch_language(page: Page, button: str, lang: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def scroll_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_signs_in_switches_language_and_signs_out(
    app: Flask, page: Page, artifacts: Path, role: Role
) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: errors.append(str(err)))
    home = HOMES[role]
    email, name = new_user(role)

    sign_in(app, page, email)
    expect(page).to_have_url(url_path(home.path))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(heading(page, zh(app, home.heading), home.level)).to_be_visible()
    expect(page.locator("main")).to_contain_text(name)

    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=artifacts / f"home-{role.value}-{width}.png", full_page=True)

    switch_language(page, "EN", "en")
    expect(page).to_have_url(url_path(home.path))
    expect(heading(page, home.heading, home.level)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=artifacts / f"home-{role.value}-en-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    switch_language(page, "中文", "zh-CN")
    expect(page).to_have_url(url_path(home.path))
    expect(heading(page, zh(app, home.heading), home.level)).to_be_visible()

    page.get_by_role("button", name=zh(app, "Sign out"), exact=True).click()
    expect(page).to_have_url(url_path("/login"))
    expect(heading(page, zh(app, "Sign in"))).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(zh(app, "You have signed out."))
    expect(page.get_by_role("button", name=zh(app, "Sign out"), exact=True)).to_have_count(0)

    page.goto(home.path)
    expect(page).to_have_url(url_path("/login"))
    expect(heading(page, zh(app, "Sign in"))).to_be_visible()
    assert errors == []


def test_tab_from_the_top_reaches_the_skip_link_first(
    app: Flask, page: Page, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_accessible_name(zh(app, "Skip to content"))
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0, "skip link is off screen"
    outline = skip.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and outline[1] != "0px", f"no visible focus ring: {outline}"
    page.screenshot(path=artifacts / "focus-skip-link-360.png")

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label(zh(app, "Email or mobile number"), exact=True)).to_be_focused()
    page.screenshot(path=artifacts / "focus-identifier-360.png")


def test_no_horizontal_overflow_at_360_px(app: Flask, page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 800})
    overflow: dict[str, int] = {}

    def check(label: str) -> None:
        page.wait_for_load_state("load")  # measured with the stylesheet applied, not mid-load
        width = scroll_width(page)
        if width > 360:
            overflow[label] = width

    page.goto("/login")
    check("login zh")
    switch_language(page, "EN", "en")
    check("login en")
    page.context.clear_cookies()

    for role, home in HOMES.items():
        email, _ = new_user(role)
        sign_in(app, page, email)
        expect(page).to_have_url(url_path(home.path))
        check(f"{role.value} zh")
        switch_language(page, "EN", "en")
        check(f"{role.value} en")
        page.context.clear_cookies()

    assert overflow == {}, f"pages wider than 360 px (scrollWidth): {overflow}"


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_default_interface_is_in_chinese(page: Page, artifacts: Path) -> None:
    page.goto("/login")
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=artifacts / f"login-{width}.png", full_page=True)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    texts = {
        "title": page.title(),
        "h1": page.locator("h1").inner_text(),
        "identifier label": page.locator("label[for=identifier]").inner_text(),
        "password label": page.locator("label[for=password]").inner_text(),
        "submit": page.locator("main button[type=submit]").inner_text(),
        "skip link": page.locator("a.skip-link").inner_text(),
        "footer": page.locator("footer").inner_text(),
    }
    not_chinese = {k: v for k, v in texts.items() if not CJK.search(v)}
    assert not_chinese == {}, f"shown in English on the Chinese interface: {not_chinese}"

    email, _ = new_user(Role.DEBTOR)
    page.locator("input[name=identifier]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("button", name="退出登录", exact=True)).to_be_visible()
