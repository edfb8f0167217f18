"""Attempt counters moved by the database itself.

A limit on guesses ("five tries") only holds if every guess is counted before it is
judged, and counted by the database rather than read, incremented in Python and written
back: twenty guesses arriving together would all read the same count. One UPDATE …
RETURNING moves the counter and hands back the new value in one statement (PostgreSQL
and SQLite ≥ 3.35); the UPDATE also holds the row (PostgreSQL's row lock, SQLite's
database lock) until the caller's transaction ends, so concurrent guesses are counted one
after another, and the caller decides on the value it got back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, update
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.attributes import set_committed_value

from app.core.db import db


def atomic_increment(column: InstrumentedAttribute[int], row_id: int) -> int:
    """Add one to ``column`` of the row ``row_id`` in the database; return the new value.

    The row's object in the session (if loaded) is given the new value too, without
    marking it changed, so a later flush does not write back a stale count."""
    table = column.class_
    pk = table.__mapper__.primary_key[0]
    value = db.session.execute(
        update(table)
        .where(pk == row_id)
        .values({column: column + 1})
        .returning(column)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    _refresh(table, row_id, column.key, value)
    return int(value)


def atomic_increment_in_window(
    column: InstrumentedAttribute[int],
    started: InstrumentedAttribute[datetime | None],
    row_id: int,
    *,
    now: datetime,
    window_start: datetime,
) -> tuple[int, datetime]:
    """Like :func:`atomic_increment`, for a counter that starts again once its window has
    passed: if ``started`` is empty or at or before ``window_start`` the count restarts
    at 1 and the window at ``now``. Returns the new count and when its window began."""
    table = column.class_
    pk = table.__mapper__.primary_key[0]
    stale = started.is_(None) | (started <= window_start)
    row = db.session.execute(
        update(table)
        .where(pk == row_id)
        .values(
            {
                column: case((stale, 1), else_=column + 1),
                started: case((stale, now), else_=started),
            }
        )
        .returning(column, started)
        .execution_options(synchronize_session=False)
    ).one()
    count, began = int(row[0]), row[1]
    _refresh(table, row_id, column.key, count)
    _refresh(table, row_id, started.key, began)
    return count, began


def _refresh(table: Any, row_id: int, key: str, value: Any) -> None:
    loaded = db.session.identity_map.get(db.session.identity_key(table, row_id))  # type: ignore[attr-defined]
    if loaded is not None:
        set_committed_value(loaded, key, value)
