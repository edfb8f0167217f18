"""/api/v1/webhooks: endpoints registered, listed and removed, deliveries followed and
sent again, through the webhooks page's own use cases; a real receiver on loopback checks
each signature with the secret the API gave once; another organisation's endpoint is not
found, a token without ``webhooks:manage`` is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cases.lifecycle import accept_case
from app.extensions import db
from app.models.users import Role, User
from app.models.webhooks import WebhookDelivery, WebhookEndpoint
from app.rules.cases import CaseState
from tests.api.conftest import Caller
from tests.factories import make_case, make_mediation_org, make_user
from tests.webhooks_support import Receiver

HOOKS = "/api/v1/webhooks"
STATE = ["case.state_changed"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["code"] == code
    return body  # type: ignore[no-any-return]


def _signed_by(secret: str, request: dict[str, Any]) -> bool:
    headers = {k.lower(): v for k, v in request["headers"].items()}
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(headers["webhook-signature"], expected)


def _state_change(people: dict[str, User]) -> None:
    """A case of the token's organisation moves (submitted -> invited): one event."""
    mediator = make_user(Role.MEDIATOR, mediation_org=make_mediation_org())
    case = make_case(creditor=people["admin"], mediator=mediator, state=CaseState.SUBMITTED)
    accept_case(mediator, case)


def test_register_receive_follow_and_replay(
    app: Flask, caller: Caller, org_people: dict[str, User], receiver: Receiver
) -> None:
    made = caller.post_json(HOOKS, {"url": receiver.url, "events": STATE})
    assert made.status_code == 201, made.get_data(as_text=True)
    endpoint = made.get_json()
    secret = endpoint["secret"]
    assert secret.startswith("whsec_") and endpoint["events"] == STATE
    assert made.headers["Location"].endswith(f"{HOOKS}/{endpoint['id']}/deliveries")
    # Shown once: the list never has it, nor does the page's "created" step afterwards.
    listed = caller.get(HOOKS).get_json()["items"]
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]
    stored = db.session.get(WebhookEndpoint, endpoint["id"])
    assert stored is not None and stored.secret_shown_at is not None

    _state_change(org_people)
    assert len(receiver.requests) == 1 and _signed_by(secret, receiver.requests[0])
    page = caller.get(made.headers["Location"]).get_json()
    [delivery] = page["items"]
    assert page["next_cursor"] is None
    assert (delivery["status"], delivery["attempts"], delivery["event_type"]) == (
        "delivered",
        1,
        "case.state_changed",
    )
    assert delivery["message_id"] == receiver.requests[0]["headers"]["webhook-id"]
    assert [a["status_code"] for a in delivery["attempt_log"]] == [200]

    replay = f"{HOOKS}/deliveries/{delivery['id']}/replay"
    again = caller.post_json(replay, None, key="replay-1")
    assert again.status_code == 201, again.get_data(as_text=True)
    body = again.get_json()
    assert body["replay_of_id"] == delivery["id"] and body["status"] == "delivered"
    assert len(receiver.requests) == 2 and _signed_by(secret, receiver.requests[1])
    assert receiver.requests[1]["body"] == receiver.requests[0]["body"]
    # The same key: the first answer again, nothing sent twice.
    retry = caller.post_json(replay, None, key="replay-1")
    assert retry.headers["Idempotent-Replayed"] == "true" and retry.get_json()["id"] == body["id"]
    assert len(receiver.requests) == 2


def test_a_failing_receiver_shows_as_pending_with_its_attempt(
    app: Flask, caller: Caller, org_people: dict[str, User], receiver: Receiver
) -> None:
    receiver.status = 503
    made = caller.post_json(HOOKS, {"url": receiver.url, "events": STATE}).get_json()
    _state_change(org_people)
    [delivery] = caller.get(f"{HOOKS}/{made['id']}/deliveries").get_json()["items"]
    assert delivery["status"] == "pending" and delivery["next_attempt_at"] is not None
    [attempt] = delivery["attempt_log"]
    assert (attempt["status_code"], attempt["response_excerpt"]) == (503, "receiver broke")


