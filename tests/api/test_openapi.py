"""The OpenAPI document: generated from the code, committed as docs/openapi.json (a change
of the API must change the committed copy: `flask api openapi > docs/openapi.json`), served
with the reference page, whose assets are the app's own under the site's CSP."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask

from app.api.docs import openapi_text

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_document_is_the_generated_one(app: Flask) -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(), (
        "the API changed: run `flask api openapi > docs/openapi.json` and commit it"
    )


def test_the_document_is_openapi_3_1_and_every_operation_needs_a_token(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    operations = [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert {(p, m) for p, m, _ in operations} >= {
        ("/api/v1/cases", "get"),
        ("/api/v1/cases", "post"),
        ("/api/v1/cases/{case_id}", "get"),
        ("/api/v1/cases/{case_id}/submit", "post"),
        ("/api/v1/cases/{case_id}/evidence", "post"),
        ("/api/v1/cases/{case_id}/proposals", "get"),
        ("/api/v1/cases/{case_id}/agreement", "get"),
        ("/api/v1/cases/{case_id}/agreement.pdf", "get"),
        ("/api/v1/cases/{case_id}/repayments", "get"),
        ("/api/v1/cases/{case_id}/payments", "post"),
        ("/api/v1/webhooks", "get"),
        ("/api/v1/webhooks", "post"),
        ("/api/v1/webhooks/{endpoint_id}", "delete"),
        ("/api/v1/webhooks/{endpoint_id}/deliveries", "get"),
        ("/api/v1/webhooks/deliveries/{delivery_id}/replay", "post"),
    }
    for path, method, op in operations:
        assert op["security"] == [{"bearerAuth": []}], (path, method)
        problems = {s: r for s, r in op["responses"].items() if s.startswith(("4", "5"))}
        assert {"401", "403", "429"} <= problems.keys(), (path, method)
        for response in problems.values():
            assert list(response["content"]) == ["application/problem+json"]
        if method == "post":
            names = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
            assert "Idempotency-Key" in names, path


def test_every_api_route_refuses_a_caller_without_a_token(app: Flask) -> None:
    client = app.test_client()
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api_docs."):
            continue
        url = re.sub(r"<int:\w+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 401, (method, url)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            walked += 1
    assert walked >= 15


def test_the_reference_page_uses_only_the_apps_own_assets(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script>" not in html and "http" not in html.replace('href="/', "")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    for asset in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/js/api-docs.js",
    ):
        assert asset in html
        response = client.get(asset)
        assert response.status_code == 200 and len(response.get_data()) > 100
        response.close()
    assert json.loads(client.get("/api/v1/openapi.json").get_data())["info"]["title"]
