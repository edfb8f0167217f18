"""Enforcement's background work: the creditor reminded of the deadline to apply for
enforcement of a confirmed agreement (CPL Art. 250)."""

from __future__ import annotations

from huey import crontab

from app.enforcement.reminders import watch_enforcement_deadlines
from app.queue import periodic_task


@periodic_task(crontab(minute="53"))
def watch_enforcement_deadlines_hourly() -> int:
    """Reminders 90, 30 and 7 days before the last day to apply (each once)."""
    return watch_enforcement_deadlines()
