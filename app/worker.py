"""The worker's entry point: ``huey_consumer app.worker.huey``.

Importing :mod:`app.features` loads every feature's tasks (``TASK_MODULES``), so the
consumer knows them; this module adds the app-wide periodic checks.
"""

from __future__ import annotations

import logging

from huey import crontab

from app import anchor, audit, create_app, features  # noqa: F401 (features: registers every task)
from app.queue import huey, periodic_task, use_app_factory

__all__ = ["huey"]

log = logging.getLogger(__name__)

use_app_factory(create_app)


@periodic_task(crontab(minute="17", hour="3"))
def verify_audit_chain_nightly() -> bool:
    """Walk the audit chain every night so tampering is noticed without anyone asking;
    check it against the signed checkpoints too (removed last events)."""
    report = audit.verify_chain()
    if report.intact:
        log.info("audit chain intact: %s events, head %s", report.events, report.head_hash)
    else:
        log.error("audit chain BROKEN at event %s: %s", report.broken_id, report.reason)
    anchors = anchor.verify_anchors()
    for problem in anchors.problems:
        log.error("audit checkpoints: %s", problem)
    return report.intact and anchors.ok


@periodic_task(crontab(minute="0"))
def write_audit_checkpoint_hourly() -> int:
    """Anchor the audit log's head every hour (signed, in the table and the file), and put
    into the file any committed checkpoint it lacks; returns the checkpoint's number."""
    checkpoint = anchor.take_checkpoint(anchor.HOURLY)
    appended = anchor.append_missing_lines()
    if appended:
        log.warning("audit checkpoints: %s missing line(s) appended to the file", appended)
    return checkpoint.seq
