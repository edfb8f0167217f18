"""The mediator sees the debtor's contact details masked; revealing them is a POST with
the CSRF token, recorded in the audit chain each time; nobody else may reveal them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.audit import AuditAction
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.agreement_support import people
from tests.factories import PASSWORD, make_case
from tests.helpers import Browser

PHONE, EMAIL = "13800138001", "debtor@example.com"
ADDRESS = "北京市朝阳区某街 1 号"


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    who = people()
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        debtor_phone=PHONE,
        debtor_email=EMAIL,
        debtor_address=ADDRESS,
    )
    return {"who": who, "case": case}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _reveals(case_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case_id,
                AuditEvent.action == AuditAction.CASE_CONTACT_REVEAL,
            )
        )
    )


def test_masked_then_revealed_and_audited(app: Flask, world: dict[str, Any]) -> None:
    case, mediator = world["case"], world["who"]["mediator"]
    browser = _as(app, mediator)
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "138****8001" in page and "d***@example.com" in page and "北京市朝阳区****" in page
    assert PHONE not in page and EMAIL not in page and ADDRESS not in page
    assert 'id="contact-reveal"' in page

    url = f"/cases/{case.id}/contact/reveal"
    assert browser.client.post(url).status_code == 400  # no CSRF token
    assert _reveals(case.id) == []
    response = browser.submit(url, page=f"/cases/{case.id}", follow_refusal=False)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.id}#parties"
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert PHONE in page and EMAIL in page and ADDRESS in page
    events = _reveals(case.id)
    assert len(events) == 1 and events[0].actor_id == mediator.id
    # The session holds when the reveal ends, never the details.
    with browser.client.session_transaction() as session:
        assert PHONE not in str(dict(session))


@pytest.mark.parametrize("role", ["colleague_mediator", "admin", "creditor", "debtor"])
def test_nobody_else_may_reveal(app: Flask, world: dict[str, Any], role: str) -> None:
    case, user = world["case"], world["who"][role]
    browser = _as(app, user)
    response = browser.submit(f"/cases/{case.id}/contact/reveal", page="/account/")
    assert response.status_code in (403, 404)
    assert _reveals(case.id) == []
    if user.role != Role.MEDIATOR:  # the colleague cannot open the case at all
        page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
        assert 'id="contact-reveal"' not in page
