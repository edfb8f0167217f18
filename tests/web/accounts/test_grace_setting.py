"""The organisation's grace period on the administrator's page: whole days from 1 to 90,
audit-logged; only the organisation's own administrator changes it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import Role, User
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser


@pytest.fixture
def admin(browser: Browser) -> User:
    user = make_user(Role.ADMIN)
    assert browser.login(user.email, PASSWORD).status_code == 302
    return user


def _grace(user: User) -> int:
    db.session.refresh(user.mediation_org)
    return user.mediation_org.grace_days


def test_the_default_grace_period_is_fifteen_days_and_is_shown(
    browser: Browser, admin: User
) -> None:
    assert _grace(admin) == 15
    html = browser.get("/admin/").get_data(as_text=True)
    assert 'name="grace-grace_days"' in html and 'value="15"' in html


def test_the_administrator_sets_the_grace_period(browser: Browser, admin: User) -> None:
    response = browser.submit(
        "/admin/organisation/grace", {"grace-grace_days": "30"}, page="/admin/"
    )
    assert response.status_code == 302
    assert _grace(admin) == 30
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation:update")
    ).one()
    assert event.data == {"before": {"grace_days": 15}, "after": {"grace_days": 30}}
    assert event.actor_id == admin.id


@pytest.mark.parametrize("value", ["0", "91", "-1", "7.5", "abc", "", "1e1", "²", "0030000"])
def test_a_grace_period_outside_one_to_ninety_days_is_refused(
    browser: Browser, admin: User, value: str
) -> None:
    response = browser.submit(
        "/admin/organisation/grace", {"grace-grace_days": value}, page="/admin/"
    )
    assert response.status_code in (400, 422)
    assert "1 至 90" in response.get_data(as_text=True)
    assert _grace(admin) == 15
    assert (
        db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "organisation:update"))
        is None
    )


@pytest.mark.parametrize("value", ["1", "90"])
def test_the_bounds_are_allowed(browser: Browser, admin: User, value: str) -> None:
    browser.submit("/admin/organisation/grace", {"grace-grace_days": value}, page="/admin/")
    assert _grace(admin) == int(value)


def test_another_organisations_administrator_cannot_change_it(browser: Browser) -> None:
    ours = make_user(Role.ADMIN)
    theirs = make_user(Role.ADMIN)
    assert ours.mediation_org_id != theirs.mediation_org_id
    assert browser.login(theirs.email, PASSWORD).status_code == 302
    browser.submit("/admin/organisation/grace", {"grace-grace_days": "60"}, page="/admin/")
    assert _grace(ours) == 15  # only their own organisation's setting moved
    assert _grace(theirs) == 60


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.CREDITOR, Role.DEBTOR])
def test_anyone_but_an_administrator_is_refused(browser: Browser, role: Role) -> None:
    admin = make_user(Role.ADMIN)
    kw = {"mediation_org_id": admin.mediation_org_id} if role == Role.MEDIATOR else {}
    user = make_user(role, **kw)
    assert browser.login(user.email, PASSWORD).status_code == 302
    response = browser.submit(
        "/admin/organisation/grace", {"grace-grace_days": "60"}, page="/account/"
    )
    assert response.status_code == 403
    assert _grace(admin) == 15
