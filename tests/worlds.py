"""Worlds made once and read by many tests: signed PDFs and the rows around them.

Rendering and signing a PDF takes seconds. A test that only reads such a world (a built
package, a signed agreement) need not make its own: :meth:`Worlds.capture` builds it once
per session (per xdist worker) inside a transaction of its own, copies out the rows it
added and its blob store, and rolls the transaction back; :meth:`Worlds.restore` puts
those rows and files into the running test's transaction and instance folder in
milliseconds. A test that changes the world's files or depends on how it was made keeps
building its own.

A world is made ``WORLD_AGE`` before the tests' frozen instant, so that nothing a test
reads was made in its future.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import time_machine
from flask import Flask, current_app
from sqlalchemy import Connection, Table, func, insert, select, text

from app.extensions import db

T = TypeVar("T")
WORLD_AGE = timedelta(minutes=2)


@dataclass(frozen=True)
class Snapshot:
    """What a world added: rows per table (in dependency order) and its blob store."""

    rows: tuple[tuple[Table, tuple[dict[str, Any], ...]], ...]
    storage: Path
    value: Any


def _key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _rows(connection: Connection, table: Table) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in connection.execute(select(table))]


class Worlds:
    """The worlds of one session, made on demand on the session's application.

    ``transaction(app, instance)`` is the same context the tests run in (conftest's): a
    connection in a transaction that is rolled back, ``db.session`` bound to it."""

    def __init__(self, app: Flask, root: Path, transaction: Callable[..., Any], now: Any):
        self._app, self._root, self._transaction, self._now = app, root, transaction, now
        self._made: dict[str, Snapshot] = {}

    def capture(self, name: str, build: Callable[[], T]) -> Snapshot:
        """The world ``build()`` makes (its return value: ids, never ORM objects)."""
        if name not in self._made:
            self._made[name] = self._capture(name, build)
        return self._made[name]

    def _capture(self, name: str, build: Callable[[], T]) -> Snapshot:
        instance = self._root / name
        instance.mkdir(parents=True)
        tables = db.metadata.sorted_tables
        with self._transaction(self._app, instance) as connection:
            before = {t.name: {_key(t, r): r for r in _rows(connection, t)} for t in tables}
            with time_machine.travel(self._now - WORLD_AGE, tick=True):
                value = build()
                db.session.commit()
            added = []
            for table in tables:
                old, rows = before[table.name], _rows(connection, table)
                if any(old.get(_key(table, r), r) != r for r in rows):
                    raise AssertionError(f"world {name!r} changed rows of {table.name}")
                added.append((table, tuple(r for r in rows if _key(table, r) not in old)))
        return Snapshot(tuple((t, rows) for t, rows in added if rows), instance / "storage", value)


def _advance_sequence(connection: Connection, table: Table) -> None:
    """Rows restored with their own ids leave PostgreSQL's sequence behind (a committing
    test's database is emptied with ``RESTART IDENTITY``): move it past them, or the next
    row the application adds would take an id already in use. SQLite numbers rows from
    the largest id by itself."""
    if connection.dialect.name != "postgresql":
        return
    if len(table.primary_key.columns) != 1:
        return
    (key,) = table.primary_key.columns
    sequence = connection.scalar(
        text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": key.name}
    )
    if sequence is None:
        return
    largest = connection.scalar(select(func.max(key)))
    if largest is not None:
        connection.execute(
            text(
                "SELECT setval(CAST(:s AS regclass), GREATEST(:n, COALESCE("
                "pg_sequence_last_value(CAST(:s AS regclass)), 0)))"
            ),
            {"s": sequence, "n": largest},
        )


def restore(snapshot: Snapshot) -> Any:
    """Put a captured world into the running test (its transaction, its blob store) and
    return the world's value."""
    connection = db.session.connection()
    for table, rows in snapshot.rows:
        connection.execute(insert(table), list(rows))
        _advance_sequence(connection, table)
    db.session.commit()
    if snapshot.storage.is_dir():
        target = Path(current_app.config["SETTINGS"].storage_path)
        shutil.copytree(snapshot.storage, target, dirs_exist_ok=True)
    return snapshot.value
