"""The API's description: ``/api/v1/openapi.json`` (OpenAPI 3.1, generated from the views'
schemas by flask-smorest) and ``/api/v1/docs``, a reference page rendered by Swagger UI
from files served by the app (``static/vendor/swagger-ui``: no CDN, and the site's
Content-Security-Policy holds: external script and style only). Swagger UI rather than
Redoc: Redoc injects ``<style>`` elements, which ``style-src 'self'`` refuses.

Both are public: they describe the API and show no data. The committed copy of the
document (``docs/openapi.json``) is compared with the generated one by a test; after a
change of the API run ``flask api openapi > docs/openapi.json``."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, render_template, url_for
from werkzeug.wrappers import Response

from app.access import public

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


def openapi_document() -> dict[str, Any]:
    return current_app.extensions["concord_api"].spec.to_dict()  # type: ignore[no-any-return]


def openapi_text() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@bp.route("/openapi.json")
@public
def openapi() -> Response:
    return Response(openapi_text(), mimetype="application/json")


@bp.route("/docs")
@public
def reference() -> str:
    return render_template("api/docs.html", spec_url=url_for("api_docs.openapi"))
