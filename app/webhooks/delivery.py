"""Sending a delivery: one signed POST per attempt, each attempt kept (status, time taken,
error, the start of the answer), tried again on the schedule of
:data:`app.rules.webhooks.RETRY_DELAYS` until a 2xx answer or the last attempt.

An attempt first claims its delivery (moves ``next_attempt_at`` on by a lease in one
UPDATE), so the task enqueued after the commit and the every-minute sweep never send the
same delivery twice at once; the request itself runs outside any transaction. Redirects
are not followed: the answer to the address registered is the answer. The host name is
resolved before each attempt and every address it gives must be public
(:func:`app.rules.webhooks.resolved_problem`); the connection goes to the address checked
(TLS still verifies the certificate against the name), so a name that points, or is
re-pointed, at an internal service is refused rather than reached.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery
from app.rules import webhooks as rules

TIMEOUT_SECONDS = 10
LEASE = timedelta(minutes=2)  # a worker killed mid-attempt: the sweep tries again after it
EXCERPT = 500


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class _Claimed:
    url: str
    secret: str
    message_id: str
    body: str


def deliver(delivery_id: int) -> Outcome | None:
    """One attempt at a delivery that is due (None: not due, or another worker has it)."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return None
    outcome = _post(claimed)
    _record(delivery_id, outcome)
    return outcome


def deliver_due(limit: int = 100) -> int:
    """Attempt every delivery that is due, the longest waiting first; how many were tried."""
    return sum(1 for i in _due_ids(limit) if deliver(i) is not None)


@use_case
def _due_ids(limit: int) -> list[int]:
    """Read in a transaction of its own, which ends before the first request goes out."""
    return list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= clock.now(),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )


@use_case
def _claim(delivery_id: int) -> _Claimed | None:
    now = clock.now()
    taken = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
    )
    if taken.rowcount != 1:
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    db.session.refresh(delivery)
    endpoint = delivery.endpoint
    return _Claimed(endpoint.url, endpoint.secret, delivery.message_id, delivery.body)


def _post(claimed: _Claimed) -> Outcome:
    """The signed POST; any failure to get an answer is an outcome, never an exception."""
    allowed = current_app.config["SETTINGS"].webhook_http_loopback
    problem = rules.url_problem(claimed.url, allow_http_loopback=allowed)
    if problem is not None:
        return Outcome(None, 0, f"address refused: {problem}")
    parts = urlsplit(claimed.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = rules.headers(claimed.secret, claimed.message_id, int(time.time()), claimed.body)
    headers["user-agent"] = "Concord-Webhooks/1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = _addresses(parts.hostname or "", port)
    except OSError as exc:
        return Outcome(None, 0, f"address not found: {exc}"[:EXCERPT])
    problem = rules.resolved_problem(addresses, allow_loopback=allowed)
    if problem is not None:
        return Outcome(None, 0, f"address refused: {problem} ({parts.hostname} is {addresses})")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPS(parts.hostname or "", port, addresses)
    else:
        connection = _PinnedHTTP(parts.hostname or "", port, addresses)
    started = time.monotonic()
    try:
        connection.request("POST", path, body=claimed.body.encode(), headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT * 4).decode("utf-8", "replace")[:EXCERPT]
        return Outcome(response.status, _ms(started), "", excerpt)
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, _ms(started), f"{type(exc).__name__}: {exc}"[:EXCERPT])
    finally:
        connection.close()


def _addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP address: itself)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def _connect(addresses: list[str], port: int) -> socket.socket:
    """A connection to the first of the checked ``addresses`` that answers."""
    failure: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), TIMEOUT_SECONDS)
        except OSError as exc:
            failure = exc
    raise failure


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to ``host`` (its Host header) through the addresses already checked."""

    def __init__(self, host: str, port: int, addresses: list[str]) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to ``host`` (its Host header, SNI and certificate name) through the addresses
    already checked."""

    def __init__(self, host: str, port: int, addresses: list[str]) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=TIMEOUT_SECONDS, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(
            _connect(self.addresses, self.port), server_hostname=self.host
        )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


@use_case
def _record(delivery_id: int, outcome: Outcome) -> None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    now = clock.now()
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
            response_excerpt=outcome.excerpt,
        )
    )
    delivery.attempts += 1
    if outcome.ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.next_attempt_at = None
        return
    delay = rules.next_delay(delivery.attempts)
    if delay is None:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + delay
