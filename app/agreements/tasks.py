"""The agreement's background work: render and certify a drafted version (CPU-bound:
the worker runs process workers). Drafting asks for it by name after its commit
(``jobs.enqueue("render_agreement_task", agreement_id)``); every minute the worker looks
for renders lost with a killed worker and asks again (:mod:`app.agreements.recovery`)."""

from __future__ import annotations

import logging

from huey import crontab

from app.agreements.recovery import recover_stalled_agreements
from app.agreements.rendering import render_agreement
from app.core.errors import Conflict
from app.queue import periodic_task, task

log = logging.getLogger(__name__)


@task(retries=2, retry_delay=10)
def render_agreement_task(agreement_id: int) -> None:
    try:
        render_agreement(agreement_id)
    except Conflict:  # another attempt stored the version first (or it was superseded)
        log.info("agreement %s: render not stored, another attempt won", agreement_id)


@periodic_task(crontab(minute="*"))
def recover_stalled_agreements_every_minute() -> int:
    return recover_stalled_agreements()
