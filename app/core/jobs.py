"""Background jobs by name.

A use case asks for background work (render a PDF, send what the outbox holds) without
importing the worker code, which sits above the use cases: it names the job, and the job
is enqueued only after the use case has committed (:func:`app.core.transaction.after_commit`,
once per transaction however often it is asked for). Each feature's ``tasks.py``
registers its Huey tasks here by name when :mod:`app.features` loads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.transaction import after_commit

_TASKS: dict[str, Callable[..., Any]] = {}


def register(name: str, task: Callable[..., Any]) -> None:
    """Make ``task`` (a Huey task: calling it enqueues it) the job named ``name``."""
    _TASKS[name] = task


def registered() -> frozenset[str]:
    return frozenset(_TASKS)


def enqueue(name: str, *args: Any) -> None:
    """Enqueue the job ``name`` with ``args`` once the current use case commits."""
    task = _TASKS.get(name)
    if task is None:
        raise LookupError(f"no background job named {name!r} (is its tasks module loaded?)")
    after_commit(task, *args)
