"""Firing many guesses at the same moment: real threads, each with its own application
context and database session, meeting at a barrier (PostgreSQL when TEST_DATABASE_URL is
set, else the SQLite file)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import OutboundMessage

GUESSES = 20


def race(app: Flask, job: Callable[[int], str], n: int = GUESSES) -> list[str]:
    """Run ``job(i)`` in ``n`` threads that start together; each returns a word for its
    outcome (an exception is reported as ``error: …``, never swallowed)."""
    barrier = threading.Barrier(n, timeout=30)
    results = ["" for _ in range(n)]

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[index] = job(index)
            except Exception as exc:
                results[index] = f"{type(exc).__name__}:{getattr(exc, 'code', exc)}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def wrong_guess(right: str, i: int) -> str:
    """A six-digit guess that is not ``right`` (a different one per thread)."""
    guess = f"{(int(right) + 1 + i) % 1_000_000:06d}"
    assert guess != right
    return guess


def latest_code(template: str) -> str:
    db.session.expire_all()
    body = db.session.scalars(
        select(OutboundMessage.body)
        .where(OutboundMessage.template == template)
        .order_by(OutboundMessage.id.desc())
    ).first()
    assert body
    match = re.search(r"(?<![\d-])(\d{6})(?!\d)", body)  # not the HZ-2026-000001 reference
    assert match
    return match.group(1)
