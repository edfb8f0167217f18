"""Repayments' background work: breaches recorded and reminders sent to the debtor."""

from __future__ import annotations

from huey import crontab

from app.queue import periodic_task
from app.repayments.watch import watch_repayments


@periodic_task(crontab(minute="23"))
def watch_repayments_hourly() -> int:
    """Record new breaches and send due reminders (each once; the outbox holds a debtor's
    message outside quiet hours and within the daily limit)."""
    return watch_repayments()
