"""The repayment panel once the watch has recorded a breach: since when, the acceleration
the agreement provides (the whole unpaid balance is due) and the day the parties were
told; a party of another case sees none of it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from app.core import clock
from app.repayments.common import performance_of
from app.repayments.watch import watch_repayments
from tests.factories import PASSWORD
from tests.helpers import Browser
from tests.repayment_support import performing_case

BEIJING = ZoneInfo("Asia/Shanghai")


def _as(app: Flask, user: Any) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def test_the_panel_shows_the_breach_and_the_acceleration(app: Flask, frozen_clock: Any) -> None:
    who, case, _ = performing_case()
    performance = performance_of(case, clock.today())
    assert performance is not None
    breach_day = performance.plan.instalments[0].grace_ends + timedelta(days=1)
    frozen_clock.move_to(datetime.combine(breach_day, time(3), tzinfo=BEIJING))
    html = _as(app, who["creditor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "起违约" in html and "通知各方" not in html  # in breach, not yet recorded
    assert watch_repayments() == 1
    for role in ("creditor", "debtor", "mediator"):
        html = _as(app, who[role]).get(f"/cases/{case.id}").get_data(as_text=True)
        assert "起违约" in html, role
        assert "全部未还余额已到期" in html, role
        assert "通知各方" in html, role
    response = _as(app, who["other_creditor"]).get(f"/cases/{case.id}")
    assert response.status_code in (403, 404)
    assert "通知各方" not in response.get_data(as_text=True)
