"""Repayments' background work: breaches recorded and reminders sent to the debtor, and
institutions' statements of payments applied row by row."""

from __future__ import annotations

from huey import crontab

from app.queue import periodic_task, task
from app.repayments.imports import apply_import
from app.repayments.watch import watch_repayments


@periodic_task(crontab(minute="23"))
def watch_repayments_hourly() -> int:
    """Record new breaches and send due reminders (each once; the outbox holds a debtor's
    message outside quiet hours and within the daily limit)."""
    return watch_repayments()


@task(retries=2, retry_delay=30)
def apply_payment_import_task(import_id: int) -> None:
    """Apply a statement's pending rows (a retry or a second run resumes where it stopped:
    each row is applied once)."""
    apply_import(import_id)
