"""Bodies larger than the configured limit are refused with a clear answer, and the
responses carry the headers a careful site sends."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models.users import Role
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser


def _limit(app: Flask) -> int:
    return int(app.config["MAX_CONTENT_LENGTH"])


def test_oversized_form_body_gets_413_with_a_message(app: Flask, browser: Browser) -> None:
    body = b"identifier=" + b"x" * (_limit(app) + 1)
    answer = browser.client.post(
        "/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 303  # back to the form (post/redirect/get) with the message
    response = browser.get(answer.headers["Location"])
    assert response.status_code == 413
    assert "您提交的内容超过了 20 MB 的上限" in response.get_data(as_text=True)


def test_oversized_upload_is_refused_and_nothing_changes(app: Flask, browser: Browser) -> None:
    admin = make_user(Role.ADMIN)
    browser.login(admin.email, PASSWORD)
    big = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * (_limit(app) + 10))
    # Encoded in memory: the test client would spool a body this large to a temp file.
    boundary, body = encode_multipart(
        {
            "csrf_token": browser.token("/admin/"),
            "org-name": "新名称",
            "org-seal": FileStorage(big, "seal.png", content_type="image/png"),
        }
    )
    response = browser.client.post(
        "/admin/organisation",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    db.session.refresh(admin.mediation_org)
    assert admin.mediation_org.name != "新名称"
    assert admin.mediation_org.seal_image is None


def test_api_clients_get_json_errors(browser: Browser) -> None:
    response = browser.client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
    assert response.get_json()["error"]


def test_unknown_page_is_a_friendly_404(browser: Browser) -> None:
    response = browser.get("/no/such/page")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


def test_security_headers_are_sent(browser: Browser) -> None:
    headers = browser.get("/login").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def _routes_with_ids(app: Flask) -> list[tuple[str, str, list[str]]]:
    routes = []
    for rule in app.url_map.iter_rules():
        ids = [name for name, conv in rule._converters.items() if conv.regex == r"\d+"]
        if ids:
            methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
            # GET, else POST, else the route's one method (the API's DELETE)
            method = next((m for m in ("GET", "POST") if m in methods), min(methods))
            routes.append((rule.rule, method, ids))
    return routes


def test_ids_no_row_can_have_are_404_on_every_route(app: Flask, browser: Browser) -> None:
    """Past 32 bits (PostgreSQL's INTEGER) and past 64 bits (SQLite's), an id is refused by
    the route itself, whoever asks, before any query could overflow."""
    admin = make_user(Role.ADMIN)
    browser.login(admin.email, PASSWORD)
    routes = _routes_with_ids(app)
    assert len(routes) >= 30  # every case, evidence, proposal, agreement and package route
    for rule, method, ids in routes:
        for huge in (2**31, 2**63, 2**64 + 1):
            url = rule
            for name in ids:
                url = url.replace(f"<int:{name}>", str(huge))
            url = url.replace("<thread>", "joint")
            response = browser.client.open(url, method=method, data={"mediator_id": "1"})
            assert response.status_code == 404, (method, url, response.status_code)


def _verify_upload(browser: Browser, size: int) -> Any:
    return browser.upload(
        "/verify", {"file": (b"%PDF-1.7\n" + b"\0" * (size - 9), "big.pdf")}, page="/verify"
    )


def test_verify_takes_files_above_the_evidence_limit(app: Flask, browser: Browser) -> None:
    # 25 MB: over MAX_UPLOAD_MB (20), under /verify's own 40; the CSRF check reads the form
    # first, and must be held to /verify's limit too.
    response = _verify_upload(browser, 25 * 1024 * 1024)
    assert response.status_code == 200
    assert "PDF 文件已损坏或不完整" in response.get_data(as_text=True)


def test_verify_refuses_more_than_its_limit_with_a_clear_413(browser: Browser) -> None:
    response = _verify_upload(browser, 41 * 1024 * 1024)
    assert response.status_code == 413
    assert "您提交的内容超过了 40 MB 的上限" in response.get_data(as_text=True)


def test_the_verify_page_shows_its_limit(app: Flask, browser: Browser) -> None:
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], verify_max_mb=30)
    assert "30 MB" in browser.get("/verify").get_data(as_text=True)
    assert _verify_upload(browser, 31 * 1024 * 1024).status_code == 413


def test_other_pages_keep_the_global_limit(app: Flask, browser: Browser) -> None:
    body = b"identifier=" + b"x" * (25 * 1024 * 1024)
    answer = browser.client.post(
        "/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 303
    assert browser.get(answer.headers["Location"]).status_code == 413
