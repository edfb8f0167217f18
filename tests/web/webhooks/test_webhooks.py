"""Webhooks end to end: the creditor organisation's administrator registers an endpoint,
a real receiver on loopback gets each delivery and checks its Standard Webhooks signature
itself; a failing receiver is tried again on the schedule, every attempt is on record, a
delivery can be sent again; nobody else sees or replays any of it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import audit
from app.audit import AuditAction
from app.cases.lifecycle import accept_case
from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.users import Role, User
from app.models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.rules import webhooks as rules
from app.rules.cases import CaseState
from app.webhooks.delivery import deliver_due
from tests.factories import PASSWORD, make_case, make_creditor_org, make_mediation_org, make_user
from tests.helpers import Browser, refused
from tests.webhooks_support import Receiver

PAGE = "/creditor/webhooks/"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def people(app: Flask) -> dict[str, User]:
    org, other_org = make_creditor_org(), make_creditor_org()
    mediation = make_mediation_org()
    return {
        "admin": make_user(Role.CREDITOR, creditor_org=org, is_creditor_admin=True),
        "colleague": make_user(Role.CREDITOR, creditor_org=org),
        "other_admin": make_user(Role.CREDITOR, creditor_org=other_org, is_creditor_admin=True),
        "debtor": make_user(Role.DEBTOR),
        "mediator": make_user(Role.MEDIATOR, mediation_org=mediation),
        "org_admin": make_user(Role.ADMIN, mediation_org=mediation),
    }


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    return browser


def _register(browser: Browser, url: str, events: list[str]) -> str:
    """Register the endpoint; the secret from the page shown once after it."""
    answer = browser.submit(
        "/creditor/webhooks/endpoints", {"url": url, "events": events}, page=PAGE
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    page = browser.get(answer.headers["Location"]).get_data(as_text=True)
    found = re.search(r"<code data-secret>(whsec_[A-Za-z0-9+/=]+)</code>", page)
    assert found, page
    return found.group(1)


def _verify(secret: str, request: dict[str, Any]) -> None:
    """The receiver's own check (Standard Webhooks): HMAC-SHA256 keyed with the base64
    part of the secret over "id.timestamp.body", sent as "v1,<base64>"."""
    headers = {k.lower(): v for k, v in request["headers"].items()}
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(headers["webhook-signature"], expected)


def _case(people: dict[str, User], state: CaseState = CaseState.SUBMITTED) -> Case:
    return make_case(creditor=people["admin"], mediator=people["mediator"], state=state)


def test_a_state_change_reaches_the_receiver_signed_and_without_personal_data(
    app: Flask, people: dict[str, User], receiver: Receiver
) -> None:
    browser = _as(app, people["admin"])
    secret = _register(browser, receiver.url, ["case.state_changed"])
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    # The secret is shown once: the same page again does not show it.
    again = browser.get(f"/creditor/webhooks/endpoints/{endpoint.id}/created")
    assert "whsec_" not in again.get_data(as_text=True)
    assert endpoint.secret == secret  # stored (encrypted at rest) to sign with

    case = _case(people)
    accept_case(people["mediator"], case)  # submitted -> invited, in one use case

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hooks/concord"
    _verify(secret, request)
    body = json.loads(request["body"])
    assert body["type"] == "case.state_changed"
    assert body["data"] == {
        "case_id": case.id,
        "reference": case.reference,
        "state": "invited",
        "previous_state": "submitted",
    }
    text = request["body"].decode()
    for personal in (case.debtor_name, case.debtor_phone, case.debtor_id_number):
        assert personal not in text
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert request["headers"]["webhook-id"] == delivery.message_id
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "ok", "")


def test_only_the_events_chosen_are_sent(
    app: Flask, people: dict[str, User], receiver: Receiver
) -> None:
    browser = _as(app, people["admin"])
    _register(browser, receiver.url, ["payment.recorded"])
    case = _case(people, CaseState.CONFIRMED)

    @use_case
    def record_payment() -> None:
        audit.record(
            AuditAction.CASE_PAYMENT_RECORD,
            actor=people["admin"],
            object_type="payment",
            object_id=1,
            case_id=case.id,
            data={"amount": "1000.00", "paid_on": "2026-11-30", "reference": "BANK-REF-9"},
        )
        audit.record(
            AuditAction.CASE_MESSAGE_POST,
            actor=people["admin"],
            object_type="message",
            object_id=1,
            case_id=case.id,
        )

    record_payment()
    assert len(receiver.requests) == 1
    body = json.loads(receiver.requests[0]["body"])
    assert body["type"] == "payment.recorded"
    assert body["data"]["amount"] == "1000.00" and body["data"]["paid_on"] == "2026-11-30"
    assert "BANK-REF-9" not in receiver.requests[0]["body"].decode()


def test_a_failing_receiver_is_tried_again_on_the_schedule_and_each_attempt_kept(
    app: Flask, people: dict[str, User], receiver: Receiver, frozen_clock: Any
) -> None:
    browser = _as(app, people["admin"])
    secret = _register(browser, receiver.url, ["case.state_changed"])
    receiver.status = 500
    accept_case(people["mediator"], _case(people))

    delivery = db.session.scalars(select(WebhookDelivery)).one()
    first = db.session.scalars(select(WebhookAttempt)).one()
    assert (first.status_code, first.response_excerpt) == (500, "receiver broke")
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at == first.attempted_at + timedelta(minutes=1)

    assert deliver_due() == 0  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    receiver.status = 204
    frozen_clock.move_to(clock.now() + timedelta(minutes=1, seconds=5))
    assert deliver_due() == 1
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [delivery.message_id] * 2
    for request in receiver.requests:
        _verify(secret, request)

    page = browser.get(f"/creditor/webhooks/deliveries/{delivery.id}").get_data(as_text=True)
    assert page.count("data-attempt=") == 2
    assert 'data-status-code="500"' in page and 'data-status-code="204"' in page


def test_a_receiver_that_does_not_answer_is_an_attempt_with_its_error(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["admin"])
    closed = Receiver()
    url = closed.url
    closed.close()  # nothing listens there any more
    _register(browser, url, ["case.state_changed"])
    accept_case(people["mediator"], _case(people))
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.status_code is None and "ConnectionRefusedError" in attempt.error


def test_a_host_name_is_reached_through_the_address_it_resolves_to(
    app: Flask, people: dict[str, User], receiver: Receiver
) -> None:
    """A name (not an address) is resolved before the attempt and the connection goes to
    an address checked; here "localhost", allowed as loopback in tests."""
    browser = _as(app, people["admin"])
    by_name = receiver.url.replace("127.0.0.1", "localhost")
    secret = _register(browser, by_name, ["case.state_changed"])
    accept_case(people["mediator"], _case(people))
    assert len(receiver.requests) == 1
    _verify(secret, receiver.requests[0])
    assert receiver.requests[0]["headers"]["Host"].startswith("localhost:")


def test_a_host_name_that_leads_to_an_internal_address_is_refused_at_delivery(
    app: Flask, people: dict[str, User], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in production (no plain loopback): an HTTPS address whose name resolves to an
    internal address passes the form (a name is not an address) but no request leaves;
    the attempt says why."""
    settings = replace(app.config["SETTINGS"], webhook_http_loopback=False)
    monkeypatch.setitem(app.config, "SETTINGS", settings)
    browser = _as(app, people["admin"])
    port = receiver.url.split(":")[2].split("/")[0]
    _register(browser, f"https://localhost:{port}/hooks/concord", ["case.state_changed"])
    accept_case(people["mediator"], _case(people))
    assert receiver.requests == []
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.status_code is None
    assert attempt.error.startswith("address refused: address_not_public (localhost is [")


