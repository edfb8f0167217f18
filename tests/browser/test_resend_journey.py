"""The mediator resends the invitation from the case page and reads the delivery status of
the case's messages; the debtor's old link then says it was replaced. In a real Chromium;
screenshots of the messages page at 360 and 1280 px go to ``tests/artifacts/``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import OutboundMessage
from app.models.notifications import Channel
from app.models.users import Role
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.browser.test_roles import heading, sign_in, url_path, zh
from tests.factories import make_case, make_user

try:
    from playwright.sync_api import Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

pytestmark = pytest.mark.browser


def invitation_links() -> list[str]:
    db.session.expire_all()
    bodies = db.session.scalars(
        select(OutboundMessage.body)
        .where(OutboundMessage.template == "invitation", OutboundMessage.channel == Channel.EMAIL)
        .order_by(OutboundMessage.id)
    ).all()
    db.session.close()  # no read transaction left open while the live server writes
    found = [re.search(r"/invite/[A-Za-z0-9_\-]+", body) for body in bodies]
    return [m.group(0) for m in found if m]


def test_the_mediator_resends_the_invitation_and_sees_each_delivery(
    app: Flask, page: Page, artifacts: Path
) -> None:
    mediator = make_user(Role.MEDIATOR)
    case = make_case(mediator=mediator)
    email, case_id, debtor_email = mediator.email, case.id, case.debtor_email
    db.session.close()
    assert email and debtor_email

    sign_in(app, page, email)
    page.goto(f"/cases/{case_id}")
    with page.expect_navigation():  # the same URL again: wait for the POST's answer
        page.get_by_role("button", name=zh(app, "Accept the case"), exact=True).click()
    expect(page).to_have_url(url_path(f"/cases/{case_id}"))
    [old] = invitation_links()

    page.get_by_role("button", name=zh(app, "Resend the invitation"), exact=True).first.click()
    expect(page).to_have_url(url_path(f"/cases/{case_id}/messages"))
    expect(page.get_by_role("status")).to_contain_text("旧链接已失效")
    rows = page.locator("#deliveries tbody tr")
    expect(rows).to_have_count(4)  # email and SMS, twice
    expect(page.locator("#deliveries")).not_to_contain_text(debtor_email)  # masked
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=artifacts / f"resend-messages-{width}.png", full_page=True)

    new = invitation_links()[-1]
    assert new != old
    debtor = page.context.browser.new_page(locale="zh-CN", viewport={"width": 360, "height": 800})
    try:
        base = re.match(r"^(http://127\.0\.0\.1:\d+)", page.url).group(1)  # type: ignore[union-attr]
        debtor.goto(base + old)
        expect(debtor.get_by_role("alert")).to_contain_text("此链接已被新的链接取代")
        debtor.goto(base + new)
        expect(heading(debtor, zh(app, "Invitation to mediation"))).to_be_visible()
        debtor.reload()
        expect(heading(debtor, zh(app, "Invitation to mediation"))).to_be_visible()
    finally:
        debtor.close()
