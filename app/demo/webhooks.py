"""The demo's webhook endpoint: the bank's organisation subscribed to every event at
``http://127.0.0.1:8765/concord-webhook`` (plain HTTP to this machine, which development
allows: ``WEBHOOK_HTTP_LOOPBACK``), registered with the webhooks page's own use case the
first time ``flask seed-demo`` runs, after the seeded history, so the demo starts with no
deliveries: the first ones are what a newcomer does (a mediator accepting the waiting
case sends ``case.state_changed``).

Nothing listens at that address until the newcomer starts the demo's receiver, whose
command (with the signing secret, printed this once) ``seed-demo`` prints:
``python -m app.demo.webhook_receiver whsec_…`` (:mod:`app.demo.webhook_receiver`)
checks each delivery's signature and prints the event. Without it, each delivery fails
and is tried again on the schedule (1 min, 5 min, 30 min, 2 h, 5 h), which is worth
seeing too, on /creditor/webhooks/ as the bank, where a failed one is sent again once the
receiver runs. ``python -m http.server`` would not do: it answers a POST with 501."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.users import User
from app.models.webhooks import WebhookEndpoint
from app.rules import webhooks as rules
from app.webhooks.endpoints import register_endpoint
from app.webhooks.errors import WebhookInvalid

DEMO_WEBHOOK_PORT = 8765
DEMO_WEBHOOK_URL = f"http://127.0.0.1:{DEMO_WEBHOOK_PORT}/concord-webhook"


def seed_webhook() -> list[str]:
    bank = db.session.scalars(select(User).where(User.email == "bank@demo.concord")).one()
    assert bank.creditor_org is not None
    exists = db.session.scalar(
        select(WebhookEndpoint.id).where(
            WebhookEndpoint.creditor_org_id == bank.creditor_org_id,
            WebhookEndpoint.url == DEMO_WEBHOOK_URL,
        )
    )
    if exists is not None:  # kept, or removed by the bank: either way, not again
        return []
    try:
        _, secret = register_endpoint(
            bank, bank.creditor_org, DEMO_WEBHOOK_URL, list(rules.EVENT_TYPES)
        )
    except WebhookInvalid:  # WEBHOOK_HTTP_LOOPBACK=0: no plain-HTTP endpoint here
        return [f"No demo webhook endpoint: {DEMO_WEBHOOK_URL} needs WEBHOOK_HTTP_LOOPBACK=1."]
    base = current_app.config["SETTINGS"].public_url
    return [
        f"Webhook endpoint of {bank.creditor_org.name} (every event): {DEMO_WEBHOOK_URL}",
        "  nothing listens there yet: deliveries fail and are retried "
        f"(see {base}/creditor/webhooks/ as bank@demo.concord). To receive them, run:",
        f"  .venv/bin/python -m app.demo.webhook_receiver {secret}",
    ]
