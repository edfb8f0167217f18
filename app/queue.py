"""The background queue (Huey): SQLite storage by default, Redis when ``REDIS_URL`` is set.

Run the worker with ``huey_consumer app.queue.huey``. Tasks run inside an application
context built from the same environment as the web process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab

from app.config import PROJECT_ROOT

log = logging.getLogger(__name__)


def _make_huey() -> Huey:
    immediate = os.environ.get("HUEY_IMMEDIATE", "") == "1"
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        return RedisHuey("concord", url=redis_url, immediate=immediate)
    instance = Path(os.environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("concord", filename=str(instance / "queue.db"), immediate=immediate)


huey = _make_huey()
_app: Any = None


def with_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a task inside an application context (one app per worker process)."""

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        global _app
        from flask import has_app_context

        if has_app_context():
            return fn(*args, **kwargs)
        if _app is None:
            from app import create_app

            _app = create_app()
        with _app.app_context():
            return fn(*args, **kwargs)

    return run


@huey.periodic_task(crontab(minute="17", hour="3"))
@with_app
def verify_audit_chain_nightly() -> bool:
    """Walk the audit chain every night so tampering is noticed without anyone asking."""
    from app import audit

    report = audit.verify_chain()
    if report.intact:
        log.info("audit chain intact: %s events, head %s", report.events, report.head_hash)
    else:
        log.error("audit chain BROKEN at event %s: %s", report.broken_id, report.reason)
    return report.intact


@huey.periodic_task(crontab(minute="*"))
@with_app
def deliver_outbox() -> int:
    """Every minute, send the outbox messages whose time has come (quiet hours and the
    daily limit were applied when they were queued)."""
    from app.notifications.outbox import deliver_due

    return deliver_due()


@huey.task()
@with_app
def deliver_outbox_now() -> int:
    """Send what is due without waiting for the minute: enqueue it right after the
    commit that queued a message (a one-time code the user is waiting for)."""
    from app.notifications.outbox import deliver_due

    return deliver_due()


@huey.task(retries=2, retry_delay=10)
@with_app
def render_agreement_task(agreement_id: int) -> None:
    """Render and certify a drafted agreement version (CPU-bound: process workers)."""
    from app.agreements.drafting import render_agreement

    render_agreement(agreement_id)


@huey.task(retries=2, retry_delay=10)
@with_app
def build_package_task(package_id: int) -> None:
    """Assemble, attach and certify a released judicial-confirmation package."""
    from app.confirmation.package.build import build_package

    build_package(package_id)


@huey.periodic_task(crontab(minute="7"))
@with_app
def send_deadline_reminders_hourly() -> int:
    """Day-20 and day-27 reminders of the 30-day window (queued under the contact rules)."""
    from app.confirmation.reminders import send_deadline_reminders

    return send_deadline_reminders()
