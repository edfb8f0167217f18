"""The worker's outbox tasks: a periodic sweep every minute, and a task the web enqueues
after a commit; both travel through the real queue storage."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from huey import SqliteHuey

from app.extensions import db
from app.models.cases import Case
from app.models.notifications import Channel, OutboxStatus
from app.notifications.outbox import queue_message
from app.notifications.tasks import deliver_outbox, deliver_outbox_now
from app.queue import huey
from app.worker import verify_audit_chain_nightly


def test_the_outbox_sweep_runs_every_minute_and_the_audit_check_stays_nightly() -> None:
    minutes = [datetime(2026, 12, 1, 3, m) for m in range(60)]
    sweep, audit_check = deliver_outbox.s(), verify_audit_chain_nightly.s()
    assert all(sweep.validate_datetime(m) for m in minutes)
    nightly = [m for m in minutes if audit_check.validate_datetime(m)]
    assert nightly == [datetime(2026, 12, 1, 3, 17)]


def test_the_tasks_belong_to_the_queue_the_worker_imports() -> None:
    assert deliver_outbox.huey is huey
    assert deliver_outbox_now.huey is huey


@pytest.mark.parametrize("task", [deliver_outbox, deliver_outbox_now])
def test_an_enqueued_delivery_sends_what_is_due(
    app: Flask, case: Case, tmp_path: Path, task: object
) -> None:
    message = queue_message(
        address=str(case.debtor_phone),
        channel=Channel.SMS,
        template="one_time_code",
        subject="验证码",
        body="【测试】验证码 123456",
        case_id=case.id,
        to_debtor=True,
        requested_by_recipient=True,
    )
    db.session.commit()
    queue = SqliteHuey("outbox-test", filename=str(tmp_path / "queue.db"))
    result = queue.task()(task.func)()  # type: ignore[attr-defined]
    assert queue.pending_count() == 1  # enqueued, not run
    queue.execute(queue.dequeue())  # what the consumer does
    assert result.get() == 1
    db.session.expire_all()
    assert message.status == OutboxStatus.SENT
    queue.flush()