def test_the_administrator_sends_a_delivery_again(
    app: Flask, people: dict[str, User], receiver: Receiver
) -> None:
    browser = _as(app, people["admin"])
    secret = _register(browser, receiver.url, ["case.state_changed"])
    accept_case(people["mediator"], _case(people))
    first = db.session.scalars(select(WebhookDelivery)).one()

    page = browser.get(PAGE).get_data(as_text=True)
    assert f'data-delivery="{first.id}"' in page
    answer = browser.submit(
        f"/creditor/webhooks/deliveries/{first.id}/replay", page=f"{PAGE}deliveries/{first.id}"
    )
    assert answer.status_code == 302
    assert len(receiver.requests) == 2
    replayed, original = receiver.requests[1], receiver.requests[0]
    assert replayed["body"] == original["body"]
    assert replayed["headers"]["webhook-id"] != original["headers"]["webhook-id"]
    _verify(secret, replayed)
    again = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.id != first.id)).one()
    assert again.replay_of_id == first.id and again.status == DeliveryStatus.DELIVERED
    replays = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.WEBHOOK_DELIVERY_REPLAY
    )
    assert db.session.scalar(replays) == 1


def test_a_removed_endpoint_s_delivery_cannot_be_sent_again(
    app: Flask, people: dict[str, User], receiver: Receiver
) -> None:
    browser = _as(app, people["admin"])
    _register(browser, receiver.url, ["case.state_changed"])
    accept_case(people["mediator"], _case(people))
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    answer = browser.submit(f"/creditor/webhooks/endpoints/{endpoint.id}/remove", page=PAGE)
    assert answer.status_code == 302
    page = f"{PAGE}deliveries/{delivery.id}"
    answer = browser.submit(
        f"/creditor/webhooks/deliveries/{delivery.id}/replay", page=page, follow_refusal=False
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith(page)
    shown = browser.get(answer.headers["Location"])
    assert shown.status_code == 409
    assert "This endpoint was removed" in shown.get_data(as_text=True)
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1
    # Nothing more goes to a removed endpoint.
    accept_case(people["mediator"], _case(people))
    assert len(receiver.requests) == 1


def test_a_plain_http_address_elsewhere_is_refused_back_to_the_form(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["admin"])
    for url, words in (
        ("http://hooks.example.com/concord", "must start with https://"),
        ("ftp://127.0.0.1/concord", "must start with https://"),
        ("https://user:pw@hooks.example.com/", "Enter a full address"),
        ("", "Enter the address"),
    ):
        answer = browser.submit(
            "/creditor/webhooks/endpoints",
            {"url": url, "events": ["case.state_changed"]},
            page=PAGE,
            follow_refusal=False,
        )
        assert answer.status_code == 303 and answer.headers["Location"].endswith("#new")
        shown = browser.get(answer.headers["Location"])
        assert shown.status_code == 400 and words in shown.get_data(as_text=True), url
    answer = browser.submit(
        "/creditor/webhooks/endpoints", {"url": "https://hooks.example.com/x"}, page=PAGE
    )
    assert refused(answer) and "Choose at least one event" in answer.get_data(as_text=True)
    assert 'value="https://hooks.example.com/x"' in answer.get_data(as_text=True)  # kept
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_https_anywhere_is_accepted(app: Flask, people: dict[str, User]) -> None:
    browser = _as(app, people["admin"])
    secret = _register(browser, "https://hooks.example.com/concord", ["agreement.breached"])
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24


def test_nobody_but_the_organisation_s_administrator_sees_or_replays(
    app: Flask, people: dict[str, User], receiver: Receiver
) -> None:
    owner = _as(app, people["admin"])
    _register(owner, receiver.url, ["case.state_changed"])
    accept_case(people["mediator"], _case(people))
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    urls = [
        PAGE,
        f"{PAGE}deliveries/{delivery.id}",
        f"{PAGE}endpoints/{endpoint.id}/created",
    ]
    posts = [
        f"{PAGE}deliveries/{delivery.id}/replay",
        f"{PAGE}endpoints/{endpoint.id}/remove",
    ]
    expected = {"other_admin": 404, "colleague": 404, "debtor": 403, "mediator": 403}
    for who, status in expected.items():
        browser = _as(app, people[who])
        for url in urls[1:]:
            assert browser.get(url).status_code == status, (who, url)
        for url in posts:
            assert browser.submit(url, page="/account/").status_code == status, (who, url)
    # The other organisation's administrator has a page of their own, without ours.
    other_page = _as(app, people["other_admin"]).get(PAGE).get_data(as_text=True)
    assert receiver.url not in other_page and "data-delivery=" not in other_page
    assert _as(app, people["colleague"]).get(PAGE).status_code == 404
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1
    assert db.session.get(WebhookEndpoint, endpoint.id).active  # type: ignore[union-attr]


README = Path(__file__).resolve().parents[3] / "README.md"


def _readme_verify() -> Callable[[str, dict[str, str], bytes], bool]:
    """The README's verification snippet, as a receiver would paste it (so it cannot drift)."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- webhook-verify:[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert found, "the README's webhook-verify block"
    code = found.group(1)
    assert len(code.strip().splitlines()) <= 12, "keep the README's snippet short"
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (our own README)
    return namespace["verify"]  # type: ignore[no-any-return]


def test_the_readme_s_verification_accepts_a_real_delivery_and_nothing_else(
    app: Flask, people: dict[str, User], receiver: Receiver
) -> None:
    verify = _readme_verify()
    secret = _register(_as(app, people["admin"]), receiver.url, ["case.state_changed"])
    accept_case(people["mediator"], _case(people))
    [request] = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    body = request["body"]
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body.replace(b"invited", b"closed"))
    assert not verify(rules.new_secret(), headers, body)
    # Signed right but sent ten minutes ago: a replay, refused.
    old = int(headers["webhook-timestamp"]) - 600
    stale = rules.headers(secret, headers["webhook-id"], old, body.decode())
    assert not verify(secret, stale, body)
    fresh = rules.headers(secret, headers["webhook-id"], int(time.time()), body.decode())
    assert verify(secret, fresh, body)
