"""A debtor who forgot the password resets it on a phone, in a real Chromium: the link on
the sign-in page, the code read from the outbox, a wrong code first (the page after the
refusal reloads without asking to resubmit), then the new password and a sign-in with it.
Screenshots go to ``tests/artifacts/recovery-*.png``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import OutboundMessage
from app.models.users import Role
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.browser.test_roles import heading, url_path, zh
from tests.factories import make_user

try:
    from playwright.sync_api import Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

pytestmark = pytest.mark.browser

NEW_PASSWORD = "my new phone-typed secret 2026"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def reset_code() -> str:
    db.session.expire_all()
    messages = list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.template == "password_reset_code")
            .order_by(OutboundMessage.id)
        )
    )
    db.session.close()  # no read transaction left open while the live server writes
    assert messages, "no password reset code was queued in the outbox"
    match = CODE.search(messages[-1].body)
    assert match, f"no 6-digit code in the message:\n{messages[-1].body}"
    return match.group(1)


def test_a_debtor_resets_a_forgotten_password(app: Flask, page: Page, artifacts: Path) -> None:
    user = make_user(Role.DEBTOR)
    phone = user.phone
    db.session.close()
    assert phone
    page.set_viewport_size({"width": 360, "height": 800})

    page.goto("/login")
    page.get_by_role("link", name=zh(app, "Forgot your password?"), exact=True).click()
    expect(heading(page, zh(app, "Forgot your password"))).to_be_visible()
    page.get_by_label(zh(app, "Email or mobile number"), exact=True).fill(phone)
    page.get_by_role("button", name=zh(app, "Send me a code"), exact=True).click()
    expect(page).to_have_url(url_path("/login/reset"))
    expect(page.get_by_role("status")).to_contain_text("我们已向其发送 6 位验证码")
    page.screenshot(path=artifacts / "recovery-code-360.png", full_page=True)

    code = reset_code()
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label(zh(app, "One-time code"), exact=True).fill(wrong)
    page.get_by_label(zh(app, "New password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(zh(app, "New password again"), exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=zh(app, "Set the new password"), exact=True).click()
    expect(page).to_have_url(url_path("/login/reset"))
    expect(page.get_by_role("alert")).to_contain_text("验证码不正确")
    expect(page.get_by_label(zh(app, "New password"), exact=True)).to_have_value("")
    page.screenshot(path=artifacts / "recovery-error-360.png", full_page=True)
    page.reload()  # a GET: no "Confirm Form Resubmission", the refusal shown once
    expect(heading(page, zh(app, "Choose a new password"))).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    page.get_by_label(zh(app, "One-time code"), exact=True).fill(code)
    page.get_by_label(zh(app, "New password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(zh(app, "New password again"), exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=zh(app, "Set the new password"), exact=True).click()
    expect(page).to_have_url(url_path("/login"))
    expect(page.get_by_role("status")).to_contain_text("您的密码已更改")

    page.get_by_label(zh(app, "Email or mobile number"), exact=True).fill(phone)
    page.get_by_label(zh(app, "Password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=zh(app, "Sign in"), exact=True).click()
    expect(page).to_have_url(url_path("/debtor"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/login/forgot")  # signed in: the page still answers (a shared device)
    page.screenshot(path=artifacts / "recovery-forgot-1280.png", full_page=True)
