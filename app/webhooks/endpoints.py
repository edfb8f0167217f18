"""The administrator's endpoints: registered (the secret shown once), removed, and a
delivery sent again. Each is a use case, audited like every change of the organisation's
profile (:mod:`app.accounts.creditor_profile`)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models.organisations import CreditorOrganisation
from app.models.users import User
from app.models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.rules import webhooks as rules
from app.webhooks.errors import WebhookInvalid, WebhookRefused
from app.webhooks.events import new_message_id, send_after_commit

MAX_ENDPOINTS = 10


def endpoint_of(org: CreditorOrganisation, endpoint_id: int) -> WebhookEndpoint | None:
    """The organisation's endpoint ``endpoint_id`` while it is registered; None for another
    organisation's or a removed one (the page and the API answer 404)."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.creditor_org_id != org.id or not endpoint.active:
        return None
    return endpoint


def delivery_of(org: CreditorOrganisation, delivery_id: int) -> WebhookDelivery | None:
    """The organisation's delivery ``delivery_id`` (a removed endpoint's too: its record
    stays); None for another organisation's."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint.creditor_org_id != org.id:
        return None
    return delivery


def deliveries_of(
    endpoint: WebhookEndpoint, limit: int, before_id: int | None = None
) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first, ``limit`` of them older than ``before_id``."""
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if before_id is not None:
        query = query.where(WebhookDelivery.id < before_id)
    return list(db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


def attempts_of(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return list(
        db.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.id)
        )
    )


def endpoints_of(org: CreditorOrganisation) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.creditor_org_id == org.id, WebhookEndpoint.active.is_(True))
            .order_by(WebhookEndpoint.id)
        )
    )


@use_case
def register_endpoint(
    admin: User, org: CreditorOrganisation, url: str, events: list[str]
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint for ``events``; returns it with its secret, which is shown this once.
    HTTPS only; plain HTTP to this machine where the setting allows it (development)."""
    url = url.strip()
    allowed = current_app.config["SETTINGS"].webhook_http_loopback
    problem = rules.url_problem(url, allow_http_loopback=allowed)
    if problem is not None:
        raise WebhookInvalid(problem, "url")
    chosen = rules.chosen_events(events)
    if chosen is None:
        raise WebhookInvalid("events_required", "events")
    count = db.session.scalar(
        select(func.count(WebhookEndpoint.id)).where(
            WebhookEndpoint.creditor_org_id == org.id, WebhookEndpoint.active.is_(True)
        )
    )
    if (count or 0) >= MAX_ENDPOINTS:
        raise WebhookInvalid("too_many_endpoints", "url")
    secret = rules.new_secret()
    endpoint = WebhookEndpoint(
        creditor_org_id=org.id,
        url=url,
        secret=secret,
        events=chosen,
        active=True,
        created_at=clock.now(),
        created_by_id=admin.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record(
        AuditAction.WEBHOOK_ENDPOINT_CREATE,
        actor=admin,
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        data={"creditor_org_id": org.id, "url": url, "events": chosen},
    )
    return endpoint, secret


@use_case
def remove_endpoint(admin: User, endpoint: WebhookEndpoint) -> None:
    """Nothing more is sent to it; its deliveries waiting for another attempt stop. The
    record of what was sent stays."""
    endpoint.active = False
    for delivery in db.session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
    ):
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    audit.record(
        AuditAction.WEBHOOK_ENDPOINT_DELETE,
        actor=admin,
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        data={"creditor_org_id": endpoint.creditor_org_id},
    )


@use_case
def replay_delivery(admin: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """The same event sent again as a new delivery (a new ``webhook-id``, the same body),
    e.g. after the receiving system was repaired."""
    if not delivery.endpoint.active:
        raise WebhookRefused("endpoint_removed")
    now = clock.now()
    again = WebhookDelivery(
        endpoint_id=delivery.endpoint_id,
        message_id=new_message_id(),
        event_type=delivery.event_type,
        case_id=delivery.case_id,
        body=delivery.body,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        replay_of_id=delivery.id,
    )
    db.session.add(again)
    db.session.flush()
    audit.record(
        AuditAction.WEBHOOK_DELIVERY_REPLAY,
        actor=admin,
        object_type="webhook_delivery",
        object_id=again.id,
        data={"replay_of": delivery.id, "endpoint": delivery.endpoint_id},
    )
    send_after_commit(again)
    return again


REVEAL_WINDOW_MINUTES = 15


@use_case
def reveal_secret(endpoint: WebhookEndpoint) -> str | None:
    """The secret, the first time it is asked for within a few minutes of registering;
    None ever after (the administrator registers a new endpoint if it was lost)."""
    now = clock.now()
    fresh = (now - endpoint.created_at).total_seconds() <= REVEAL_WINDOW_MINUTES * 60
    if endpoint.secret_shown_at is not None or not fresh:
        return None
    endpoint.secret_shown_at = now
    return endpoint.secret
