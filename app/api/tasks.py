"""The API's background work: Idempotency-Keys (and the answers kept for their replays)
forgotten once no client can still be retrying them."""

from __future__ import annotations

from huey import crontab

from app.api.idempotency import KEEP_KEYS, prune
from app.queue import periodic_task


@periodic_task(crontab(minute="41", hour="4"))
def prune_idempotency_keys_daily() -> int:
    """Each night: the keys older than :data:`~app.api.idempotency.KEEP_KEYS`."""
    return prune(KEEP_KEYS)
