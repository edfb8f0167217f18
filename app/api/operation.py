"""What every API operation does before its own work, in this order: the token (401), its
scope (403), the token's rate (429), the body's media type (415), the ``Idempotency-Key``
of a POST (400, 409, or the first answer again); and the responses it documents."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import request
from flask_smorest import Blueprint

from app.api import idempotency, limits
from app.api.auth import require_scope
from app.api.errors import UnsupportedMediaType
from app.api.schemas import ProblemOut
from app.web.errors import PROBLEM_JSON

F = TypeVar("F", bound=Callable[..., Any])

JSON = "application/json"
MULTIPART = "multipart/form-data"

PROBLEM_WORDS = {
    400: "The request is not acceptable (a field at fault, a missing Idempotency-Key).",
    401: "No token, or an invalid or revoked one (WWW-Authenticate: Bearer).",
    403: "The token lacks the scope.",
    404: "No such case (or webhook endpoint, delivery) for this organisation.",
    409: "The case's stage does not allow it (or the endpoint was removed), or the "
    "Idempotency-Key was used for another request.",
    413: "The body is larger than the limit.",
    415: "The body's media type is not the one accepted.",
    422: "The body or query does not match the schema.",
    429: "Too many requests for this token (Retry-After).",
}


def operation(
    scope: str,
    *,
    body: str | None = None,
    idempotent: bool = False,
    shown_once: tuple[str, ...] = (),
) -> Callable[[F], F]:
    """Guard a view of the API blueprint with ``scope``; ``body`` is the media type a POST
    must send, ``idempotent`` requires and honours ``Idempotency-Key``; ``shown_once``
    names the answer's fields a replay gives as null (a secret, never kept in plain)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def run(*args: Any, **kwargs: Any) -> Any:
            token = require_scope(scope)
            limits.hit(token)
            if body is not None and request.mimetype != body:
                raise UnsupportedMediaType(expected=body)
            if not idempotent:
                return view(*args, **kwargs)
            return idempotency.run_once(token, lambda: view(*args, **kwargs), shown_once)

        run.__api_scope__ = scope  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorate


def problems(blp: Blueprint, statuses: Iterable[int]) -> Callable[[F], F]:
    """Document the problem responses (application/problem+json) an operation may give."""

    def decorate(view: F) -> F:
        for status in sorted(set(statuses) | {401, 403, 429}):
            view = blp.alt_response(
                status,
                schema=ProblemOut,
                content_type=PROBLEM_JSON,
                description=PROBLEM_WORDS[status],
            )(view)
        return view

    return decorate


BEARER = [{"bearerAuth": []}]

# Every POST: the key that makes a retry safe (app.api.idempotency).
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    "description": "A unique key per request (a UUID does); a retry with the same key and "
    "body gets the first answer again.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[!-~]([ -~]*[!-~])?$",
    },
}
