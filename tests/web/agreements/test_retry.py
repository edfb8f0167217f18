"""A version that could not be prepared (its render was lost three times) says so on the
case page, translated, and only the case's mediator may ask for it again."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.agreements import recovery
from app.core import jobs
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus, IssuedDocument
from app.models.users import User
from tests import agreement_support as support
from tests.factories import PASSWORD
from tests.helpers import Browser, refused

REFUSED = (
    "creditor",
    "debtor",
    "other_creditor",
    "other_debtor",
    "foreign_mediator",
    "colleague_mediator",
    "admin",
)
TIMED_OUT_EN = "Preparing the document did not finish after 3 attempts."


@pytest.fixture
def world(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    who = support.people()
    case = support.settled_case(who)
    with monkeypatch.context() as lost:  # the render's worker was killed, three times
        lost.setitem(jobs._TASKS, "render_agreement_task", lambda agreement_id: None)
        agreement = support.draft(case, who)
    agreement.status = AgreementStatus.FAILED  # as the check leaves it after three attempts
    agreement.render_error = recovery.TIMED_OUT
    agreement.render_attempts = 3
    db.session.commit()
    return {"who": who, "case": case, "agreement": agreement}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _retry_url(world: dict[str, Any]) -> str:
    return f"/cases/{world['case'].id}/agreement/1/retry"


def test_the_mediator_sees_why_and_tries_again(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, world["who"]["mediator"])
    page = browser.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    with force_locale("zh_Hans_CN"):
        zh = _(
            "Preparing the document did not finish after %(n)s attempts. Nothing was signed.", n=3
        )
        try_again = _("Try again")
    assert zh in page and not zh.startswith(TIMED_OUT_EN[:20])  # translated
    assert try_again in page and _retry_url(world) in page

    response = browser.submit(_retry_url(world), page=f"/cases/{world['case'].id}")
    assert response.status_code == 302
    agreement = db.session.get(Agreement, world["agreement"].id)
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.SIGNING  # rendered (inline in the tests)
    assert agreement.render_attempts == 1  # a new round of attempts
    documents = select(func.count()).select_from(IssuedDocument)
    assert db.session.scalar(documents.where(IssuedDocument.agreement_id == agreement.id)) == 1


def test_retrying_a_version_that_did_not_fail_is_refused(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, world["who"]["mediator"])
    page = f"/cases/{world['case'].id}"
    browser.submit(_retry_url(world), page=page)
    again = browser.submit(_retry_url(world), page=page)
    assert refused(again) and again.status_code == 409  # the case page says why
    with force_locale("zh_Hans_CN"):
        assert _("This version is not waiting for another try.") in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 1


@pytest.mark.parametrize("who", REFUSED)
def test_nobody_but_the_cases_mediator_may_retry(
    app: Flask, world: dict[str, Any], who: str
) -> None:
    browser = _as(app, world["who"][who])
    response = browser.submit(_retry_url(world), page="/account/")
    assert response.status_code in (403, 404), (who, response.status_code)
    page = browser.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert _retry_url(world) not in page
    agreement = db.session.get(Agreement, world["agreement"].id)
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.FAILED
