"""The REST API, ``/api/v1``: creditor organisations' systems create and follow their
cases with a token (:mod:`app.api.auth`), over the same use cases, permission rules and
refusals (problem details from :mod:`app.web.errors`) as the pages.

**Why flask-smorest.** It is a plain Flask blueprint (our ``@use_case`` views, error
handler, CSRF and limits stay as they are), maintained (marshmallow 4, apispec 6, releases
through 2026), and it generates the OpenAPI 3.1 document from the same marshmallow schemas
that validate the requests (webargs), so the document cannot drift from the code. The
alternatives were weaker here: flask-openapi3 and APIFlask want their own app or blueprint
class and pydantic or their own errors; connexion is spec-first (the code follows a YAML
file); hand-written apispec would duplicate validation. We use it without its docs
blueprint and its error handler (``ConcordApi``): the document and the reference page are
served by :mod:`app.api.docs` under the API's own access rules, and every error goes
through the one handler of :mod:`app.web.errors`.

The blueprints: cases (:mod:`app.api.cases`), their performance
(:mod:`app.api.performance`) and webhooks (:mod:`app.api.webhooks`), each made with
:func:`api_blueprint` and passed to :func:`init_api`, sharing
:func:`app.api.operation.operation` and this document. The room left: ``/api/v1/imports``
(bulk import jobs).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnprocessableEntity,
)
from werkzeug.wrappers import Response

from app.api import limits
from app.api.errors import ApiInputError, BodyTooLarge
from app.extensions import csrf
from app.web.errors import domain_error
from app.web.limits import upload_limit_mb

PREFIX = "/api/v1"
MB = 1024 * 1024
# A JSON body is small; an upload may take the evidence limit (MAX_UPLOAD_MB) and its
# multipart envelope.
JSON_LIMIT = 256 * 1024
_ENVELOPE = 64 * 1024


class ConcordApi(Api):
    """flask-smorest without its own error handler (ours answers every error) and without
    its generic error response: each operation documents its problems (app.api.operation)."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        return None


API_CONFIG: dict[str, Any] = {
    "API_TITLE": "Concord API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": None,  # no docs blueprint: app.api.docs serves the document
}


def init_api(app: Flask, blueprints: tuple[ApiBlueprint, ...]) -> ConcordApi:
    """Register the API's blueprints (CSRF exempt: a bearer token, no cookie, is no CSRF
    risk) and mark each view's access for the URL map's walk (app.access)."""
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = ConcordApi(
        app,
        spec_kwargs={
            "info": {
                "description": "Concord's REST API for creditor organisations. Authenticate "
                "with `Authorization: Bearer cnc_…` (a token from Organisation → API tokens). "
                "Every POST needs an `Idempotency-Key`. Errors are RFC 9457 problem details."
            },
            "servers": [{"url": "/"}],
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "cnc_…"}
    )
    limits.init_api_limits(app)
    for blueprint in blueprints:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    for endpoint, view in app.view_functions.items():
        if endpoint.split(".")[0] in {b.name for b in blueprints} and not hasattr(
            view, "__access__"
        ):
            # every API operation checks its token and scope itself (app.api.operation)
            view.__access__ = "api:token"  # type: ignore[attr-defined]
    app.extensions["concord_api"] = api
    return api


def api_blueprint(name: str, import_name: str, description: str) -> ApiBlueprint:
    """A blueprint of the API, under ``/api/v1``: the body's bounds, the rate and
    authentication headers, the schema's refusals as problems."""
    blueprint = ApiBlueprint(name, import_name, url_prefix=PREFIX, description=description)
    blueprint.before_request(_bound_body)
    blueprint.after_request(_api_headers)
    blueprint.register_error_handler(UnprocessableEntity, _invalid)
    blueprint.register_error_handler(BadRequest, _invalid)
    blueprint.register_error_handler(RequestEntityTooLarge, _too_large)
    return blueprint


def _body_limit() -> int:
    if request.mimetype == "multipart/form-data":
        # an endpoint's own upload limit (app.web.limits.DOORS: a sheet of cases and its ZIP)
        mb = upload_limit_mb(request.endpoint) or current_app.config["SETTINGS"].max_upload_mb
        return int(mb) * MB + _ENVELOPE
    return JSON_LIMIT


def _bound_body() -> None:
    """413 before anything is read when the declared length is over the limit; werkzeug
    stops a chunked body at the same limit."""
    # Nothing of an earlier request on this context (a test client shares one).
    g.pop("api_token", None)
    g.pop("api_rate", None)
    limit = _body_limit()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def _api_headers(response: Response) -> Response:
    limits.add_headers(response)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = (
            'Bearer realm="concord", error="invalid_token"'
            if request.headers.get("Authorization")
            else 'Bearer realm="concord"'
        )
    if response.status_code == 403 and g.get("api_token") is not None:
        response.headers["WWW-Authenticate"] = 'Bearer realm="concord", error="insufficient_scope"'
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _invalid(err: HTTPException) -> Any:
    """webargs' refusal of a body or query (422, or 400 for JSON that does not parse): the
    problem of the first field at fault, every field's messages as findings."""
    data = getattr(err, "data", None) or {}
    messages = data.get("messages") or {}
    findings: list[dict[str, Any]] = []
    for location, by_field in messages.items():
        if isinstance(by_field, dict):
            for name, words in by_field.items():
                findings.append(
                    {
                        "code": "schema",
                        "location": location,
                        "field": str(name),
                        "messages": _flat(words),
                    }
                )
        else:
            findings.append({"code": "schema", "location": location, "messages": _flat(by_field)})
    field = next((f["field"] for f in findings if f.get("field")), None)
    if err.code == 400:  # webargs: the JSON does not parse; werkzeug: a broken body
        code = "invalid_json" if "json" in messages else "invalid_body"
        return domain_error(ApiInputError(code, field, findings=findings))
    return domain_error(ApiInputError("invalid_body", field, findings=findings, status=422))


def _flat(words: Any) -> list[str]:
    if isinstance(words, dict):
        return [f"{k}: {m}" for k, v in words.items() for m in _flat(v)]
    if isinstance(words, list):
        return [str(w) for w in words]
    return [str(words)]


def _too_large(err: HTTPException) -> Any:
    return domain_error(BodyTooLarge(kb=_body_limit() // 1024))
