"""The agreement's background work: render and certify a drafted version (CPU-bound:
the worker runs process workers). Drafting asks for it by name after its commit
(``jobs.enqueue("render_agreement_task", agreement_id)``)."""

from __future__ import annotations

from app.agreements.rendering import render_agreement
from app.queue import task


@task(retries=2, retry_delay=10)
def render_agreement_task(agreement_id: int) -> None:
    render_agreement(agreement_id)
