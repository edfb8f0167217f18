"""Bounds on the two public doors that cost real CPU: signing in (argon2id) and ``/verify``
(PDF signature validation), and ``/verify``'s own upload limit.

Three bounds, checked in one ``before_request`` that runs before the CSRF check reads the
form, so a refusal costs almost nothing:

1. **Rate per address** (429, ``Retry-After``): ``LOGIN_RATE_LIMIT`` and
   ``VERIFY_RATE_LIMIT`` POSTs per client address, a moving window. We use the ``limits``
   package (the storage and strategies under Flask-Limiter) rather than Flask-Limiter
   itself or a token bucket of our own: the check has to run from this hook, ahead of the
   form parse, with an instance per application (the factory builds several apps in one
   process in tests; Flask-Limiter keeps one global instance configured by the last
   ``init_app``), and ``limits`` brings the storage we need: in memory by default (per
   worker process, reset on restart: each gunicorn worker then counts on its own), Redis
   when ``REDIS_URL`` is set (one count for every worker and host). The per-account and
   per-address failure throttle of :mod:`app.accounts.auth` still applies on top.
2. **Concurrency per host** (503, ``Retry-After``): ``PASSWORD_HASH_SLOTS`` sign-ins and
   ``VERIFY_SLOTS`` verifications at once across all worker processes
   (:mod:`app.core.capacity`: lock files, so the cap is global to the host whatever the
   number of workers, and never ``workers × cap``). A flood from many addresses passes the
   rate limit; this keeps it to its slots and leaves the other cores to everyone else.
3. **Body size per endpoint** (413): ``/verify`` accepts ``VERIFY_MAX_MB``, more than the
   global ``MAX_UPLOAD_MB``. The request class answers the endpoint's own limit, so the
   limit holds when Flask-WTF's CSRF check is the first to read the form.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Request, current_app, g, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from app.config import Settings
from app.core import capacity

MB = 1024 * 1024
# Room for the multipart envelope and a CSRF token around the one file.
_ENVELOPE = 64 * 1024


@dataclass(frozen=True)
class Door:
    """What one endpoint may take: per-address rate and slot resource (POST only), and its
    own body limit in MB (``None``: the global one)."""

    rate: Callable[[Settings], str]
    resource: str
    body_mb: Callable[[Settings], int] | None = None


DOORS: dict[str, Door] = {
    "auth.login": Door(rate=lambda s: s.login_rate_limit, resource="password"),
    # Account recovery: sending codes, and the new password's hash (argon2id).
    "recovery.forgot": Door(rate=lambda s: s.login_rate_limit, resource="password"),
    "recovery.reset": Door(rate=lambda s: s.login_rate_limit, resource="password"),
    "verify.index": Door(
        rate=lambda s: s.verify_rate_limit,
        resource="verify",
        body_mb=lambda s: s.verify_max_mb,
    ),
    # A sheet of cases and its ZIP of evidence (app/cases/imports.py checks each's limit).
    "case_imports.index": Door(
        rate=lambda s: "",
        resource="",
        body_mb=lambda s: s.import_max_sheet_mb + s.import_max_zip_mb,
    ),
    "api_imports.Imports": Door(
        rate=lambda s: "",
        resource="",
        body_mb=lambda s: s.import_max_sheet_mb + s.import_max_zip_mb,
    ),
}


class RateLimited(TooManyRequests):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)
        self.seconds = retry_after


class LimitedRequest(Request):
    """A request whose body limit is its endpoint's, when the endpoint has one."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self._max_content_length is None:  # none set on this request by hand
            mb = upload_limit_mb(self.endpoint)
            if mb is not None:
                return mb * MB + _ENVELOPE
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def upload_limit_mb(endpoint: str | None) -> int | None:
    """The endpoint's own upload limit in MB, if it has one."""
    door = DOORS.get(endpoint or "")
    if door is None or door.body_mb is None:
        return None
    return door.body_mb(current_app.config["SETTINGS"])


class _Limiter:
    def __init__(self, settings: Settings) -> None:
        uri = settings.redis_url or "memory://"
        self.strategy = MovingWindowRateLimiter(storage_from_string(uri))
        self._items: dict[str, RateLimitItem] = {}

    def item(self, spec: str) -> RateLimitItem:
        if spec not in self._items:
            self._items[spec] = parse(spec)
        return self._items[spec]

    def hit(self, endpoint: str, spec: str, address: str) -> None:
        item = self.item(spec)
        if not self.strategy.hit(item, "concord", endpoint, address):
            reset = self.strategy.get_window_stats(item, "concord", endpoint, address).reset_time
            raise RateLimited(max(1, math.ceil(reset - time.time())))


def init_limits(app: Flask) -> None:
    """Install the request class and the hooks; call before ``csrf.init_app`` so the
    bounds are checked before the form is read."""
    settings: Settings = app.config["SETTINGS"]
    app.request_class = LimitedRequest
    app.extensions["concord_limiter"] = _Limiter(settings)
    app.before_request(_admit)
    app.teardown_request(_leave)


def _admit() -> None:
    door = DOORS.get(request.endpoint or "")
    if door is None or request.method != "POST":
        return
    settings: Settings = current_app.config["SETTINGS"]
    spec = door.rate(settings)
    if spec:
        limiter: _Limiter = current_app.extensions["concord_limiter"]
        limiter.hit(request.endpoint or "", spec, request.remote_addr or "unknown")
    if door.resource and capacity.slots_of(door.resource) > 0:
        g.concord_slot = (door.resource, capacity.acquire(door.resource))
        capacity.hold(door.resource)


def _leave(_exc: BaseException | None) -> None:
    taken: Any = g.pop("concord_slot", None)
    if taken is not None:
        resource, held = taken
        capacity.let_go(resource)
        capacity.release(held)
