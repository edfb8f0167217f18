"""The repayment panel once the watch has recorded a breach: since when, the acceleration
the agreement provides (the whole unpaid balance is due) and whether the debtor's notice
went out or when it will (quiet hours hold it); a party of another case sees none of it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from app.core import clock
from app.notifications.outbox import deliver_due
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
        # Recorded at 03:00: the debtor's email waits for 08:00, and the panel says so.
        when = f"{breach_day.month}月{breach_day.day}日 08:00"
        assert f"将于 {when} 通过电子邮件通知债务人" in html
        assert "通知各方" not in html, role
        # The whole unpaid balance is due now, not "the next instalment"; the grace rule
        # that no longer applies is not repeated.
        assert "现应支付" in html and "全部未还余额，自" in html, role
        assert "即构成违约" not in html, role
    home = _as(app, who["debtor"]).get("/debtor").get_data(as_text=True)
    assert "现应支付：" in home and "¥24,000.00" in home
    frozen_clock.move_to(datetime.combine(breach_day, time(8, 1), tzinfo=BEIJING))
    deliver_due()
    html = _as(app, who["debtor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "通知各方" in html and "通知债务人" not in html
    response = _as(app, who["other_creditor"]).get(f"/cases/{case.id}")
    assert response.status_code in (403, 404)
    assert "通知各方" not in response.get_data(as_text=True)
