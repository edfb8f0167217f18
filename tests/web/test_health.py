"""The load balancer's probes (app/web/health.py): /healthz answers while the process is
up, whatever else is down; /readyz names what is unreachable (database, queue, file store)
with 503 and problem details. Both open to anyone, without a session."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest
from flask import Flask
from huey import RedisHuey

from app import create_app
from app.web import health
from tests.conftest import IsolatedClient, make_settings
from tests.storage_support import use_s3


def _no_session(response) -> None:
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_both_probes_pass_on_a_working_platform(app: Flask) -> None:
    client = app.test_client()
    live = client.get("/healthz")
    assert live.status_code == 200 and live.json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {
        "status": "ok",
        "checks": {"database": "ok", "queue": "ok", "storage": "ok"},
    }
    _no_session(live)
    _no_session(ready)


def test_readiness_passes_with_the_s3_store(s3_app: Flask) -> None:
    ready = s3_app.test_client().get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["storage"] == "ok"


@pytest.fixture
def app_without_database(tmp_path: Path) -> Flask:
    """An application whose database cannot be opened (its folder does not exist)."""
    url = f"sqlite:///{tmp_path / 'gone' / 'concord.db'}"
    app = create_app(make_settings(tmp_path / "instance", url))
    app.test_client_class = IsolatedClient
    return app


def test_without_a_database_the_process_is_alive_but_not_ready(
    app_without_database: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = app_without_database.test_client()
    assert client.get("/healthz").status_code == 200  # no database needed to be alive
    with caplog.at_level(logging.ERROR, logger="app.web.health"):
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.mimetype == "application/problem+json"
    assert ready.headers["Retry-After"]
    body = ready.json
    assert body["status"] == 503 and body["error"] == "not_ready"
    assert body["failed"] == ["database"]
    assert body["checks"] == {"database": "failed", "queue": "ok", "storage": "ok"}
    assert "database" in body["detail"]
    assert any("database" in r.getMessage() for r in caplog.records)
    _no_session(ready)


def test_a_missing_bucket_makes_the_server_not_ready(
    app: Flask, s3_endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    use_s3(app, s3_endpoint, "concord-no-such-bucket")
    with caplog.at_level(logging.ERROR, logger="app.web.health"):
        ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.mimetype == "application/problem+json"
    assert ready.json["failed"] == ["storage"]
    assert ready.json["checks"] == {"database": "ok", "queue": "ok", "storage": "failed"}
    assert app.test_client().get("/healthz").status_code == 200


def test_an_unwritable_storage_folder_makes_the_server_not_ready(
    app: Flask, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store should be")
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], storage_path=blocker)
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["failed"] == ["storage"]


def test_an_unreachable_queue_makes_the_server_not_ready(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue in Redis (REDIS_URL), and nothing listening there."""
    monkeypatch.setattr(health, "huey", RedisHuey("concord", url="redis://127.0.0.1:9/0"))
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"] == {"database": "ok", "queue": "failed", "storage": "ok"}


@pytest.fixture
def silent_database(tmp_path: Path):
    """A PostgreSQL address whose server accepts the connection and never answers (a hung
    host): without a connect timeout, /readyz would wait as long as the kernel does."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"postgresql+psycopg://concord@127.0.0.1:{listener.getsockname()[1]}/concord"
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def test_a_database_that_never_answers_fails_readiness_instead_of_hanging(
    tmp_path: Path, silent_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(make_settings(tmp_path / "instance", silent_database))
    app.test_client_class = IsolatedClient
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"connect_timeout": 5}
    with caplog.at_level(logging.ERROR, logger="app.web.health"):
        ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["failed"] == ["database"]
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
