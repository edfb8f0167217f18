"""The administrator keeps the court-level thresholds (CPL Art. 205(2); 法发〔2021〕27号) and
the mediators' appointment records (人民调解法 Arts. 13-14); nobody else may."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.court_levels import CourtLevelThreshold
from app.models.users import Role, User
from tests.factories import PASSWORD, make_mediation_org, make_user
from tests.helpers import Browser

PAGE = "/admin/registers/"


@pytest.fixture
def admin(browser: Browser) -> User:
    user = make_user(Role.ADMIN)
    assert browser.login(user.email, PASSWORD).status_code == 302
    return user


def _row(province: str) -> CourtLevelThreshold | None:
    return db.session.scalar(
        select(CourtLevelThreshold).where(CourtLevelThreshold.province == province)
    )


def _events() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id))) or 0


def test_the_migration_seeded_every_province_from_the_data_file(
    browser: Browser, admin: User
) -> None:
    """Migration 0022 seeds the table from the data file (法发〔2021〕27号)."""
    row = _row("广东省")
    assert row is not None
    assert (row.same_province_min, row.cross_province_min) == (
        Decimal("500000000.00"),
        Decimal("100000000.00"),
    )
    page = browser.get(PAGE).get_data(as_text=True)
    assert "法发〔2021〕27号" in page and "广东省" in page


def test_admin_corrects_a_province_and_it_is_audited(browser: Browser, admin: User) -> None:
    data = {
        "province": "广东省",
        "same_min": "300000000",
        "cross_min": "50000000",
        "effective_from": "2027-01-01",
        "source": "某高级人民法院通知（示例）",
    }
    response = browser.submit(f"{PAGE}court-levels", data, page=PAGE)
    assert response.status_code == 302
    row = _row("广东省")
    assert row is not None
    assert (row.same_province_min, row.cross_province_min) == (Decimal("3E8"), Decimal("5E7"))
    assert (row.effective_from, row.source) == (date(2027, 1, 1), "某高级人民法院通知（示例）")
    last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None and last.action == "court_threshold:set"


@pytest.mark.parametrize(
    "bad",
    [{"same_min": "abc"}, {"cross_min": "0"}, {"effective_from": "2027-02-30"}, {"source": ""}],
)
def test_a_bad_threshold_is_refused_and_nothing_saved(
    browser: Browser, admin: User, bad: dict[str, str]
) -> None:
    data = {
        "province": "广东省",
        "same_min": "300000000",
        "cross_min": "50000000",
        "effective_from": "2027-01-01",
        "source": "示例",
        **bad,
    }
    before, events = _row("广东省").same_province_min, _events()  # type: ignore[union-attr]
    response = browser.submit(f"{PAGE}court-levels", data, page=PAGE)
    assert response.refused_by_redirect  # type: ignore[attr-defined]
    assert "请填写省份、两项金额" in response.get_data(as_text=True)
    assert _row("广东省").same_province_min == before  # type: ignore[union-attr]
    assert _events() == events


def test_admin_records_a_mediators_appointment(browser: Browser, admin: User) -> None:
    mediator = make_user(
        Role.MEDIATOR,
        mediation_org_id=admin.mediation_org_id,
        appointment_number=None,
        appointed_on=None,
        appointed_by=None,
    )
    assert "尚未登记聘任记录" in browser.get(PAGE).get_data(as_text=True)
    response = browser.submit(
        f"{PAGE}mediators/{mediator.id}/appointment",
        {
            "appointment_number": "调聘字〔2025〕第3号",
            "appointed_on": "2025-05-06",
            "appointed_by": "某某人民调解委员会",
        },
        page=PAGE,
    )
    assert response.status_code == 302
    db.session.refresh(mediator)
    assert (mediator.appointment_number, mediator.appointed_on, mediator.appointed_by) == (
        "调聘字〔2025〕第3号",
        date(2025, 5, 6),
        "某某人民调解委员会",
    )


@pytest.mark.parametrize(
    "bad",
    [{"appointment_number": ""}, {"appointed_on": "2026-12-02"}, {"appointed_by": " "}],
)
def test_a_bad_appointment_is_refused(browser: Browser, admin: User, bad: dict[str, str]) -> None:
    """The clock is frozen on 2026-12-01: an appointment tomorrow is refused."""
    mediator = make_user(Role.MEDIATOR, mediation_org_id=admin.mediation_org_id)
    before = mediator.appointment_number
    data = {"appointment_number": "X-1", "appointed_on": "2025-01-01", "appointed_by": "委员会"}
    response = browser.submit(
        f"{PAGE}mediators/{mediator.id}/appointment", {**data, **bad}, page=PAGE
    )
    assert response.refused_by_redirect  # type: ignore[attr-defined]
    assert "请填写聘任证书编号" in response.get_data(as_text=True)
    db.session.refresh(mediator)
    assert mediator.appointment_number == before


def test_another_organisations_admin_cannot_touch_a_mediator(browser: Browser, admin: User) -> None:
    """Access control: a mediator of another organisation is not found (404)."""
    other = make_user(Role.MEDIATOR, mediation_org=make_mediation_org())
    before = other.appointment_number
    response = browser.submit(
        f"{PAGE}mediators/{other.id}/appointment",
        {"appointment_number": "Y", "appointed_on": "2025-01-01", "appointed_by": "Z"},
        page=PAGE,
        follow_refusal=False,
    )
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.appointment_number == before


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.CREDITOR, Role.DEBTOR])
def test_no_one_but_an_admin_reaches_the_registers(browser: Browser, role: Role) -> None:
    """Access control: every new route refuses everyone but the administrator."""
    user = make_user(role)
    target = make_user(Role.MEDIATOR)
    assert browser.login(user.email, PASSWORD).status_code == 302
    assert browser.get(PAGE).status_code in (403, 404)
    for url, data in (
        (f"{PAGE}court-levels", {"province": "广东省", "same_min": "1", "cross_min": "1"}),
        (f"{PAGE}mediators/{target.id}/appointment", {"appointment_number": "Y"}),
    ):
        response = browser.submit(url, data, page="/", follow_refusal=False)
        assert response.status_code in (403, 404)
    assert _row("广东省").same_province_min == Decimal("500000000.00")  # type: ignore[union-attr]
