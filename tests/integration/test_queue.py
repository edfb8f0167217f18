"""The background queue: SQLite storage by default, Redis when REDIS_URL is set; a task
travels through the real storage and runs with an application context."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis
from flask import Flask
from huey import RedisHuey, SqliteHuey

from app import audit
from app.config import Settings
from app.extensions import db
from app.queue import huey, make_huey
from app.worker import verify_audit_chain_nightly

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis not reachable at {REDIS_URL} under CI")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: start redis-server to run this test")


def test_sqlite_storage_is_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    queue = make_huey(Settings.from_env())
    assert isinstance(queue, SqliteHuey)
    assert Path(queue.storage.filename) == tmp_path / "queue.db"


def test_redis_storage_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    _redis_or_skip()
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    assert isinstance(make_huey(Settings.from_env()), RedisHuey)


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_task_round_trips_through_the_storage(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend: str
) -> None:
    if backend == "redis":
        _redis_or_skip()
        monkeypatch.setenv("REDIS_URL", REDIS_URL)
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
        monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    queue = make_huey(Settings.from_env())
    queue.flush()
    task = queue.task()(verify_audit_chain_nightly.func)
    audit.record("test:event", actor=None, object_type="t", object_id=1)
    db.session.commit()

    result = task()  # enqueued, not run
    assert queue.pending_count() == 1
    message = queue.dequeue()
    queue.execute(message)  # what the consumer does
    assert result.get() is True
    queue.flush()


def test_the_application_queue_is_the_one_the_worker_imports() -> None:
    assert verify_audit_chain_nightly.huey is huey
