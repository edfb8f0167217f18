"""A full disk or a database that refuses writes is not a bare 500: a page (or problem
details) saying nothing was saved and to try later, 507 or 503 with ``Retry-After``,
logged once with its cause; nothing half-written is left behind."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from app.core.errors import StorageFull, Unavailable
from app.extensions import db
from app.models import AuditEvent, Case, EvidenceFile
from app.models.auth import LoginAttempt, UserSession
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, make_case, make_user
from tests.faults import fill_the_disk, read_only_app
from tests.helpers import Browser

PDF = b"%PDF-1.4\n" + b"1 0 obj<<>>endobj\n" * 2000 + b"trailer<<>>\n%%EOF\n"
FAULT_LOGGER = "app.core.faults"


def _said(cls: type[Unavailable]) -> str:
    with force_locale("zh_Hans_CN"):
        return cls().message


def _fault_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == FAULT_LOGGER]


# --- a full disk -------------------------------------------------------------------------------


@pytest.fixture
def creditor(browser: Browser) -> User:
    user = make_user(Role.CREDITOR)
    browser.login(user.email, PASSWORD)
    return user


@pytest.fixture
def case(creditor: User) -> Case:
    return make_case(creditor=creditor, state=CaseState.DRAFT)


def _upload(browser: Browser, case: Case):
    return browser.upload(
        f"/cases/{case.id}/evidence",
        {"file": (PDF, "借款合同.pdf"), "category": "contract", "description": "借款合同"},
        page=f"/cases/{case.id}",
    )


def _nothing_saved(app: Flask, case: Case) -> None:
    db.session.expire_all()
    count = select(func.count()).select_from(EvidenceFile).where(EvidenceFile.case_id == case.id)
    assert db.session.scalar(count) == 0
    uploads = select(func.count()).where(AuditEvent.action == "case:evidence:upload")
    assert db.session.scalar(uploads.select_from(AuditEvent)) == 0
    root: Path = app.config["SETTINGS"].storage_path
    left = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    assert left == []  # neither the temporary file nor a blob


def test_an_upload_on_a_full_disk_answers_507_and_saves_nothing(
    app: Flask,
    browser: Browser,
    case: Case,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fill_the_disk(monkeypatch)
    with caplog.at_level(logging.ERROR):
        response = _upload(browser, case)
    assert response.status_code == 507
    assert response.headers["Retry-After"] == str(app.config["SETTINGS"].unavailable_retry_seconds)
    page = response.get_data(as_text=True)
    assert _said(StorageFull) in page
    assert "未作任何保存" in page and "稍后再试" in page  # nothing was saved; try later
    _nothing_saved(app, case)
    (logged,) = _fault_logs(caplog)  # once, with the cause
    assert "storage_full" in logged.getMessage() and "No space left" in logged.getMessage()


def test_a_json_client_gets_problem_details_for_a_full_disk(
    app: Flask, browser: Browser, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_the_disk(monkeypatch)
    token = browser.token(f"/cases/{case.id}")
    response = browser.client.post(
        f"/cases/{case.id}/evidence",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(PDF), "contract.pdf"),
            "category": "contract",
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 507
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"]
    body = response.get_json()
    assert body["error"] == "storage_full" and body["status"] == 507
    assert body["message"] == _said(StorageFull)
    _nothing_saved(app, case)


# --- a read-only database ----------------------------------------------------------------------


@pytest.fixture
def read_only(app: Flask, instance_path: Path, database_url: str) -> Iterator[Flask]:
    ro = read_only_app(instance_path, database_url)
    ro.test_client_class = IsolatedClient
    try:
        yield ro
    finally:
        with ro.app_context():
            db.engine.dispose()


def _writes(user: User) -> tuple[int, int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.scalar(select(func.count()).select_from(UserSession)),
        db.session.scalar(select(func.count()).select_from(LoginAttempt)),
    )


@pytest.mark.commits
def test_signing_in_on_a_read_only_database_answers_503_and_saves_nothing(
    app: Flask, read_only: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(Role.CREDITOR)
    db.session.commit()
    before = _writes(user)
    browser = Browser(read_only.test_client())
    with caplog.at_level(logging.ERROR):
        response = browser.login(user.email, PASSWORD)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert _said(Unavailable) in response.get_data(as_text=True)
    assert browser.get("/account/").status_code == 302  # not signed in
    (logged,) = _fault_logs(caplog)
    assert "unavailable" in logged.getMessage()
    assert user.email not in logged.getMessage()  # the driver's words, not the parameters
    assert "VALUES" not in logged.getMessage()
    assert _writes(user) == before  # nothing saved (read through the writable app)

    json = browser.client.post(
        "/login",
        data={"csrf_token": browser.token(), "identifier": user.email, "password": PASSWORD},
        headers={"Accept": "application/json"},
    )
    assert json.status_code == 503 and json.mimetype == "application/problem+json"
    assert json.get_json()["error"] == "unavailable"
    assert json.headers["Retry-After"] == "60"
