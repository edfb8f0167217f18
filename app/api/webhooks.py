"""``/api/v1/webhooks`` (scope ``webhooks:manage``): the organisation's webhook endpoints
and their deliveries, through the webhooks page's own use cases
(:mod:`app.webhooks.endpoints`): registering one (its signing secret in that answer only,
as the page shows it once), removing one, the deliveries of one with every attempt, and
sending a delivery again. The same rule as the page decides who may
(``Permission.CREDITOR_PROFILE_MANAGE`` on the token's organisation): another
organisation's endpoint or delivery is a 404."""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask.views import MethodView

from app.access import Permission, can
from app.api import api_blueprint
from app.api.auth import current_user
from app.api.cases import cursor_id, cursor_of
from app.api.operation import BEARER, IDEMPOTENCY_KEY, JSON, operation, problems
from app.api.schemas import (
    WebhookDeliveryOut,
    WebhookDeliveryPageOut,
    WebhookDeliveryQuery,
    WebhookEndpointCreatedOut,
    WebhookEndpointIn,
    WebhookEndpointListOut,
)
from app.extensions import db
from app.models.organisations import CreditorOrganisation
from app.models.webhooks import WebhookDelivery, WebhookEndpoint
from app.webhooks import endpoints as service

SCOPE = "webhooks:manage"

blp = api_blueprint(
    "api_webhooks",
    __name__,
    "The organisation's webhook endpoints (Standard Webhooks: HMAC-SHA256 over "
    "id.timestamp.body) and their deliveries.",
)


def _org() -> CreditorOrganisation:
    """The token's organisation, if its account may manage it (the page's rule), else 404."""
    user = current_user()
    org = db.session.get(CreditorOrganisation, user.creditor_org_id or 0)
    if org is None or not can(user, Permission.CREDITOR_PROFILE_MANAGE, org):
        abort(404)
    return org


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = service.endpoint_of(_org(), endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def endpoint_out(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "created_at": endpoint.created_at,
    }


def delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "endpoint_id": delivery.endpoint_id,
        "message_id": delivery.message_id,
        "event_type": delivery.event_type,
        "case_id": delivery.case_id,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "created_at": delivery.created_at,
        "replay_of_id": delivery.replay_of_id,
        "attempt_log": [
            {
                "attempted_at": a.attempted_at,
                "status_code": a.status_code,
                "duration_ms": a.duration_ms,
                "error": a.error,
                "response_excerpt": a.response_excerpt,
            }
            for a in service.attempts_of(delivery)
        ],
    }


@blp.route("/webhooks", endpoint="Endpoints")
class Endpoints(MethodView):
    @blp.doc(security=BEARER, summary="The organisation's webhook endpoints")
    @problems(blp, (404,))
    @operation(SCOPE)
    @blp.response(200, WebhookEndpointListOut)
    def get(self) -> dict[str, Any]:
        return {"items": [endpoint_out(e) for e in service.endpoints_of(_org())]}

    @blp.doc(
        security=BEARER,
        summary="Register a webhook endpoint",
        parameters=[IDEMPOTENCY_KEY],
        description="HTTPS only, no internal address; at most 10 per organisation. The "
        "answer carries the signing secret (whsec_…), this once.",
    )
    @problems(blp, (400, 404, 409, 413, 415, 422))
    @operation(SCOPE, body=JSON, idempotent=True, shown_once=("secret",))
    @blp.arguments(WebhookEndpointIn)
    @blp.response(
        201, WebhookEndpointCreatedOut, headers={"Location": {"schema": {"type": "string"}}}
    )
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        endpoint, _secret = service.register_endpoint(
            current_user(), _org(), data["url"], data["events"]
        )
        # Shown once, as the page's "created" step shows it (marked as shown).
        secret = service.reveal_secret(endpoint)
        location = url_for("api_webhooks.Deliveries", endpoint_id=endpoint.id)
        return endpoint_out(endpoint) | {"secret": secret}, 201, {"Location": location}


@blp.route("/webhooks/<int:endpoint_id>", endpoint="Endpoint")
class Endpoint(MethodView):
    @blp.doc(
        security=BEARER,
        summary="Remove a webhook endpoint",
        description="Nothing more is sent to it; its deliveries waiting for another attempt "
        "stop. The record of what was sent stays.",
    )
    @problems(blp, (404,))
    @operation(SCOPE)
    @blp.response(204)
    def delete(self, endpoint_id: int) -> tuple[str, int]:
        service.remove_endpoint(current_user(), _endpoint(endpoint_id))
        return "", 204


@blp.route("/webhooks/<int:endpoint_id>/deliveries", endpoint="Deliveries")
class Deliveries(MethodView):
    @blp.doc(
        security=BEARER,
        summary="An endpoint's deliveries, newest first, with every attempt",
    )
    @problems(blp, (400, 404, 422))
    @operation(SCOPE)
    @blp.arguments(WebhookDeliveryQuery, location="query", as_kwargs=True)
    @blp.response(200, WebhookDeliveryPageOut)
    def get(self, endpoint_id: int, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        endpoint = _endpoint(endpoint_id)
        before = cursor_id(cursor) if cursor else None
        rows = service.deliveries_of(endpoint, limit + 1, before)
        page = rows[:limit]
        more = len(rows) > limit
        return {
            "items": [delivery_out(d) for d in page],
            "next_cursor": cursor_of(page[-1].id) if more and page else None,
        }


@blp.route("/webhooks/deliveries/<int:delivery_id>/replay", endpoint="Replay")
class Replay(MethodView):
    @blp.doc(
        security=BEARER,
        summary="Send a delivery again",
        parameters=[IDEMPOTENCY_KEY],
        description="The same event as a new delivery (a new webhook-id, the same body), "
        "e.g. after your receiver was repaired. Refused (409) once the endpoint was removed.",
    )
    @problems(blp, (400, 404, 409))
    @operation(SCOPE, idempotent=True)
    @blp.response(201, WebhookDeliveryOut)
    def post(self, delivery_id: int) -> tuple[dict[str, Any], int]:
        delivery = service.delivery_of(_org(), delivery_id)
        if delivery is None:
            abort(404)
        return delivery_out(service.replay_delivery(current_user(), delivery)), 201
