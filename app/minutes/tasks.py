"""The mediation record's background work: render and certify a version sent for
confirmation (``jobs.enqueue("render_record_task", id)`` after the submission commits)."""

from __future__ import annotations

import logging

from app.core.errors import Conflict
from app.minutes.writing import render_record
from app.queue import task

log = logging.getLogger(__name__)


@task(retries=2, retry_delay=10)
def render_record_task(record_id: int) -> None:
    try:
        render_record(record_id)
    except Conflict:
        log.info("mediation record %s: render not stored, it was changed meanwhile", record_id)
