"""Probes for a load balancer or orchestrator, open to anyone and cheap.

- ``GET /healthz``: the process is up and answers (liveness). Touches nothing else, so a
  database outage does not make every web server look dead and get restarted.
- ``GET /readyz``: this server can do its work (readiness): the database answers
  ``SELECT 1``, the queue's storage (SQLite file or Redis) answers a length query, and the
  file store is reachable (the folder is writable, or the bucket answers a HEAD). Reads no
  case data. 503 with ``application/problem+json`` (RFC 9457) naming what failed; the
  balancer stops sending requests here until it passes again.

Neither is rate-limited (app/web/limits.py bounds only named POST endpoints) nor carries a
session cookie or CSRF token (GET, no session read).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from app.access import public
from app.core.storage import blob_store
from app.extensions import db
from app.queue import huey

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz() -> Response:
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


def _database() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _queue() -> None:
    huey.storage.queue_size()  # SQLite: a COUNT on the task table; Redis: LLEN


def _storage() -> None:
    blob_store().check()


CHECKS: tuple[tuple[str, Callable[[], None]], ...] = (
    ("database", _database),
    ("queue", _queue),
    ("storage", _storage),
)


@bp.route("/readyz")
@public
def readyz() -> tuple[Response, int]:
    results: dict[str, str] = {}
    for name, check in CHECKS:
        try:
            check()
        except Exception:  # any failure means "not ready"; the log has the cause
            log.exception("readiness check %s failed", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
    failed = [name for name, result in results.items() if result != "ok"]
    if not failed:
        response = jsonify(status="ok", checks=results)
        response.headers["Cache-Control"] = "no-store"
        return response, 200
    response = jsonify(
        type="about:blank",
        title="Service not ready",
        status=503,
        error="not_ready",
        detail="Unreachable: " + ", ".join(failed),
        failed=failed,
        checks=results,
    )
    response.mimetype = "application/problem+json"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Retry-After"] = "10"
    return response, 503
