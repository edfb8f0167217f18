"""The organisation's grace period (the administrator's ``grace_days``) is what the
mediator's draft states in its default clause: shown on the drafting form, frozen into the
version's terms and printed in the agreement; a later change of the setting leaves a drafted
version alone (the agreement's own rule prevails)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.models.users import User
from app.rules.agreements import terms_from_json
from tests import agreement_support as support
from tests.factories import PASSWORD
from tests.helpers import Browser


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    who = support.people()
    case = support.settled_case(who)
    case.mediation_org.grace_days = 20
    db.session.commit()
    return {"who": who, "case": case}


def test_the_draft_form_states_the_organisations_grace_period(
    app: Flask, world: dict[str, Any]
) -> None:
    case = world["case"]
    page = _as(app, world["who"]["mediator"]).get(f"/cases/{case.id}/agreement/draft")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="default-clause"' in html and "逾期超过 20 日" in html


def test_the_drafted_version_keeps_the_grace_period_of_its_day(
    app: Flask, world: dict[str, Any]
) -> None:
    case, who = world["case"], world["who"]
    agreement = support.draft(case, who)
    case.mediation_org.grace_days = 5  # changed later: the drafted version is frozen
    db.session.commit()
    terms = terms_from_json(agreement.terms["terms"])
    assert terms.default_rule.grace_days == 20


def test_the_agreement_pdf_prints_the_grace_period(app: Flask, world: dict[str, Any]) -> None:
    from app.documents import issued as documents
    from tests.certificate_support import pdf_text

    agreement = support.draft(world["case"], world["who"])
    assert agreement.current_sha256, "the worker rendered the version"
    text = pdf_text(documents.read_pdf(agreement.current_sha256))
    assert "逾期超过二十日" in text
