"""The webhooks' background work: a delivery sent right after the commit that queued it,
and every minute the deliveries whose next attempt is due (the retries)."""

from __future__ import annotations

from huey import crontab

from app.queue import periodic_task, task
from app.webhooks import delivery


@task()
def deliver_webhook(delivery_id: int) -> bool:
    """The first attempt at a delivery, once the transaction that queued it committed."""
    outcome = delivery.deliver(delivery_id)
    return outcome is not None and outcome.ok


@periodic_task(crontab(minute="*"))
def deliver_due_webhooks() -> int:
    """Every minute, the attempts that are due (1 min, 5 min, 30 min, 2 h, 5 h after a
    failed one: :data:`app.rules.webhooks.RETRY_DELAYS`)."""
    return delivery.deliver_due()
