"""The API's own refusals, with their words; they reach the one handler of
:mod:`app.web.errors` like every other :class:`~app.core.errors.DomainError` (RFC 9457
problem details)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput, Refused


class NotAuthenticated(Refused):
    """No token, an unknown one, a revoked one: the same answer (RFC 6750 §3.1)."""

    status = 401
    default_code = "invalid_token"
    messages = {
        "invalid_token": _l(
            "Send a valid API token: Authorization: Bearer cnc_… (revoked tokens no longer work)."
        ),
    }


class ScopeMissing(Refused):
    status = 403
    default_code = "insufficient_scope"
    messages = {
        "insufficient_scope": _l("This token does not have the scope %(scope)s."),
    }


class ApiInputError(InvalidInput):
    messages = {
        "idempotency_key_required": _l(
            "Send an Idempotency-Key header (1 to 255 printable characters) with every POST."
        ),
        "invalid_body": _l("The request body does not match what this operation accepts."),
        "invalid_json": _l("The request body is not valid JSON."),
        "invalid_cursor": _l("This cursor is not one the API gave."),
    }


class UnsupportedMediaType(InvalidInput):
    status = 415
    default_code = "unsupported_media_type"
    messages = {
        "unsupported_media_type": _l("Send the body as %(expected)s."),
    }


class IdempotencyConflict(Refused):
    status = 409
    default_code = "idempotency_key_reused"
    messages = {
        "idempotency_key_reused": _l(
            "This Idempotency-Key was already used with another request. Use a new key for a "
            "new request."
        ),
        "idempotency_in_progress": _l(
            "A request with this Idempotency-Key is still being processed. Try again shortly."
        ),
    }


class BodyTooLarge(InvalidInput):
    status = 413
    default_code = "body_too_large"
    messages = {
        "body_too_large": _l("The request body is larger than the limit of %(kb)s KB."),
    }
