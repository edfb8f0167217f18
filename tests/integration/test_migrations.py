"""Migrations are the only way the schema changes: they build the models' schema exactly,
and every one of them can be undone."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models.cases import include_in_autogenerate
from tests.conftest import make_settings

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql+psycopg://127.0.0.1:5432/test")


def _pg_available() -> bool:
    engine = create_engine(PG_ADMIN_URL)
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if not _pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL not reachable at {PG_ADMIN_URL} under CI")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: start it to run this test")
    name = f"concord_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _diff() -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_in_autogenerate}
        )
        return list(compare_metadata(context, db.metadata))


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


@pytest.mark.commits
def test_upgrade_matches_models_and_downgrade_undoes_it(
    tmp_path: Path, empty_database: str
) -> None:
    app = create_app(make_settings(tmp_path, empty_database))
    with app.app_context():
        upgrade()
        assert _tables() == set(db.metadata.tables)
        assert _diff() == []
        downgrade(revision="base")
        assert _tables() == set()
        upgrade()
        assert _diff() == []
        db.engine.dispose()


@pytest.mark.commits
def test_0020_keeps_creditors_as_legal_persons_and_will_not_drop_a_natural_person(
    tmp_path: Path, empty_database: str
) -> None:
    """Existing creditors become legal persons; a natural-person creditor has no credit
    code, which the schema before 0020 requires: the downgrade refuses rather than lose it."""
    app = create_app(make_settings(tmp_path, empty_database))
    with app.app_context():
        upgrade(revision="0019")
        insert = (
            "INSERT INTO creditor_organisations (name, {code}licence_type, created_at) "
            "VALUES (:name, {value}'bank', CURRENT_TIMESTAMP)"
        )
        with db.engine.begin() as conn:
            conn.execute(
                text(insert.format(code="credit_code, ", value=":code, ")),
                {"name": "老银行", "code": "91110000100000589A"},
            )
        upgrade(revision="0020")
        with db.engine.begin() as conn:
            kind = conn.execute(text("SELECT entity_kind FROM creditor_organisations")).scalar()
            assert kind == "legal_person"
            conn.execute(text(insert.format(code="", value="")), {"name": "张建国"})
        with pytest.raises(SystemExit):  # flask-migrate's exit on the RuntimeError
            downgrade(revision="0019")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0020"
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM creditor_organisations WHERE credit_code IS NULL"))
        downgrade(revision="0019")
        db.engine.dispose()


@pytest.mark.commits
def test_0025_makes_each_creditors_first_user_the_keeper_of_its_profile(
    tmp_path: Path, empty_database: str
) -> None:
    """Existing creditor organisations can upload their licences and seal at once."""
    app = create_app(make_settings(tmp_path, empty_database))
    with app.app_context():
        upgrade(revision="0019")
        with db.engine.begin() as conn:
            for org_id, code in ((1, "91110000100000589A"), (2, "91310000MA1FL0000N")):
                conn.execute(
                    text(
                        "INSERT INTO creditor_organisations (id, name, credit_code, licence_type,"
                        " created_at) VALUES (:id, :name, :code, 'bank', CURRENT_TIMESTAMP)"
                    ),
                    {"id": org_id, "name": f"机构{org_id}", "code": code},
                )
            for user_id, org_id in ((5, 1), (3, 1), (7, 2)):
                conn.execute(
                    text(
                        "INSERT INTO users (id, role, name, email, password_hash, is_locked,"
                        " creditor_org_id, password_changed_at, created_at, sign_in_attempts,"
                        " password_check_attempts) VALUES (:id, 'creditor', 'x', :email, 'h',"
                        " false, :org, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, 0)"
                    ),
                    {"id": user_id, "email": f"u{user_id}@example.com", "org": org_id},
                )
        upgrade(revision="0025")
        with db.engine.connect() as conn:
            keepers = conn.execute(
                text("SELECT id FROM users WHERE is_creditor_admin ORDER BY id")
            ).scalars()
            assert list(keepers) == [3, 7]
        downgrade(revision="0019")
        db.engine.dispose()
