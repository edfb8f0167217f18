"""A 30-day window ending in a year whose holidays are not known yet: everyone is told
the last day may move; only the mediator reads where the administrator enters them."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from tests.confirmation_support import in_force_case
from tests.factories import PASSWORD
from tests.helpers import Browser

BEIJING = ZoneInfo("Asia/Shanghai")
MAY_MOVE = "该年度的法定节假日安排尚未公布，最后一日可能调整。"
ADMIN_NOTE = "管理员可在“法定节假日日历”中录入。"


def test_the_admin_note_is_for_the_mediator_not_the_parties(app: Flask, frozen_clock: Any) -> None:
    frozen_clock.move_to(datetime.combine(datetime(2026, 12, 20).date(), time(10), BEIJING))
    who, case, _ = in_force_case()  # in force since 18 December: the window ends in 2027

    def case_page(role: str) -> str:
        browser = Browser(app.test_client())
        browser.login(who[role].email, PASSWORD)
        return browser.get(f"/cases/{case.id}").get_data(as_text=True)

    mediator = case_page("mediator")
    assert MAY_MOVE in mediator and ADMIN_NOTE in mediator
    for party in ("debtor", "creditor"):
        page = case_page(party)
        assert MAY_MOVE in page, party
        assert ADMIN_NOTE not in page, party