def test_deliveries_page_with_a_cursor(
    app: Flask, caller: Caller, org_people: dict[str, User], receiver: Receiver
) -> None:
    made = caller.post_json(HOOKS, {"url": receiver.url, "events": STATE}).get_json()
    for _ in range(3):
        _state_change(org_people)
    url = f"{HOOKS}/{made['id']}/deliveries"
    first = caller.get(f"{url}?limit=2").get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = caller.get(f"{url}?limit=2&cursor={first['next_cursor']}").get_json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    ids = [d["id"] for d in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3
    _problem(caller.get(f"{url}?cursor=nonsense"), 400, "invalid_cursor")


def test_a_retried_registration_answers_the_same_endpoint_without_the_secret(
    caller: Caller, receiver: Receiver
) -> None:
    first = caller.post_json(HOOKS, {"url": receiver.url, "events": STATE}, key="reg-1")
    retry = caller.post_json(HOOKS, {"url": receiver.url, "events": STATE}, key="reg-1")
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json()["id"] == first.get_json()["id"]
    assert first.get_json()["secret"].startswith("whsec_") and retry.get_json()["secret"] is None
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 1


def test_the_page_s_refusals_are_problems_naming_the_field(caller: Caller) -> None:
    body = _problem(
        caller.post_json(HOOKS, {"url": "http://hooks.example.com/x", "events": STATE}),
        400,
        "https_required",
    )
    assert body["field"] == "url"
    _problem(
        caller.post_json(HOOKS, {"url": "https://10.0.0.1/x", "events": STATE}),
        400,
        "address_not_public",
    )
    body = _problem(
        caller.post_json(HOOKS, {"url": "https://hooks.example.com/x", "events": ["nope"]}),
        422,
        "invalid_body",
    )
    assert body["field"] == "events"
    _problem(
        caller.post_json(HOOKS, {"url": "https://hooks.example.com/x", "events": STATE}, key=None),
        400,
        "idempotency_key_required",
    )
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_a_removed_endpoint_is_gone_and_its_deliveries_cannot_be_replayed(
    app: Flask, caller: Caller, org_people: dict[str, User], receiver: Receiver
) -> None:
    made = caller.post_json(HOOKS, {"url": receiver.url, "events": STATE}).get_json()
    _state_change(org_people)
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    removed = caller.client.delete(f"{HOOKS}/{made['id']}", headers=caller.headers())
    assert removed.status_code == 204 and removed.get_data() == b""
    assert caller.get(HOOKS).get_json()["items"] == []
    _problem(caller.get(f"{HOOKS}/{made['id']}/deliveries"), 404, "http_404")
    _problem(
        caller.client.delete(f"{HOOKS}/{made['id']}", headers=caller.headers()), 404, "http_404"
    )
    _problem(
        caller.post_json(f"{HOOKS}/deliveries/{delivery.id}/replay", None, key="k-2"),
        409,
        "endpoint_removed",
    )
    _state_change(org_people)
    assert len(receiver.requests) == 1  # nothing more goes to it


def test_another_organisation_s_endpoint_is_not_found_and_the_scope_is_needed(
    app: Flask,
    make_caller: Callable[..., Caller],
    org_people: dict[str, User],
    receiver: Receiver,
) -> None:
    owner = make_caller()
    made = owner.post_json(HOOKS, {"url": receiver.url, "events": STATE}).get_json()
    _state_change(org_people)
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    other = make_caller("other_admin")
    assert other.get(HOOKS).get_json()["items"] == []
    _problem(other.get(f"{HOOKS}/{made['id']}/deliveries"), 404, "http_404")
    _problem(other.client.delete(f"{HOOKS}/{made['id']}", headers=other.headers()), 404, "http_404")
    _problem(other.post_json(f"{HOOKS}/deliveries/{delivery.id}/replay", None), 404, "http_404")

    reader = make_caller(scopes=("cases:read", "cases:write"))
    for answer in (
        reader.get(HOOKS),
        reader.post_json(HOOKS, {"url": receiver.url, "events": STATE}),
        reader.get(f"{HOOKS}/{made['id']}/deliveries"),
        reader.client.delete(f"{HOOKS}/{made['id']}", headers=reader.headers()),
        reader.post_json(f"{HOOKS}/deliveries/{delivery.id}/replay", None, key="k-2"),
    ):
        body = _problem(answer, 403, "insufficient_scope")
        assert "webhooks:manage" in body["detail"]
    assert db.session.get(WebhookEndpoint, made["id"]).active  # type: ignore[union-attr]
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1
    assert len(receiver.requests) == 1
