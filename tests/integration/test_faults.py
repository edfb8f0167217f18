"""Background jobs that meet a full disk or a database refusing writes are tried again
later (Huey ``RetryTask``, however many retries they were given), not failed for good:
the version stays "being prepared", the message keeps its attempts."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from huey.exceptions import RetryTask
from sqlalchemy import func, select

from app.agreements.tasks import render_agreement_task
from app.core import jobs
from app.core.transaction import use_case
from app.extensions import db
from app.models.agreements import AgreementStatus, IssuedDocument
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.notifications import channels
from app.notifications.outbox import queue_message
from app.notifications.tasks import deliver_outbox_now
from app.queue import huey
from tests import agreement_support as support
from tests.faults import fill_the_disk, read_only_app


@pytest.fixture
def lost_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs asked for by use cases are not run inline: the test runs them itself."""
    for name in ("render_agreement_task", "deliver_outbox_now"):
        monkeypatch.setitem(jobs._TASKS, name, lambda *args: None)


def _stored_files(app: Flask) -> list[Path]:
    root: Path = app.config["SETTINGS"].storage_path
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_render_on_a_full_disk_is_tried_again_later_not_failed(
    app: Flask, lost_jobs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = support.people()
    agreement = support.draft(support.settled_case(who), who)
    with monkeypatch.context() as full:
        fill_the_disk(full)
        with pytest.raises(RetryTask) as retry:
            render_agreement_task.call_local(agreement.id)
        assert retry.value.delay == app.config["SETTINGS"].unavailable_retry_seconds
        db.session.refresh(agreement)
        assert agreement.status == AgreementStatus.RENDERING  # not failed for good
        assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
        assert _stored_files(app) == []  # no temporary file left

        # What the consumer does with it: scheduled again, whatever its retries.
        huey.flush()
        huey.execute(
            render_agreement_task.s(agreement.id).__class__(args=(agreement.id,), retries=0)
        )
        assert len(huey.scheduled()) == 1
        huey.flush()

    render_agreement_task.call_local(agreement.id)  # room on the disk again
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.SIGNING


@use_case
def _queue_email() -> OutboundMessage:
    return queue_message(
        address="someone@example.com",
        channel=Channel.EMAIL,
        template="test",
        subject="主题",
        body="正文",
    )


def test_sending_on_a_full_disk_keeps_the_message_and_its_attempts(
    app: Flask, lost_jobs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = _queue_email()

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(channels, "send", full)
    with pytest.raises(RetryTask):
        deliver_outbox_now.call_local()
    db.session.refresh(message)
    assert (message.status, message.attempts, message.error) == (OutboxStatus.QUEUED, 0, None)


@pytest.fixture
def read_only(app: Flask, instance_path: Path, database_url: str) -> Iterator[Flask]:
    ro = read_only_app(instance_path, database_url)
    try:
        yield ro
    finally:
        with ro.app_context():
            db.engine.dispose()


@pytest.mark.commits
def test_sending_on_a_read_only_database_is_tried_again_later(
    app: Flask, read_only: Flask, lost_jobs: None
) -> None:
    message_id = _queue_email().id
    with read_only.app_context(), pytest.raises(RetryTask):
        deliver_outbox_now.call_local()
    db.session.expire_all()
    message = db.session.get(OutboundMessage, message_id)
    assert message is not None
    assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 0)


class _DriverError(Exception):
    def __init__(self, sqlstate: str = "", sqlite_errorname: str = "") -> None:
        super().__init__("driver says no")
        self.sqlstate, self.sqlite_errorname = sqlstate, sqlite_errorname


@pytest.mark.parametrize(
    ("orig", "expected"),
    [
        (_DriverError(sqlstate="25006"), "unavailable"),  # read_only_sql_transaction
        (_DriverError(sqlstate="53100"), "storage_full"),  # disk_full
        (_DriverError(sqlstate="57P03"), "unavailable"),  # cannot_connect_now
        (_DriverError(sqlstate="08006"), "unavailable"),  # connection_failure
        (_DriverError(sqlite_errorname="SQLITE_READONLY"), "unavailable"),
        (_DriverError(sqlite_errorname="SQLITE_FULL"), "storage_full"),
        (_DriverError(sqlstate="23505"), None),  # a unique violation is no fault
        (_DriverError(sqlite_errorname="SQLITE_ERROR"), None),
    ],
)
def test_database_faults_are_recognised_by_their_codes(orig: Exception, expected: str) -> None:
    from sqlalchemy.exc import DBAPIError

    from app.core.faults import fault_of

    fault = fault_of(DBAPIError("INSERT …", {"secret": "x"}, orig))
    assert (fault.code if fault else None) == expected


def test_disk_faults_are_recognised_by_errno_even_when_wrapped() -> None:
    from app.core.faults import fault_of

    try:
        try:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        except OSError as err:
            raise RuntimeError("wrapped") from err
    except RuntimeError as wrapped:
        fault = fault_of(wrapped)
    assert fault is not None and (fault.code, fault.status) == ("storage_full", 507)
    assert fault_of(OSError(errno.ENOENT, "missing")) is None
