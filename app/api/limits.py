"""Requests per token: ``API_RATE_LIMIT`` (a ``limits`` string, default 120/minute), a
moving window counted with the ``limits`` package, in memory or in Redis with
``REDIS_URL`` as :mod:`app.web.limits` does for sign-ins. Every answer tells the client
where it stands with the ``RateLimit-Policy`` and ``RateLimit`` fields of the IETF draft
(draft-ietf-httpapi-ratelimit-headers): ``"token";q=120;w=60`` and ``"token";r=119;t=60``;
a refusal is a 429 with ``Retry-After``."""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, g
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.wrappers import Response

from app.config import Settings
from app.models.api_tokens import ApiToken
from app.web.limits import RateLimited

_KEY = "concord_api_limiter"


def init_api_limits(app: Flask) -> None:
    settings: Settings = app.config["SETTINGS"]
    app.extensions[_KEY] = MovingWindowRateLimiter(
        storage_from_string(settings.redis_url or "memory://")
    )


def hit(token: ApiToken) -> None:
    """Count one request of ``token``; 429 past the limit."""
    spec = current_app.config["SETTINGS"].api_rate_limit
    if not spec:
        return
    item = parse(spec)
    limiter: MovingWindowRateLimiter = current_app.extensions[_KEY]
    allowed = limiter.hit(item, "concord-api", token.secret_sha256)
    stats = limiter.get_window_stats(item, "concord-api", token.secret_sha256)
    reset = max(0, math.ceil(stats.reset_time - time.time()))
    g.api_rate = (item.amount, item.get_expiry(), stats.remaining, reset)
    if not allowed:
        raise RateLimited(max(1, reset))


def add_headers(response: Response) -> Response:
    rate = g.get("api_rate")
    if rate is not None:
        quota, window, remaining, reset = rate
        response.headers["RateLimit-Policy"] = f'"token";q={quota};w={window}'
        response.headers["RateLimit"] = f'"token";r={remaining};t={reset}'
    return response
