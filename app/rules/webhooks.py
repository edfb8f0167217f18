"""Webhooks as the Standard Webhooks specification (standardwebhooks.com) defines them:
which events there are, how a delivery is signed, which addresses may receive one, and
when a failed delivery is tried again.

A delivery carries three headers: ``webhook-id`` (the message's id, the same on every
attempt, so the receiver can drop duplicates), ``webhook-timestamp`` (seconds since the
epoch, so it can refuse old replays) and ``webhook-signature``: ``v1,`` and the base64 of
HMAC-SHA256 over ``"{id}.{timestamp}.{body}"``, keyed with the secret's bytes (the part
after ``whsec_``, base64-decoded).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

CASE_STATE_CHANGED = "case.state_changed"
PROPOSAL_RECEIVED = "proposal.received"
AGREEMENT_SIGNED = "agreement.signed"
AGREEMENT_IN_FORCE = "agreement.in_force"
PACKAGE_RELEASED = "package.released"
PAYMENT_RECORDED = "payment.recorded"
AGREEMENT_BREACHED = "agreement.breached"

EVENT_TYPES = (
    CASE_STATE_CHANGED,
    PROPOSAL_RECEIVED,
    AGREEMENT_SIGNED,
    AGREEMENT_IN_FORCE,
    PACKAGE_RELEASED,
    PAYMENT_RECORDED,
    AGREEMENT_BREACHED,
)

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)
SECRET_BYTES = 24
MAX_URL = 500

# After the first attempt fails: 1 min, 5 min, 30 min, 2 h, 5 h; then the delivery has failed.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
)
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)


def new_secret() -> str:
    """A fresh signing secret, ``whsec_`` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a ``whsec_`` secret stands for."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` header's value for one attempt."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
        "content-type": "application/json",
    }


def _is_private_address(host: str) -> bool:
    """An IP address written in the URL that is not on the public internet (a private
    network, link-local such as a cloud's metadata service, loopback, reserved)."""
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str, *, allow_http_loopback: bool) -> str | None:
    """Why a delivery may not go to ``url`` (a refusal code), or None. HTTPS, with a host,
    no user or password in it, no internal IP address (a private network, a cloud's
    metadata service); plain HTTP only to this machine (``127.0.0.1``, ``::1``,
    ``localhost``) and only where the setting allows it (development and tests)."""
    if not url:
        return "url_required"
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        return "url_invalid"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        return "url_invalid"
    if not host or parts.username or parts.password or parts.fragment:
        return "url_invalid"
    if parts.scheme == "http" and allow_http_loopback and _is_loopback(host):
        return None
    if parts.scheme != "https":
        return "https_required"
    if _is_private_address(host) and not (allow_http_loopback and _is_loopback(host)):
        return "address_not_public"
    return None


def resolved_problem(addresses: list[str], *, allow_loopback: bool) -> str | None:
    """Where the address's host name leads, checked before each delivery (a name can point
    at an internal address, or be changed to point at one later): every address it
    resolves to must be on the public internet, or this machine where the setting allows
    plain loopback (development and tests). The delivery then connects to the address
    checked, never to a second lookup."""
    if not addresses:
        return "address_not_found"
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])  # "fe80::1%eth0"
        except ValueError:
            return "address_not_public"
        if not ip.is_global and not (allow_loopback and ip.is_loopback):
            return "address_not_public"
    return None


def chosen_events(chosen: list[str]) -> list[str] | None:
    """The events chosen, in the catalogue's order; None when none or an unknown one."""
    if not chosen or set(chosen) - set(EVENT_TYPES):
        return None
    return [e for e in EVENT_TYPES if e in chosen]


def next_delay(attempts: int) -> timedelta | None:
    """How long after its ``attempts``-th failed attempt a delivery is tried again (None:
    it has failed for good)."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1]
