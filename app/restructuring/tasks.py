"""The supplementary agreement's background work: render and certify a drafted version
(``jobs.enqueue("render_supplementary_task", id)`` after the draft commits)."""

from __future__ import annotations

import logging

from app.core.errors import Conflict
from app.queue import task
from app.restructuring.drafting import render_supplementary

log = logging.getLogger(__name__)


@task(retries=2, retry_delay=10)
def render_supplementary_task(supplement_id: int) -> None:
    try:
        render_supplementary(supplement_id)
    except Conflict:
        log.info("supplementary %s: render not stored, another attempt won", supplement_id)
