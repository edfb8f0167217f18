"""The certificates' background work: render and certify a closed case's certificate
(CPU-bound, like the agreement's rendering). Asked for by name after the closing use case
commits (``jobs.enqueue("issue_certificate_task", case_id)``)."""

from __future__ import annotations

import logging

from app.certificates.issuing import issue_certificate
from app.core.errors import Conflict
from app.queue import task

log = logging.getLogger(__name__)


@task(retries=2, retry_delay=10)
def issue_certificate_task(case_id: int) -> None:
    try:
        issue_certificate(case_id)
    except Conflict:  # another attempt stored the same certificate first
        log.info("case %s: certificate not stored, another attempt won", case_id)
