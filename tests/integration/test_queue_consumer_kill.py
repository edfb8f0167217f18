"""A worker killed mid-render (SIGKILL: no handler runs) takes the Huey task with it; the
version must not stay "being prepared" for ever. With a real ``huey_consumer`` (as ``make
run`` starts it): the render is dequeued and in progress, the consumer is killed, the
version is still rendering and its task is gone; after a restart, the stalled-render check
(:mod:`app.agreements.recovery`) asks again and the restarted consumer finishes it, with
one document only."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from huey.storage import SqliteStorage
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app.agreements.recovery import recover_stalled_agreements
from app.config import PROJECT_ROOT
from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus, IssuedDocument
from app.queue import huey
from app.worker import huey as worker_huey
from tests import agreement_support as support

pytestmark = pytest.mark.commits

CONSUMER = str(
    Path(os.environ.get("VIRTUAL_ENV", PROJECT_ROOT / ".venv")) / "bin" / "huey_consumer"
)
POLL = 0.05  # seconds between looks; every wait is bounded by a number of looks


@pytest.fixture
def queue_file(app: Flask, instance_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The application's queue as the worker sees it (``instance/queue.db``), not the
    tests' inline mode: a use case's job is enqueued, and only a consumer runs it."""
    path = instance_path / "queue.db"
    monkeypatch.setattr(huey, "_immediate", False)
    monkeypatch.setattr(huey, "storage", SqliteStorage("concord", filename=str(path)))
    return path


def _consumer_env(app: Flask, instance_path: Path) -> dict[str, str]:
    settings = app.config["SETTINGS"]
    env = {k: v for k, v in os.environ.items() if k not in ("HUEY_IMMEDIATE", "REDIS_URL")}
    env.update(
        APP_ENV="test",
        INSTANCE_PATH=str(instance_path),
        DATABASE_URL=settings.database_url,
        SECRET_KEY=settings.secret_key,
        PII_KEY=settings.pii_key,
        SIGNING_P12_PATH=str(settings.signing_p12_path),
        SIGNING_P12_PASSWORD=settings.signing_p12_password or "",
        SIGNING_CA_PATH=str(settings.signing_ca_path),
    )
    return env


@pytest.fixture
def consumers(app: Flask, instance_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Start real consumers (one thread worker, no periodic tasks: the test runs the check
    itself); whatever is still running at the end is killed."""
    started: list[subprocess.Popen[bytes]] = []
    log = (instance_path / "worker.log").open("ab")

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [CONSUMER, "app.worker.huey", "--workers", "1", "--worker-type", "thread", "-n"],
            cwd=PROJECT_ROOT,
            env=_consumer_env(app, instance_path),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log.close()


def _renders_waiting() -> int:
    return sum(t.name.endswith("render_agreement_task") for t in huey.pending())


def _wait_for(condition: Callable[[], bool], what: str, looks: int, log: Path) -> None:
    for _ in range(looks):
        if condition():
            return
        time.sleep(POLL)
    pytest.fail(f"{what} did not happen; worker log:\n{log.read_text(errors='replace')}")


class _WritesHeld:
    """Hold the database's write lock (SQLite) or the agreement's row (PostgreSQL), so a
    render in progress cannot store its result before the consumer is killed."""

    def __init__(self, url: str, agreement_id: int) -> None:
        self.url, self.agreement_id = make_url(url), agreement_id

    def __enter__(self) -> _WritesHeld:
        if self.url.get_backend_name() == "sqlite":
            self.sqlite = sqlite3.connect(str(self.url.database), isolation_level=None)
            self.sqlite.execute("BEGIN IMMEDIATE")
        else:
            self.connection = db.engine.connect()
            self.connection.execute(
                text("SELECT id FROM agreements WHERE id = :id FOR UPDATE"),
                {"id": self.agreement_id},
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.url.get_backend_name() == "sqlite":
            self.sqlite.rollback() if self.sqlite.in_transaction else None
            self.sqlite.close()
        else:
            self.connection.rollback()
            self.connection.close()


def _fresh(agreement_id: int) -> Agreement:
    db.session.rollback()  # see what the worker committed
    agreement = db.session.get(Agreement, agreement_id)
    assert agreement is not None
    db.session.refresh(agreement)
    return agreement


def _documents(agreement_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(IssuedDocument)
        .where(IssuedDocument.agreement_id == agreement_id)
    )


def test_a_render_killed_with_its_consumer_is_finished_after_a_restart(
    app: Flask,
    instance_path: Path,
    queue_file: Path,
    consumers: Callable[[], subprocess.Popen[bytes]],
    frozen_clock: time_machine.Traveller,
) -> None:
    log = instance_path / "worker.log"
    who = support.people()
    case = support.settled_case(who)
    agreement_id = support.draft(case, who).id
    assert _renders_waiting() == 1  # the render, waiting for a worker

    first = consumers()
    # The consumer took the render off the queue and is working on it.
    _wait_for(lambda: _renders_waiting() == 0, "the render being dequeued", 1200, log)
    with _WritesHeld(app.config["SETTINGS"].database_url, agreement_id):
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert first.returncode == -signal.SIGKILL

    # Killed mid-render: nothing stored, the version still "being prepared", the task lost.
    agreement = _fresh(agreement_id)
    assert agreement.status == AgreementStatus.RENDERING
    assert agreement.render_attempts == 1
    assert _documents(agreement_id) == 0
    assert _renders_waiting() == 0 and huey.scheduled_count() == 0

    consumers()  # the restart
    # Within the bound, the check leaves it alone (the render might still be running).
    assert recover_stalled_agreements() == 0
    assert _renders_waiting() == 0
    frozen_clock.move_to(clock.now() + timedelta(minutes=11))
    assert recover_stalled_agreements() == 1

    _wait_for(
        lambda: _fresh(agreement_id).status != AgreementStatus.RENDERING,
        "the retried render finishing",
        2400,
        log,
    )
    agreement = _fresh(agreement_id)
    assert agreement.status == AgreementStatus.SIGNING, agreement.render_error
    assert agreement.render_attempts == 2
    assert _documents(agreement_id) == 1
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 1
    assert agreement.current_sha256 is not None


def test_the_worker_runs_the_stalled_render_checks_periodically() -> None:
    names = {t.__name__ for t in worker_huey._registry._periodic_tasks}
    assert {
        "recover_stalled_agreements_every_minute",
        "recover_stalled_packages_every_minute",
    } <= names
