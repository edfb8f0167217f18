"""The agreement's background work: render and certify a drafted version (CPU-bound:
the worker runs process workers)."""

from __future__ import annotations

from app.agreements.drafting import render_agreement
from app.queue import task


@task(retries=2, retry_delay=10)
def render_agreement_task(agreement_id: int) -> None:
    render_agreement(agreement_id)
