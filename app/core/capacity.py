"""Slots for CPU-heavy work (argon2 password hashing, PDF signature validation), shared by
every process of the host.

A resource has ``n`` slots, one lock file each under ``<instance>/locks/``; holding a slot
is holding an exclusive ``flock`` on its file. Why files and not a ``threading.Semaphore``:
production runs several gunicorn worker processes, and a per-process semaphore would let
``workers × cap`` hashes run at once. ``flock`` locks belong to an open file description, so
one lock file excludes threads of one process and other processes alike, and the kernel
releases it when a worker dies (a killed worker cannot leak a slot, as it could with a
counter kept in Redis). The bound is per host, which is what CPU is: each host of a larger
deployment bounds its own cores.

A slot is also a core: while a thread holds slot ``i`` it runs pinned to one CPU (the
``i``-th from the last, ``sched_setaffinity``), and so do the threads it starts. argon2id
computes its lanes in parallel threads (4 by default), so one unpinned hash takes every
core of a small host; pinned, the work of ``n`` slots never takes more than ``n`` cores,
and the others stay free for everyone else. The previous affinity is restored on release.

A request that finds every slot taken waits for one up to ``busy_wait_ms``, asleep (a
poll every 50 ms, no CPU to speak of; gunicorn's threaded workers serve other requests
meanwhile), then is answered :class:`Busy` (503 with ``Retry-After``). The wait makes a
flood's clients slow without making the server busy: answered at once, they would come
straight back and spend the CPU the slots saved on being refused.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, has_app_context
from werkzeug.exceptions import ServiceUnavailable

F = TypeVar("F", bound=Callable[..., Any])

# Each resource: the Settings field with its number of slots, and the seconds a refused
# client is told to wait (about one queue's worth of its work).
SLOTS_SETTING = {"password": "password_hash_slots", "verify": "verify_slots"}
# The least time a slot is held (the Settings field, in ms): a budget of work per second on
# the host, not only a bound on work at once. An argon2 hash takes ~0.15 s of a core here;
# held 0.5 s, one slot spends at most a third of a core on hashing, however many clients
# flood it (the holder sleeps out the rest: no CPU). Likewise a verification, held 1 s.
MIN_HOLD_SETTING = {"password": "password_hash_min_ms", "verify": "verify_min_ms"}
RETRY_AFTER = {"password": 2, "verify": 5}
_POLL_SECONDS = 0.05
_held = threading.local()


class Busy(ServiceUnavailable):
    """Every slot of ``resource`` is taken: try again in ``retry_after`` seconds."""

    def __init__(self, resource: str, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)
        self.resource = resource
        self.seconds = retry_after


def slots_of(resource: str) -> int:
    settings = current_app.config["SETTINGS"]
    return int(getattr(settings, SLOTS_SETTING[resource]))


def _lock_dir() -> Path:
    folder = Path(current_app.config["SETTINGS"].instance_path) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class Held:
    """A slot held by this thread: its lock file and the affinity to restore."""

    fd: int
    previous_cpus: frozenset[int] | None
    # time.monotonic() before which the slot is not given back (MIN_HOLD_SETTING)
    hold_until: float = 0.0


def _try_lock(folder: Path, resource: str, slots: int) -> Held | None:
    for index in range(slots):
        fd = os.open(folder / f"{resource}.{index}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return Held(fd, _pin(index))
    return None


def _pin(index: int) -> frozenset[int] | None:
    """Run this thread (and the threads it starts) on one CPU; return the CPUs it had."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    previous = frozenset(os.sched_getaffinity(0))
    cpus = sorted(previous)
    if len(cpus) < 2:
        return None
    try:
        os.sched_setaffinity(0, {cpus[-1 - index % len(cpus)]})
    except OSError:  # a sandbox that forbids it: the slot still bounds the concurrency
        return None
    return previous


@contextmanager
def slot(resource: str) -> Iterator[None]:
    """Hold one slot of ``resource`` for the block, or raise :class:`Busy`.

    Re-entrant within a thread (a sign-in request holds the password slot, and the hashing
    it calls does not ask again). No cap configured (0 slots) or no application: no-op."""
    if resource in _held_here() or not has_app_context() or slots_of(resource) <= 0:
        yield
        return
    held = acquire(resource)
    hold(resource)
    try:
        yield
    finally:
        let_go(resource)
        release(held)


def _held_here() -> set[str]:
    return _held.__dict__.setdefault("resources", set())


def hold(resource: str) -> None:
    """Note that this thread holds a slot of ``resource`` (taken with :func:`acquire`)."""
    _held_here().add(resource)


def let_go(resource: str) -> None:
    _held_here().discard(resource)


def acquire(resource: str) -> Held:
    """Take a slot, waiting at most ``busy_wait_ms``; :func:`release` gives it back."""
    folder, slots = _lock_dir(), slots_of(resource)
    deadline = time.monotonic() + current_app.config["SETTINGS"].busy_wait_ms / 1000
    while True:
        held = _try_lock(folder, resource, slots)
        if held is not None:
            return dataclasses.replace(held, hold_until=time.monotonic() + _min_hold(resource))
        if time.monotonic() >= deadline:
            raise Busy(resource, RETRY_AFTER.get(resource, 2))
        time.sleep(_POLL_SECONDS)


def _min_hold(resource: str) -> float:
    setting = MIN_HOLD_SETTING.get(resource)
    return int(getattr(current_app.config["SETTINGS"], setting)) / 1000 if setting else 0.0


def release(held: Held) -> None:
    """Give the slot back, once it has been held its least time (asleep until then)."""
    if (rest := held.hold_until - time.monotonic()) > 0:
        time.sleep(rest)
    try:
        if held.previous_cpus is not None:
            os.sched_setaffinity(0, held.previous_cpus)
        fcntl.flock(held.fd, fcntl.LOCK_UN)
    finally:
        os.close(held.fd)


def bounded(resource: str) -> Callable[[F], F]:
    """Run the decorated function inside :func:`slot` (``resource``)."""

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with slot(resource):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
