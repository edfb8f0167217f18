"""Which recorded events become which webhooks: the one place that maps the audit log's
actions (:class:`app.audit.AuditAction`) to the events a creditor may subscribe to.

Every action on a case is recorded in the transaction that makes it
(:func:`app.audit.record`); :func:`on_audit_event` (registered by :mod:`app.features`)
turns the ones that matter to the case's creditor into deliveries in that same
transaction, one per subscribed endpoint, and asks the worker to send them once it
commits. A feature adds no code for its webhooks: an action mapped here is enough.

The payload names the case and where it stands, and a few facts of the event (an amount,
a date, a role): never a person's name, ID number or contact details (PIPL Art. 6: no
more than the purpose needs).
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from app.audit import AuditAction
from app.core import clock, jobs, memo
from app.core.transaction import in_use_case
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.rules import webhooks as rules
from app.rules.cases import CaseState

# The action -> the event. case.state_changed comes from the case's state itself (below).
ACTION_EVENTS: dict[str, str] = {
    AuditAction.CASE_PROPOSAL_SUBMIT: rules.PROPOSAL_RECEIVED,
    AuditAction.CASE_PROPOSAL_COUNTER: rules.PROPOSAL_RECEIVED,
    AuditAction.CASE_AGREEMENT_SIGN: rules.AGREEMENT_SIGNED,
    AuditAction.CASE_AGREEMENT_IN_FORCE: rules.AGREEMENT_IN_FORCE,
    AuditAction.CASE_CONFIRMATION_RELEASE: rules.PACKAGE_RELEASED,
    AuditAction.CASE_PAYMENT_RECORD: rules.PAYMENT_RECORDED,
    AuditAction.CASE_PAYMENT_CONFIRM: rules.PAYMENT_RECORDED,
    AuditAction.CASE_BREACH: rules.AGREEMENT_BREACHED,
}

# The facts of an event that may travel (anything else in the audit data stays home).
_DATA_KEYS = ("amount", "paid_on", "role", "version", "breach_on", "now_due", "number")

_STATE_MOVES = "concord.webhooks.state_moves"


@event.listens_for(Case.state, "set")
def _note_state_move(case: Case, value: Any, old: Any, _initiator: Any) -> None:
    """Remember, for the transaction, a case whose state moved (from where it started)."""
    session = object_session(case)
    if session is None or case.id is None or not isinstance(old, CaseState) or old == value:
        return
    moves = session.info.setdefault(_STATE_MOVES, {})
    moves.setdefault(case.id, old)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_state_moves(session: Session) -> None:
    session.info.pop(_STATE_MOVES, None)


def on_audit_event(ev: AuditEvent, session: Session) -> None:
    """Deliveries for ``ev`` to the endpoints of the case's creditor that want them."""
    if ev.case_id is None:
        return
    moved_from = session.info.get(_STATE_MOVES, {}).pop(ev.case_id, None)
    kind = ACTION_EVENTS.get(ev.action)
    if kind == rules.PROPOSAL_RECEIVED and ev.actor_label.startswith("creditor:"):
        kind = None  # the creditor's own proposal is not one it received
    if moved_from is None and kind is None:
        return  # most events: nothing to send, and no query for it
    case = session.get(Case, ev.case_id)
    if case is None:
        return
    types: list[tuple[str, dict[str, Any]]] = []
    if moved_from is not None and moved_from != case.state:
        types.append((rules.CASE_STATE_CHANGED, {"previous_state": moved_from.value}))
    if kind is not None:
        types.append((kind, {k: ev.data[k] for k in _DATA_KEYS if k in ev.data}))
    # Read once per run of a bulk import (app.core.memo), where every row moves a case.
    endpoint_ids = memo.remembered(
        ("webhook_endpoints", case.creditor_org_id),
        lambda: tuple(
            session.scalars(
                select(WebhookEndpoint.id).where(
                    WebhookEndpoint.creditor_org_id == case.creditor_org_id,
                    WebhookEndpoint.active.is_(True),
                )
            )
        ),
    )
    endpoints = [
        e for i in endpoint_ids if (e := session.get(WebhookEndpoint, i)) is not None and e.active
    ]
    for event_type, facts in types:
        for endpoint in endpoints:
            if event_type in endpoint.events:
                queue_delivery(session, endpoint, event_type, case, ev.occurred_at, facts)


def payload(kind: str, case: Case, at: datetime, facts: dict[str, Any]) -> str:
    """The body sent, as JSON text (signed exactly as stored)."""
    data = {"case_id": case.id, "reference": case.reference, "state": case.state.value}
    return json.dumps(
        {"type": kind, "timestamp": at.isoformat(), "data": {**data, **facts}},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def queue_delivery(
    session: Session,
    endpoint: WebhookEndpoint,
    kind: str,
    case: Case,
    at: datetime,
    facts: dict[str, Any],
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        message_id=new_message_id(),
        event_type=kind,
        case_id=case.id,
        body=payload(kind, case, at, facts),
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    session.add(delivery)
    session.flush()
    send_after_commit(delivery)
    return delivery


def send_after_commit(delivery: WebhookDelivery) -> None:
    """The worker sends it once the transaction commits; outside a use case (a script),
    the every-minute sweep (:func:`app.webhooks.tasks.deliver_due_webhooks`) does."""
    if in_use_case():
        jobs.enqueue("deliver_webhook", delivery.id)
