"""The closing feature's background work: cases whose time ran out close as not mediated."""

from __future__ import annotations

from huey import crontab

from app.closing.watch import watch_mediations
from app.queue import periodic_task


@periodic_task(crontab(minute="41"))
def watch_mediations_hourly() -> int:
    """Close cases whose debtor did not answer in time or whose mediation period ended."""
    return watch_mediations()
