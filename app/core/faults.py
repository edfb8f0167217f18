"""Faults of the machine, not of the request: a full disk, a database that refuses writes
or cannot be reached. Each becomes :class:`~app.core.errors.Unavailable` (or
:class:`~app.core.errors.StorageFull`) in one place, here; the use case's rollback has
already undone the transaction and the blob store removes its temporary file, so nothing
half-written remains.

Recognised by error numbers and codes, never by message text: ``OSError.errno``
(``ENOSPC``, ``EDQUOT``, ``EROFS``), SQLite's extended result code names
(``SQLITE_READONLY*``, ``SQLITE_FULL``, ``SQLITE_CANTOPEN``) and PostgreSQL's SQLSTATE
(``25006`` read_only_sql_transaction, ``53100`` disk_full, class ``08`` connection
exceptions, ``57P01``–``57P03`` shutting down / cannot connect now).
"""

from __future__ import annotations

import errno
import logging

from sqlalchemy.exc import DBAPIError

from app.core.errors import StorageFull, Unavailable

log = logging.getLogger(__name__)

_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_READ_ONLY_ERRNOS = frozenset({errno.EROFS})
_SQLITE_FULL = frozenset({"SQLITE_FULL"})
_SQLITE_UNAVAILABLE_PREFIXES = ("SQLITE_READONLY", "SQLITE_CANTOPEN")
_PG_FULL = frozenset({"53100"})
_PG_UNAVAILABLE = frozenset({"25006", "57P01", "57P02", "57P03"})


def fault_of(exc: BaseException) -> Unavailable | None:
    """The :class:`Unavailable` that ``exc`` (or an exception it was raised from) stands
    for, or ``None`` when it is not a fault of the machine."""
    return _find(exc)[0]


def _find(exc: BaseException) -> tuple[Unavailable | None, BaseException]:
    """The fault and the exception of the chain that showed it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, Unavailable):
            return current, current
        found = _classify(current)
        if found is not None:
            return found, current
        current = current.__cause__ or current.__context__
    return None, exc


def _classify(exc: BaseException) -> Unavailable | None:
    if isinstance(exc, DBAPIError):
        return _database_fault(exc)
    if isinstance(exc, OSError):
        if exc.errno in _DISK_FULL_ERRNOS:
            return StorageFull()
        if exc.errno in _READ_ONLY_ERRNOS:
            return Unavailable()
    return None


def _database_fault(exc: DBAPIError) -> Unavailable | None:
    orig = exc.orig
    sqlite_name = getattr(orig, "sqlite_errorname", "") or ""
    if sqlite_name in _SQLITE_FULL:
        return StorageFull()
    if sqlite_name.startswith(_SQLITE_UNAVAILABLE_PREFIXES):
        return Unavailable()
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if sqlstate in _PG_FULL:
        return StorageFull()
    if sqlstate in _PG_UNAVAILABLE or sqlstate.startswith("08"):
        return Unavailable()
    if exc.connection_invalidated:
        return Unavailable()
    return None


def unavailable_from(exc: BaseException, where: str) -> Unavailable | None:
    """:func:`fault_of`, logged once with its cause (``where`` says what was interrupted)
    when ``exc`` is the low-level fault itself; an :class:`Unavailable` already made (and
    logged) is returned as it is."""
    if isinstance(exc, Unavailable):
        return exc
    fault, shown_by = _find(exc)
    if fault is not None and fault is not shown_by:
        # The driver's or the system's words: never the SQL or its parameters (they may
        # hold personal data).
        cause = shown_by.orig if isinstance(shown_by, DBAPIError) else shown_by
        log.error("%s: nothing saved (%s): %s: %s", where, fault.code, type(cause).__name__, cause)
        fault.__cause__ = exc
    return fault
