"""Test fixtures: a real, migrated database per test (SQLite by default, PostgreSQL when
``TEST_DATABASE_URL`` is set), the real application, and helpers to act as each role."""

from __future__ import annotations

import contextvars
import os
import tempfile

# Before the app is imported: nothing a test run does may land in the developer's instance/.
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="concord-test-"))
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, text

from app import create_app
from app.config import Settings
from app.extensions import db
from app.models.cases import LprRate
from app.queue import huey
from app.rules.claims import DEFAULT_LPR_HISTORY
from tests.helpers import Browser

PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
# Tasks the web enqueues run inline, inside the request, against the test's own database
# and instance folder (never the developer's instance/queue.db).
huey.immediate = True


_PKI: dict[str, Path] = {}


def shared_pki() -> dict[str, Path]:
    """One development CA and organisation certificate for the whole run (RSA keys take a
    moment to make): every test app signs with it and /verify trusts it."""
    if not _PKI:
        from app.documents.pki import create_development_pki

        paths = create_development_pki(
            Path(tempfile.mkdtemp(prefix="concord-pki-")), "测试调解中心"
        )
        _PKI.update(p12=paths.p12, ca=paths.ca_pem, passphrase=paths.passphrase)
    return _PKI


def make_settings(instance: Path, database_url: str, **extra: object) -> Settings:
    pki = shared_pki()
    return Settings.from_env(
        app_env="test",
        instance_path=instance,
        secret_key="test-secret-key-not-for-production",
        pii_key="dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE=",
        database_url=database_url,
        # A cheap argon2 cost keeps hundreds of sign-ins fast; production keeps the default.
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        signing_p12_path=str(pki["p12"]),
        signing_p12_password=pki["passphrase"].read_text().strip(),
        signing_ca_path=str(pki["ca"]),
        extra={"TESTING": True, **extra},
    )


def _migrate(instance: Path, url: str) -> None:
    app = create_app(make_settings(instance, url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite: a migrated template file copied for each test. PostgreSQL: the database
    named by TEST_DATABASE_URL, migrated once and emptied after each test."""
    instance = tmp_path_factory.mktemp("template")
    if PG_URL:
        engine = create_engine(Settings.from_env(app_env="test", database_url=PG_URL).database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        _migrate(instance, PG_URL)
        yield PG_URL
        return
    template = instance / "template.db"
    _migrate(instance, f"sqlite:///{template}")
    yield str(template)


def _empty_postgres() -> None:
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        # replica role skips the audit log's append-only triggers, for cleanup only.
        conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("SET session_replication_role = DEFAULT"))
        # Reference data the migrations seed (as a fresh SQLite copy has it).
        conn.execute(
            insert(LprRate),
            [{"effective": f.effective, "rate": f.rate} for f in DEFAULT_LPR_HISTORY],
        )


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def database_url(migrated_database: str, instance_path: Path) -> str:
    if PG_URL:
        return PG_URL
    target = instance_path / "concord.db"
    shutil.copyfile(migrated_database, target)
    return f"sqlite:///{target}"


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context, as it does in production.

    The test itself holds an app context (for factories and queries); without this,
    Flask would reuse it for requests and share ``g`` (and Flask-Login's cached user)
    between them.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(instance_path: Path, database_url: str) -> Iterator[Flask]:
    app = create_app(make_settings(instance_path, database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        if PG_URL:
            _empty_postgres()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser journeys run last. Sync Playwright keeps an asyncio event loop in the main
    thread for the rest of the session, and pyHanko's synchronous API (``asyncio.run``)
    cannot run under it: tests that call pyHanko directly would fail after a journey."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
