"""A package that could not be assembled says so on the case page, translated; only the
case's mediator may ask for it again."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from app.confirmation.package import recovery
from app.core import jobs
from app.extensions import db
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.users import User
from tests import confirmation_support as support
from tests.factories import PASSWORD
from tests.helpers import Browser

REFUSED = ("creditor", "debtor", "other_creditor", "foreign_mediator", "colleague_mediator")


@pytest.fixture
def world(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    asked: list[int] = []
    monkeypatch.setitem(jobs._TASKS, "build_package_task", asked.append)
    who, case, agreement = support.in_force_case()
    package = support.released_package(case, agreement, who["mediator"], PackageStatus.FAILED)
    package.render_error = recovery.TIMED_OUT
    package.render_attempts = 3
    db.session.commit()
    return {"who": who, "case": case, "package": package, "asked": asked}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _retry_url(world: dict[str, Any]) -> str:
    return f"/cases/{world['case'].id}/package/1/retry"


def _status(world: dict[str, Any]) -> PackageStatus:
    package = db.session.get(ConfirmationPackage, world["package"].id)
    assert package is not None
    db.session.refresh(package)
    return package.status


def test_the_mediator_sees_why_and_tries_again(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, world["who"]["mediator"])
    page = browser.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    with force_locale("zh_Hans_CN"):
        said = _(
            "Assembling the package did not finish after %(n)s attempts. "
            "Nothing was released to the court.",
            n=3,
        )
    assert said in page and not said.startswith("Assembling")
    assert _retry_url(world) in page
    response = browser.submit(_retry_url(world), page=f"/cases/{world['case'].id}")
    assert response.status_code == 302
    assert _status(world) == PackageStatus.RENDERING
    assert world["asked"] == [world["package"].id]


@pytest.mark.parametrize("who", REFUSED)
def test_nobody_but_the_cases_mediator_may_retry(
    app: Flask, world: dict[str, Any], who: str
) -> None:
    browser = _as(app, world["who"][who])
    response = browser.submit(_retry_url(world), page="/account/")
    assert response.status_code in (403, 404), (who, response.status_code)
    assert _status(world) == PackageStatus.FAILED
    assert world["asked"] == []
