"""The demo's webhook endpoint (app.demo.webhooks): registered once for the bank after the
seeded history (so no delivery is waiting), its secret printed with the command of the
demo's receiver; with nothing listening a delivery fails and waits for its retry, and the
receiver that command starts accepts the retry, checking its signature."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cases.lifecycle import accept_case
from app.core import clock
from app.demo.webhook_receiver import make_server
from app.demo.webhooks import DEMO_WEBHOOK_URL
from app.extensions import db
from app.models import Case, User
from app.models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.rules import webhooks as rules
from app.rules.cases import CaseState
from app.webhooks.delivery import deliver_due
from app.webhooks.endpoints import replay_delivery
from tests.worlds import Snapshot, restore


def _printed_secret(output: str) -> str:
    found = re.search(r"python -m app\.demo\.webhook_receiver (whsec_[A-Za-z0-9+/=]+)", output)
    assert found, output
    return found.group(1)


def test_the_demo_endpoint_is_registered_once_with_its_receiver_command(
    app: Flask, seeded_world: Snapshot
) -> None:
    first = restore(seeded_world)
    assert f"(every event): {DEMO_WEBHOOK_URL}" in first
    assert "nothing listens there yet" in first
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    bank = db.session.scalars(select(User).where(User.email == "bank@demo.concord")).one()
    assert endpoint.creditor_org_id == bank.creditor_org_id and endpoint.active
    assert endpoint.events == list(rules.EVENT_TYPES)
    assert endpoint.secret == _printed_secret(first)
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0  # history sent nothing

    second = app.test_cli_runner().invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "whsec_" not in second.output and "Webhook endpoint" not in second.output
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 1


def test_a_delivery_fails_until_the_printed_receiver_runs(
    app: Flask, seeded_world: Snapshot, frozen_clock: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = _printed_secret(restore(seeded_world))
    waiting = db.session.scalars(select(Case).where(Case.state == CaseState.SUBMITTED)).first()
    assert waiting is not None and waiting.mediator_id is not None
    mediator = db.session.get(User, waiting.mediator_id)
    assert mediator is not None
    accept_case(mediator, waiting)

    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.event_type == rules.CASE_STATE_CHANGED
    # Nothing listens at the demo's address (unless someone runs a receiver there now).
    if delivery.status == DeliveryStatus.PENDING:
        attempt = db.session.scalars(select(WebhookAttempt)).one()
        assert attempt.status_code is None or attempt.status_code >= 300
        assert delivery.next_attempt_at == attempt.attempted_at + timedelta(minutes=1)

    # The receiver the printed command starts (on a free port here), with the printed secret.
    server = make_server(secret, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = delivery.endpoint
        endpoint.url = DEMO_WEBHOOK_URL.replace("8765", str(server.server_address[1]))
        db.session.commit()
        again = delivery
        if delivery.status != DeliveryStatus.PENDING:  # something answered at 8765: send again
            again = replay_delivery(db.session.get_one(User, endpoint.created_by_id), delivery)
        else:
            frozen_clock.move_to(clock.now() + timedelta(minutes=1, seconds=5))
            assert deliver_due() == 1
        db.session.refresh(again)
        assert again.status == DeliveryStatus.DELIVERED
        assert db.session.scalars(select(WebhookAttempt)).all()[-1].status_code == 204
        assert f'case.state_changed {{"case_id": {waiting.id}' in capsys.readouterr().out

        # Signed with another secret: refused (401), so Concord tries again.
        server.shutdown()
        server.server_close()
        server = make_server(rules.new_secret(), port=0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        endpoint.url = DEMO_WEBHOOK_URL.replace("8765", str(server.server_address[1]))
        db.session.commit()
        refused = replay_delivery(db.session.get_one(User, endpoint.created_by_id), again)
        db.session.refresh(refused)
        assert refused.status == DeliveryStatus.PENDING
        assert db.session.scalars(select(WebhookAttempt)).all()[-1].status_code == 401
    finally:
        server.shutdown()
        server.server_close()
