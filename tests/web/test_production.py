"""Production is HTTPS only: HSTS on every response and ``__Host-`` cookies (Secure, Path=/,
no Domain); development keeps plain names and no HSTS (it is served over plain HTTP)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from app.models.users import Role
from tests.conftest import IsolatedClient, make_settings
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser

pytestmark = pytest.mark.commits


def _app(instance_path: Path, database_url: str, app_env: str, **changes: object) -> Flask:
    settings = dataclasses.replace(
        make_settings(instance_path, database_url), app_env=app_env, **changes
    )
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def production(instance_path: Path, database_url: str) -> Iterator[Flask]:
    app = _app(instance_path, database_url, "production")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def development(instance_path: Path, database_url: str) -> Iterator[Flask]:
    app = _app(instance_path, database_url, "development")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _set_cookies(response: object) -> list[str]:
    return response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]


def test_production_sends_hsts_and_host_prefixed_secure_cookies(production: Flask) -> None:
    user = make_user(Role.MEDIATOR)
    db.session.commit()
    browser = Browser(production.test_client())
    browser.client.environ_base["wsgi.url_scheme"] = "https"
    page = browser.get("/login")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    [session_cookie] = _set_cookies(page)
    assert session_cookie.startswith("__Host-concord_session=")
    assert "Secure" in session_cookie and "Path=/" in session_cookie
    assert "Domain" not in session_cookie
    signed_in = browser.login(user.email, PASSWORD)
    assert signed_in.status_code == 302  # the CSRF token travelled in the __Host- cookie
    assert browser.get("/docket").status_code == 200
    language = browser.submit("/account/language", {"locale": "en"}, page="/docket")
    [lang] = [c for c in _set_cookies(language) if "lang=" in c]
    assert lang.startswith("__Host-concord_lang=en") and "Secure" in lang and "Path=/" in lang
    assert "Strict-Transport-Security" in browser.get("/no/such/page").headers


def test_development_has_no_hsts_and_plain_cookies(development: Flask) -> None:
    page = Browser(development.test_client()).get("/login")
    assert "Strict-Transport-Security" not in page.headers
    [session_cookie] = _set_cookies(page)
    assert session_cookie.startswith("concord_session=")
    assert "Secure" not in session_cookie


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(
    instance_path: Path, database_url: str
) -> None:
    app = _app(
        instance_path, database_url, "production", trusted_proxies=1, login_rate_limit="1/minute"
    )
    client = app.test_client()
    https = {"wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1"}

    def post(address: str) -> int:
        headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
        return client.post("/login", headers=headers, environ_base=https).status_code

    assert post("198.51.100.1") != 429
    assert post("198.51.100.2") != 429  # another client, through the same proxy
    assert post("198.51.100.1") == 429
    with app.app_context():
        db.engine.dispose()
