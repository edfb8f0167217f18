"""Lookups remembered for one short run of the same work (a chunk of a bulk import: at
most ``CHUNK_ROWS`` rows or a second, app.cases.imports): reference data that every row
would otherwise read again (the LPR history, the mediators eligible for the
organisations and their open cases). Outside :func:`remembering` nothing is remembered:
every call reads afresh, as before. A scope lives in this context only (a context
variable), so no other request or thread sees it.

A value that the run itself changes is kept up to date by its owner (the mediators'
open cases: :mod:`app.cases.assignment`) or forgotten (:func:`forget`) when a row's work
is rolled back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_scope: ContextVar[dict[Any, Any] | None] = ContextVar("concord_memo", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Remember lookups until the block ends."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def active() -> dict[Any, Any] | None:
    """The scope's store, or ``None`` outside :func:`remembering`."""
    return _scope.get()


def remembered(key: Any, compute: Callable[[], T]) -> T:
    """``compute()`` once per scope (every time outside one)."""
    store = _scope.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[no-any-return]


def forget() -> None:
    """Drop what the scope remembers (the work that read it was rolled back)."""
    store = _scope.get()
    if store is not None:
        store.clear()
