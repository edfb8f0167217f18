"""Test fixtures: one application and one migrated database per session (per xdist worker),
each test inside a transaction that is rolled back at its end; the clock frozen at a fixed
instant; helpers to act as each role.

The database is SQLite by default and PostgreSQL when ``TEST_DATABASE_URL`` is set: each
worker then creates (and at the end drops) its own database, named after that one plus the
worker id (``<name>_gw0``).

**A test runs in a SAVEPOINT.** Its connection opens an outer transaction; ``db.session``,
for the test and for every request its client makes (each in its own application context,
as in production), is a session on that one connection with
``join_transaction_mode="create_savepoint"``: a use case's ``commit()`` releases a
savepoint, its ``rollback()`` returns to one, and the outer transaction is rolled back when
the test ends. Tests that need real commits (other connections or threads that must see
the data, migrations, raw DDL) are marked ``@pytest.mark.commits`` and get a fresh copy of
the database and an application of their own, as every test did before; browser journeys
(``@pytest.mark.browser``, a threaded live server) too.

**The clock is frozen** (``time-machine``, ``tick=True``) at ``CONCORD_TEST_NOW`` (``make test
TEST_NOW=...``): an ISO instant, or ``HH:MM`` Beijing time on the default day; by default
2026-12-01 10:30 Beijing time. Every test starts there, with the fixtures it sets up (of any
scope). A test that needs another moment travels from there (``frozen_clock.move_to(...)``
or a ``time_machine.travel`` of its own, which nests).
"""

from __future__ import annotations

import contextvars
import os
import re
import tempfile

# Before the app is imported: nothing a test run does may land in the developer's instance/.
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="concord-test-"))
import dataclasses
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, Engine, create_engine, event, insert, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import Settings
from app.extensions import db
from app.models.cases import LprRate
from app.models.court_levels import CourtLevelThreshold
from app.queue import huey
from app.repayments.common import forget_plans
from app.rules.claims import DEFAULT_LPR_HISTORY
from app.rules.court_levels import thresholds_from_csv
from tests.helpers import Browser
from tests.worlds import Worlds

# The loopback S3 server and a bucket per test (the S3 file store's tests).
pytest_plugins = ["tests.storage_support"]

# --- the clock ------------------------------------------------------------------------------

BEIJING = ZoneInfo("Asia/Shanghai")
DEFAULT_NOW = datetime(2026, 12, 1, 10, 30, tzinfo=BEIJING)


def _test_now(raw: str) -> datetime:
    """``CONCORD_TEST_NOW``: empty (the default), ``HH:MM`` (Beijing time on the default day)
    or an ISO 8601 instant (Beijing time when it names no offset)."""
    raw = raw.strip()
    if not raw:
        return DEFAULT_NOW
    if match := re.fullmatch(r"(\d{1,2}):(\d{2})", raw):
        return DEFAULT_NOW.replace(hour=int(match[1]), minute=int(match[2]))
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


TEST_NOW = _test_now(os.environ.get("CONCORD_TEST_NOW", ""))
_TRAVELLER = pytest.StashKey[time_machine.Traveller]()


def pytest_report_header() -> str:
    return f"concord: clock frozen at {TEST_NOW.isoformat()} (CONCORD_TEST_NOW)"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Each test, with its fixtures of every scope (a module's PDFs, the session's
    migrations), runs from ``TEST_NOW``; time then flows (``tick=True``)."""
    with time_machine.travel(TEST_NOW, tick=True) as traveller:
        item.stash[_TRAVELLER] = traveller
        yield


@pytest.fixture
def frozen_clock(request: pytest.FixtureRequest) -> time_machine.Traveller:
    """The running test's time travel: ``frozen_clock.move_to(moment)`` to go elsewhere."""
    return request.node.stash[_TRAVELLER]


# --- the database ---------------------------------------------------------------------------

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_PG_BASE = os.environ.get("TEST_DATABASE_URL", "").strip()


def _worker_url(base: str) -> str:
    url = make_url(Settings.from_env(app_env="test", database_url=base).database_url)
    return url.set(database=f"{url.database}_{WORKER}").render_as_string(hide_password=False)


