"""One transaction per use case (indico's ``rh.py`` model, cosmicpython's unit of work).

A use case is a function decorated with :func:`use_case`. It commits once, at its end; any
exception rolls everything back, so nothing half-written is ever committed. Work that
must only happen once the data is safely stored (enqueue a PDF job, kick the outbox) is
registered with :func:`after_commit` and runs after the commit, never on a rollback.

Lost races become :class:`~app.core.errors.Conflict`: the version check of a claimed row
(``StaleDataError``), a unique constraint the schema names (``IntegrityError``, recognised
by the constraint's name, never by message text), a PostgreSQL serialization failure or
deadlock, and SQLite's "database is locked" when two writers meet. A full disk or a
database that refuses writes becomes :class:`~app.core.errors.Unavailable`
(:mod:`app.core.faults`), logged once with its cause.

Use cases may call each other; only the outermost commits. Views, templates and
``app.rules`` never commit or roll back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import UniqueConstraint, inspect, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.core.db import db
from app.core.errors import Conflict
from app.core.faults import unavailable_from

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_AFTER = "concord.after_commit"
_DEPTH = "concord.use_case_depth"

# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})

# A unique constraint (by its name in the schema) whose violation means "somebody else
# did this first": the code the Conflict carries.
_CONFLICT_CONSTRAINTS: dict[str, str] = {}


def conflict_on(constraint: str, code: str = "conflict") -> None:
    """Declare that a violation of ``constraint`` (its name in the schema) is a lost race."""
    _CONFLICT_CONSTRAINTS[constraint] = code


def use_case(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` as one transaction: commit at the end, roll back on any exception, then
    run the jobs registered with :func:`after_commit`."""

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = db.session()
        depth = session.info.get(_DEPTH, 0)
        if depth:  # called by another use case: the outermost one commits
            session.info[_DEPTH] = depth + 1
            try:
                return fn(*args, **kwargs)
            finally:
                session.info[_DEPTH] = depth
        session.info[_DEPTH] = 1
        try:
            result = fn(*args, **kwargs)
            session.commit()
        except BaseException as exc:
            session.rollback()
            session.info.pop(_AFTER, None)
            conflict = conflict_from(exc)
            if conflict is not None:
                raise conflict from exc
            fault = unavailable_from(exc, f"use case {fn.__name__}")
            if fault is not None and fault is not exc:
                raise fault from exc
            raise
        finally:
            session.info[_DEPTH] = 0
        _run_after_commit(session)
        return result

    run.__use_case__ = True  # type: ignore[attr-defined]
    return run


def in_use_case() -> bool:
    """Whether a use case is running (its commit is still to come)."""
    return bool(db.session().info.get(_DEPTH))


def after_commit(job: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``job(*args, **kwargs)`` once the running use case has committed; never if it
    rolls back. The same job with the same arguments runs once per transaction, however
    often it is asked for."""
    session = db.session()
    if not session.info.get(_DEPTH):
        raise RuntimeError(f"after_commit({job!r}) outside a use case: nothing would commit")
    pending = session.info.setdefault(_AFTER, {})
    pending.setdefault((job, args, tuple(sorted(kwargs.items()))), (job, args, kwargs))


@contextmanager
def savepoint() -> Iterator[None]:
    """A part of the running use case that fails alone: an exception rolls back to the
    savepoint taken here (and forgets the jobs asked for after the commit since), then
    goes on; the use case may carry on and commit the rest."""
    session = db.session()
    if not session.info.get(_DEPTH):
        raise RuntimeError("savepoint() outside a use case: nothing would commit")
    pending = dict(session.info.get(_AFTER, {}))
    nested = session.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        session.info[_AFTER] = pending
        raise
    nested.commit()


def _run_after_commit(session: Session) -> None:
    for job, args, kwargs in session.info.pop(_AFTER, {}).values():
        try:
            job(*args, **kwargs)
        except Exception:  # the data is committed; a failed kick is retried by the schedule
            log.exception("after-commit job %s failed", getattr(job, "__name__", job))


def claim(row: Any) -> None:
    """Take ``row`` for this transaction before writing anything else: its version moves
    at once, so of two concurrent use cases on the same row the second fails here (with
    :class:`Conflict`) instead of after it has done its work. On PostgreSQL the UPDATE
    also holds the row lock until the commit."""
    session = db.session()
    state = inspect(row)
    mapper = state.mapper
    column = mapper.version_id_col
    if column is None:
        raise TypeError(f"{type(row).__name__} has no version column to claim")
    key = mapper.get_property_by_column(column).key
    session.flush()
    current = getattr(row, key)
    pk = mapper.primary_key[0]
    result = session.execute(
        update(mapper.local_table)
        .where(pk == state.identity[0], column == current)
        .values({column: current + 1})
    )
    if result.rowcount != 1:
        raise Conflict()
    set_committed_value(row, key, current + 1)


def conflict_from(exc: BaseException) -> Conflict | None:
    """The :class:`Conflict` a database error stands for, or ``None``."""
    if isinstance(exc, Conflict):
        return None
    if isinstance(exc, StaleDataError):
        return Conflict()
    if isinstance(exc, IntegrityError):
        name = _constraint_name(exc)
        if name in _CONFLICT_CONSTRAINTS:
            return Conflict(_CONFLICT_CONSTRAINTS[name])
        return None
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return Conflict()
        if getattr(orig, "sqlite_errorname", "").startswith("SQLITE_BUSY"):
            return Conflict()
    return None


def _constraint_name(exc: IntegrityError) -> str | None:
    """The violated constraint's name: PostgreSQL reports it; SQLite reports the columns
    (``UNIQUE constraint failed: t.a, t.b``), which name exactly one unique index or
    constraint of the schema."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:
        return getattr(diag, "constraint_name", None)
    return _sqlite_unique_constraint(exc)


def _sqlite_unique_constraint(exc: IntegrityError) -> str | None:
    if getattr(exc.orig, "sqlite_errorname", "") != "SQLITE_CONSTRAINT_UNIQUE":
        return None
    _, _, listed = str(exc.orig).partition(":")
    columns = [part.strip().split(".") for part in listed.split(",") if "." in part]
    if not columns:
        return None
    table_name = columns[0][0]
    names = frozenset(col for _, col in columns)
    table = db.metadata.tables.get(table_name)
    if table is None:
        return None
    for index in table.indexes:
        if index.unique and frozenset(c.name for c in index.columns) == names:
            return str(index.name)
    for constraint in table.constraints:
        if (
            isinstance(constraint, UniqueConstraint)
            and constraint.name
            and frozenset(c.name for c in constraint.columns) == names
        ):
            return str(constraint.name)
    return None
