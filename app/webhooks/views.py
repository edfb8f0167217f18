"""The creditor administrator's webhooks page: the endpoints, the events each wants, the
deliveries with every attempt, and "send again". Only the organisation's administrator
(``is_creditor_admin``) sees it, and only their own organisation's endpoints and
deliveries (404 for anyone else's)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.access import Permission, requires, requires_object
from app.core import prg
from app.core.errors import DomainError
from app.extensions import db
from app.models.organisations import CreditorOrganisation
from app.models.users import User
from app.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.rules import webhooks as rules
from app.webhooks import endpoints as service

bp = Blueprint("webhooks", __name__, url_prefix="/creditor/webhooks")

EVENT_LABELS = {
    rules.CASE_STATE_CHANGED: _l("A case moved to another stage"),
    rules.PROPOSAL_RECEIVED: _l("A proposal was received"),
    rules.AGREEMENT_SIGNED: _l("The agreement was signed by a party"),
    rules.AGREEMENT_IN_FORCE: _l("The agreement took effect"),
    rules.PACKAGE_RELEASED: _l("The judicial confirmation package was released"),
    rules.PAYMENT_RECORDED: _l("A payment was recorded"),
    rules.AGREEMENT_BREACHED: _l("The agreement was breached"),
}
STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("Waiting for the next attempt"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.FAILED: _l("Failed"),
}
PAGE_SIZE = 50


def _user() -> User:
    return current_user._get_current_object()


def _org() -> CreditorOrganisation:
    """The signed-in administrator's own organisation; anyone else: 404."""
    org = db.session.get(CreditorOrganisation, _user().creditor_org_id or 0)
    requires_object(Permission.CREDITOR_PROFILE_MANAGE, org)
    assert org is not None
    return org


def _endpoint(org: CreditorOrganisation, endpoint_id: int) -> WebhookEndpoint:
    endpoint = service.endpoint_of(org, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def _delivery(org: CreditorOrganisation, delivery_id: int) -> WebhookDelivery:
    delivery = service.delivery_of(org, delivery_id)
    if delivery is None:
        abort(404)
    return delivery


@bp.route("/")
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def index() -> str:
    org = _org()
    stash = prg.take()
    endpoints = service.endpoints_of(org)
    return render_template(
        "webhooks/index.html",
        org=org,
        stash=stash,
        events=[(e, str(EVENT_LABELS[e])) for e in rules.EVENT_TYPES],
        chosen=stash.all("events") if stash else [],
        endpoints=[_endpoint_view(e) for e in endpoints],
        deliveries=_deliveries(org),
    )


def _endpoint_view(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": [str(EVENT_LABELS.get(e, e)) for e in endpoint.events],
        "created_at": endpoint.created_at,
    }


def _deliveries(org: CreditorOrganisation) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookEndpoint.creditor_org_id == org.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(PAGE_SIZE)
    )
    out = []
    for d in rows:
        out.append(
            {
                "id": d.id,
                "message_id": d.message_id,
                "event": d.event_type,
                "url": d.endpoint.url,
                "created_at": d.created_at,
                "status": str(STATUS_LABELS[d.status]),
                "status_key": d.status.value,
                "attempts": d.attempts,
                "next_attempt_at": d.next_attempt_at,
                "replayable": d.endpoint.active,
                "detail_url": url_for("webhooks.delivery", delivery_id=d.id),
            }
        )
    return out


@bp.route("/endpoints", methods=["POST"])
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def create() -> Response:
    """Register an endpoint; the secret is shown on the next page, once."""
    org = _org()
    try:
        endpoint, _secret = service.register_endpoint(
            _user(), org, request.form.get("url", ""), request.form.getlist("events")
        )
    except DomainError as err:
        return prg.redirect_with(
            url_for("webhooks.index") + "#new",
            {err.field or "url": err.message},
            form=request.form,
            status=err.status,
        )
    return redirect(url_for("webhooks.created", endpoint_id=endpoint.id))


@bp.route("/endpoints/<int:endpoint_id>/created")
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def created(endpoint_id: int) -> str:
    """The new endpoint's signing secret, shown this once."""
    endpoint = _endpoint(_org(), endpoint_id)
    return render_template(
        "webhooks/created.html",
        endpoint=_endpoint_view(endpoint),
        secret=service.reveal_secret(endpoint),
    )


@bp.route("/endpoints/<int:endpoint_id>/remove", methods=["POST"])
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def remove(endpoint_id: int) -> Response:
    endpoint = _endpoint(_org(), endpoint_id)
    service.remove_endpoint(_user(), endpoint)
    flash(_("The endpoint was removed; nothing more is sent to it."), "success")
    return redirect(url_for("webhooks.index"))


@bp.route("/deliveries/<int:delivery_id>")
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def delivery(delivery_id: int) -> str:
    """One delivery: its body and every attempt."""
    d = _delivery(_org(), delivery_id)
    attempts = service.attempts_of(d)
    return render_template(
        "webhooks/delivery.html",
        delivery=d,
        status=str(STATUS_LABELS[d.status]),
        attempts=attempts,
        replayable=d.endpoint.active,
    )


@bp.route("/deliveries/<int:delivery_id>/replay", methods=["POST"])
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def replay(delivery_id: int) -> Response:
    d = _delivery(_org(), delivery_id)
    target = url_for("webhooks.delivery", delivery_id=d.id)
    try:
        again = service.replay_delivery(_user(), d)
    except DomainError as err:
        return prg.refused_to(target, err.message, err.status)
    flash(_("The event was sent again as a new delivery."), "success")
    return redirect(url_for("webhooks.delivery", delivery_id=again.id))
