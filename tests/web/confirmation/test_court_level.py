"""The checks page offers the intermediate court when the administrator's thresholds call
for it (CPL Art. 205(2); 法发〔2021〕27号) and says what the level follows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import update

from app.extensions import db
from app.models.court_levels import CourtLevelThreshold
from tests.web.confirmation.test_confirmation import _as, _checks, _warnings


def _lower_beijing_to(amount: str) -> None:
    db.session.execute(
        update(CourtLevelThreshold)
        .where(CourtLevelThreshold.province == "北京市")
        .values(same_province_min=Decimal(amount), cross_province_min=Decimal(amount))
    )
    db.session.commit()


def test_the_page_names_the_amount_and_offers_only_basic_courts_below_it(
    app: Flask, world: dict[str, Any]
) -> None:
    html = _checks(_as(app, world["who"]["mediator"]), world["case"].id)
    assert "法院级别按调解协议确定的金额" in html
    assert "中级人民法院" not in html


def test_above_the_admins_threshold_the_intermediate_court_is_offered_and_can_be_chosen(
    app: Flask, world: dict[str, Any]
) -> None:
    """CPL Art. 205(2): the basic courts give way to the intermediate courts above them;
    choosing one leaves no court finding (民诉法解释 Art. 355)."""
    _lower_beijing_to("1000")
    case, browser = world["case"], _as(app, world["who"]["mediator"])
    html = _checks(browser, case.id, court="北京市第二中级人民法院")
    assert "北京市第二中级人民法院" in html and "北京市东城区人民法院" not in html
    assert not {"confirm.court_not_competent", "confirm.court_missing"} & set(_warnings(html))
    assert "所选的北京市第二中级人民法院对本案没有管辖权" not in html