# This worker's own PostgreSQL database (empty when the run is on SQLite).
PG_URL = _worker_url(_PG_BASE) if _PG_BASE else ""
# Tasks the web enqueues run inline, inside the request, against the test's own database
# and instance folder (never the developer's instance/queue.db).
huey.immediate = True


_PKI: dict[str, Path] = {}


def shared_pki() -> dict[str, Path]:
    """One development CA and organisation certificate for the whole run (RSA keys take a
    moment to make): every test app signs with it and /verify trusts it. Made before the
    frozen instant, so its certificates are valid whatever ``CONCORD_TEST_NOW`` says."""
    if not _PKI:
        from app.documents.pki import create_development_pki

        with time_machine.travel(TEST_NOW - timedelta(days=1)):
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
        # Every test signs in from 127.0.0.1: no per-address rate limit, and a request waits
        # for a busy slot rather than being refused (tests/web/test_capacity.py sets both).
        login_rate_limit="",
        verify_rate_limit="",
        busy_wait_ms=5000,
        # No least hold time: hundreds of sign-ins would each wait it out
        # (tests/web/test_capacity.py sets it).
        password_hash_min_ms=0,
        verify_min_ms=0,
        extra={"TESTING": True, **extra},
    )


def _migrate(instance: Path, url: str) -> None:
    app = create_app(make_settings(instance, url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _admin_engine() -> Engine:
    """An autocommit connection to the database TEST_DATABASE_URL names, to create and
    drop the workers' databases."""
    url = Settings.from_env(app_env="test", database_url=_PG_BASE).database_url
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _drop_worker_database(admin: Engine) -> None:
    name = make_url(PG_URL).database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite: the path of a migrated template file (copied for tests needing commits).
    PostgreSQL: the URL of this worker's database, created and migrated here, dropped at the
    end of the session."""
    instance = tmp_path_factory.mktemp("template")
    if PG_URL:
        admin = _admin_engine()
        _drop_worker_database(admin)  # left over by an interrupted run
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{make_url(PG_URL).database}"'))
        try:
            _migrate(instance, PG_URL)
            yield PG_URL
        finally:
            _drop_worker_database(admin)
            admin.dispose()
        return
    template = instance / "template.db"
    _migrate(instance, f"sqlite:///{template}")
    yield str(template)


def _empty_postgres(url: str) -> None:
    """Undo what a committing test left in this worker's database."""
    engine = create_engine(url)
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    try:
        with engine.begin() as conn:
            # replica role skips the audit log's append-only triggers, for cleanup only.
            conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            conn.execute(text("SET session_replication_role = DEFAULT"))
            # Reference data the migrations seed (as a fresh SQLite copy has it).
            conn.execute(
                insert(LprRate),
                [{"effective": f.effective, "rate": f.rate} for f in DEFAULT_LPR_HISTORY],
            )
            conn.execute(
                insert(CourtLevelThreshold),
                [
                    {**dataclasses.asdict(t), "updated_at": datetime.now(UTC)}
                    for t in thresholds_from_csv().values()
                ],
            )
    finally:
        engine.dispose()


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def database_url(migrated_database: str, instance_path: Path) -> Iterator[str]:
    """A database of the test's own that it may commit to: a copy of the SQLite template,
    or this worker's PostgreSQL database, emptied again after the test."""
    if PG_URL:
        yield PG_URL
        _empty_postgres(PG_URL)
        return
    target = instance_path / "concord.db"
    shutil.copyfile(migrated_database, target)
    yield f"sqlite:///{target}"


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context, as it does in production.

    The test itself holds an app context (for factories and queries); without this,
    Flask would reuse it for requests and share ``g`` (and Flask-Login's cached user)
    between them.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # The test's own session lets go of its open SAVEPOINT first (as a test commits its
        # data before a real request could see it): otherwise the request's work would nest
        # inside it and a later rollback in the test (a refused use case called directly)
        # would undo the request too.
        if has_app_context() and db.session().in_transaction():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


def sqlite_savepoints(engine: Engine) -> None:
    """Make pysqlite's transactions real, so SAVEPOINTs nest inside them (SQLAlchemy docs,
    "Serializable isolation / Savepoints / Transactional DDL"): the driver's own
    transaction handling is switched off and SQLAlchemy emits BEGIN itself.

    Only the tests' shared engine needs it: the application never uses a SAVEPOINT, and
    the driver's deferred BEGIN keeps the development server's SQLite file less often
    locked."""

    @event.listens_for(engine, "connect")
    def _driver_leaves_transactions_alone(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        _quietly(connection, "BEGIN")


def _quietly(connection: Any, statement: str) -> None:
    """Run a transaction-control statement on the driver's connection, unseen by the
    engine's cursor events."""
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def quiet_savepoints(engine: Engine) -> None:
    """The tests' savepoints are not statements a test counts: tests that count the
    queries of a request (``before_cursor_execute``) see what production sees, where
    BEGIN and COMMIT are no statements either."""
    dialect = engine.dialect
    dialect.do_savepoint = lambda conn, name: _quietly(conn, f"SAVEPOINT {name}")  # type: ignore[method-assign]
    dialect.do_release_savepoint = lambda conn, name: _quietly(  # type: ignore[method-assign]
        conn, f"RELEASE SAVEPOINT {name}"
    )
    dialect.do_rollback_to_savepoint = lambda conn, name: _quietly(  # type: ignore[method-assign]
        conn, f"ROLLBACK TO SAVEPOINT {name}"
    )


class JoinedSession(FlaskSession):
    """A Flask-SQLAlchemy session that runs on the connection it is given (the test's),
    where Flask-SQLAlchemy's would pick the app's engine."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any) -> Any:
        return bind if bind is not None else self.bind


@pytest.fixture(scope="session")
def session_app(
    migrated_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The application every transactional test shares, on this worker's database."""
    instance = tmp_path_factory.mktemp("session-app")
    if PG_URL:
        url = PG_URL
    else:
        shutil.copyfile(migrated_database, instance / "concord.db")
        url = f"sqlite:///{instance / 'concord.db'}"
    app = create_app(make_settings(instance, url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        sqlite_savepoints(engine)
    quiet_savepoints(engine)
    yield app
    engine.dispose()


def needs_commits(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) for name in ("commits", "browser"))


@pytest.fixture
def app(request: pytest.FixtureRequest, instance_path: Path) -> Iterator[Flask]:
    # Repayment plans are kept per process (app.repayments.common): a test that patches
    # the plan's rules must not be handed a plan an earlier test made.
    forget_plans()
    if needs_commits(request.node):
        yield from _committing_app(instance_path, request.getfixturevalue("database_url"))
    else:
        yield from _transactional_app(request.getfixturevalue("session_app"), instance_path)


def _committing_app(instance_path: Path, database_url: str) -> Iterator[Flask]:
    """A fresh application on a database of the test's own: its commits are real."""
    app = create_app(make_settings(instance_path, database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@contextmanager
def transaction(app: Flask, instance_path: Path) -> Iterator[Connection]:
    """The session's application, its ``db.session`` on one connection whose outer
    transaction is rolled back at the end; ``instance_path`` as its instance folder (outbox
    files, blob store); its configuration restored afterwards."""
    config, extensions = dict(app.config), dict(app.extensions)
    app.config["SETTINGS"] = dataclasses.replace(
        app.config["SETTINGS"], instance_path=instance_path, storage_path=instance_path / "storage"
    )
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    outer = connection.begin()
    shared = db.session
    db.session = db._make_scoped_session(
        {"class_": JoinedSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    try:
        with app.app_context():
            yield connection
            db.session.remove()
    finally:
        db.session = shared
        if outer.is_active:
            outer.rollback()
        connection.close()
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)


def _transactional_app(app: Flask, instance_path: Path) -> Iterator[Flask]:
    with transaction(app, instance_path):
        yield app


@pytest.fixture(scope="session")
def worlds(session_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Worlds:
    """Worlds (signed PDFs and their rows) made once per session and restored into each
    test that reads them: see :mod:`tests.worlds`."""
    return Worlds(session_app, tmp_path_factory.mktemp("worlds"), transaction, TEST_NOW)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser journeys run last. Sync Playwright keeps an asyncio event loop in the main
    thread for the rest of the session, and pyHanko's synchronous API (``asyncio.run``)
    cannot run under it: tests that call pyHanko directly would fail after a journey.
    (``make test`` runs them in a pytest run of their own.)"""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
