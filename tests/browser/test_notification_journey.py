"""The notification centre in a real Chromium, in English: late in the evening the
creditor writes to the debtor; the screen says when the debtor's SMS will go (08:00, quiet
hours), while the debtor, on a phone, finds the notice at once under the bell, opens it
(it lands on the messages and counts as read) and marks the rest read.

Screenshots: ``tests/artifacts/notifications-creditor-1280.png``,
``tests/artifacts/notifications-list-debtor-360.png``,
``tests/artifacts/notifications-read-debtor-360.png``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.notifications import OutboundMessage
from app.models.users import Role
from app.rules.cases import CaseState
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.factories import make_case, make_user

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
    url_is,
)
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser

BEIJING = ZoneInfo("Asia/Shanghai")
TEXT = "We agree to move the first payment by one week."


def test_a_debtor_finds_a_notice_under_the_bell_while_the_sms_waits_for_morning(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path, frozen_clock: Any
) -> None:
    creditor, mediator, debtor = (make_user(r) for r in (Role.CREDITOR, Role.MEDIATOR, Role.DEBTOR))
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )
    case_id, emails = case.id, {"creditor": creditor.email, "debtor": debtor.email}
    db.session.close()  # the live server's threads use their own sessions
    frozen_clock.move_to(datetime(2026, 12, 1, 22, 30, tzinfo=BEIJING))
    watch = Watch()
    layout: list[str] = []

    # 1. The creditor writes at 22:30: the debtor's SMS waits for 08:00, and the page says so.
    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, emails["creditor"])
        page.goto(f"/cases/{case_id}")
        page.locator("#body-joint").fill(TEXT)
        submit(page, page.locator("#thread-joint").get_by_role("button"), "creditor: write")
        expect(flash(page)).to_have_text(
            "Message sent. The debtor will be notified by SMS on 2 Dec at 08:00."
        )
        screenshot(page, artifacts / "notifications-creditor-1280.png")
    sms = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.is_debtor.is_(True))
    ).one()
    assert sms.sent_at is None and sms.due_at == datetime(2026, 12, 2, 8, tzinfo=BEIJING)
    db.session.close()

    # 2. The debtor, on a phone at once: the bell says one unread; the list shows the notice.
    with browser_page(chromium, live_server, watch, "debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        bell = page.get_by_role("link", name="Notifications: 1 unread")
        expect(bell).to_be_visible()
        expect(bell.locator(".bell-count")).to_have_text("1")
        submit(page, bell, "debtor: open the bell")
        expect(page).to_have_url(url_is("/notifications"))
        notice = page.locator(".notification.unread")
        expect(notice).to_have_count(1)
        expect(notice.get_by_role("button", name="New message")).to_be_visible()
        screenshot(page, artifacts / "notifications-list-debtor-360.png")
        layout += wider_than_screen(page, "the notification list")

        # 3. Opening it lands on the messages, where the creditor's words are; it is read.
        submit(page, notice.get_by_role("button", name="New message"), "debtor: open it")
        expect(page).to_have_url(url_is(f"/cases/{case_id}"))
        assert page.url.endswith("#messages")
        expect(page.locator("#thread-joint .message-body")).to_have_text([TEXT])
        expect(page.get_by_role("link", name="Notifications: 0 unread")).to_be_visible()
        page.goto("/notifications")
        expect(page.locator(".notification.unread")).to_have_count(0)
        expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
        screenshot(page, artifacts / "notifications-read-debtor-360.png")

    assert watch.problems == []
    assert layout == []
