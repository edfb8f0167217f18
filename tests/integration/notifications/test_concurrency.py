"""Two workers never send the same message: PostgreSQL skips rows another worker has
locked; on SQLite, which cannot lock rows, delivery runs wait for each other."""

from __future__ import annotations

import fcntl
import threading

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.notifications import OutboundMessage, OutboxStatus
from app.notifications.outbox import deliver_due
from tests.integration.notifications.conftest import beijing, statuses, to_staff


@pytest.mark.commits
def test_on_sqlite_a_second_run_waits_for_the_first_instead_of_sending_twice(
    app: Flask,
) -> None:
    if db.engine.url.get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL uses FOR UPDATE SKIP LOCKED instead")
    message = to_staff(beijing(1, 10))
    results: list[int] = []

    def other_worker() -> None:
        with app.app_context():
            results.append(deliver_due(beijing(1, 11)))
            db.session.remove()

    lock_path = f"{db.engine.url.database}.outbox-lock"
    with open(lock_path, "a") as running:  # a run in another process holds the lock
        fcntl.flock(running, fcntl.LOCK_EX)
        worker = threading.Thread(target=other_worker)
        worker.start()
        worker.join(timeout=0.5)
        assert worker.is_alive() and statuses()[message.id] == OutboxStatus.QUEUED
        fcntl.flock(running, fcntl.LOCK_UN)
    worker.join(timeout=10)
    assert results == [1]
    assert statuses()[message.id] == OutboxStatus.SENT


@pytest.mark.commits
def test_on_postgresql_a_message_locked_by_another_worker_is_skipped(app: Flask) -> None:
    if db.engine.url.get_backend_name() != "postgresql":
        pytest.skip("SQLite cannot lock rows; runs wait for each other instead")
    locked, free = to_staff(beijing(1, 10)), to_staff(beijing(1, 10, 1))
    with db.engine.connect() as other_worker:
        other_worker.execute(
            select(OutboundMessage.id).where(OutboundMessage.id == locked.id).with_for_update()
        )
        assert deliver_due(beijing(1, 11)) == 1  # without waiting for the lock
        assert statuses() == {locked.id: OutboxStatus.QUEUED, free.id: OutboxStatus.SENT}
        other_worker.rollback()
    assert deliver_due(beijing(1, 11)) == 1
