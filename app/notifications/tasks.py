"""The outbox's background work: send what is due every minute, and at once after a
commit that queued a message somebody is waiting for."""

from __future__ import annotations

from huey import crontab

from app.notifications.outbox import deliver_due
from app.queue import periodic_task, task


@periodic_task(crontab(minute="*"))
def deliver_outbox() -> int:
    """Every minute, send the outbox messages whose time has come (quiet hours and the
    daily limit were applied when they were queued)."""
    return deliver_due()


@task()
def deliver_outbox_now() -> int:
    """Send what is due without waiting for the minute (enqueued after the commit that
    queued a message, see :func:`app.notifications.outbox.queue_message`)."""
    return deliver_due()
