"""The organisation's API tokens page: its administrator creates a named, scoped token
(the secret shown once, only its hash stored) and revokes it; a colleague, another
organisation's administrator and the other roles are refused."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask
from sqlalchemy import select

from app.accounts.api_tokens import create_token
from app.extensions import db
from app.models import AuditEvent
from app.models.api_tokens import ApiToken
from app.models.users import Role, User
from tests.factories import PASSWORD, make_creditor_org, make_mediation_org, make_user
from tests.helpers import Browser

PAGE = "/creditor/api-tokens/"


@pytest.fixture
def people(app: Flask) -> dict[str, User]:
    org, other_org = make_creditor_org(), make_creditor_org()
    mediation = make_mediation_org()
    return {
        "admin": make_user(Role.CREDITOR, creditor_org=org, is_creditor_admin=True),
        "colleague": make_user(Role.CREDITOR, creditor_org=org),
        "other_admin": make_user(Role.CREDITOR, creditor_org=other_org, is_creditor_admin=True),
        "debtor": make_user(Role.DEBTOR),
        "mediator": make_user(Role.MEDIATOR, mediation_org=mediation),
        "org_admin": make_user(Role.ADMIN, mediation_org=mediation),
    }


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    return browser


def test_the_admin_creates_a_token_whose_secret_is_shown_once(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["admin"])
    response = browser.client.post(
        "/creditor/api-tokens/new",
        data={
            "csrf_token": browser.token(PAGE),
            "name": "ERP",
            "scopes": ["cases:read", "cases:write"],
        },
    )
    assert response.status_code == 303
    page = browser.get(PAGE).get_data(as_text=True)
    secret = page.split("<code data-secret>")[1].split("</code>")[0]
    assert secret.startswith("cnc_") and len(secret) >= 40
    token = db.session.scalar(select(ApiToken))
    assert token.name == "ERP" and token.scopes == "cases:read cases:write"
    assert token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8] and secret not in token.prefix + token.scopes
    # once: a reload shows the list, not the secret
    assert secret not in browser.get(PAGE).get_data(as_text=True)
    # and the API takes it
    api = app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "api_token:create" in actions


def test_the_profile_page_leads_to_the_tokens(app: Flask, people: dict[str, User]) -> None:
    page = _as(app, people["admin"]).get("/creditor/profile/").get_data(as_text=True)
    assert f'href="{PAGE}"' in page


def test_a_token_without_name_or_scope_is_refused_and_the_form_comes_back(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["admin"])
    response = browser.client.post(
        "/creditor/api-tokens/new",
        data={"csrf_token": browser.token(PAGE), "name": "ERP"},
    )
    assert response.status_code == 303 and response.location.endswith(PAGE)
    page = browser.get(PAGE)
    assert page.status_code == 400
    assert "Choose at least one scope" in page.get_data(as_text=True)
    assert 'value="ERP"' in page.get_data(as_text=True)
    unnamed = browser.client.post(
        "/creditor/api-tokens/new",
        data={"csrf_token": browser.token(PAGE), "scopes": "cases:read"},
    )
    assert unnamed.status_code == 303
    assert "Give the token a name" in browser.get(PAGE).get_data(as_text=True)
    forged = browser.client.post(
        "/creditor/api-tokens/new",
        data={"csrf_token": browser.token(PAGE), "name": "x", "scopes": "admin:all"},
    )
    assert forged.status_code == 303
    assert db.session.scalar(select(ApiToken)) is None


def test_revoking_twice_is_refused_with_a_303_back_to_the_page(
    app: Flask, people: dict[str, User]
) -> None:
    admin = people["admin"]
    token, secret = create_token(admin, admin.creditor_org, "ERP", ["cases:read"])
    browser = _as(app, admin)
    url = f"/creditor/api-tokens/{token.id}/revoke"
    first = browser.client.post(url, data={"csrf_token": browser.token(PAGE)})
    assert first.status_code == 303
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    again = browser.client.post(url, data={"csrf_token": browser.token(PAGE)})
    assert again.status_code == 303 and again.location.endswith(PAGE)
    assert browser.get(PAGE).status_code == 409
    api = app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


@pytest.mark.parametrize("who", ["colleague", "debtor", "mediator", "org_admin"])
def test_no_one_else_sees_or_changes_the_tokens(
    app: Flask, people: dict[str, User], who: str
) -> None:
    admin = people["admin"]
    token, _ = create_token(admin, admin.creditor_org, "ERP", ["cases:read"])
    browser = _as(app, people[who])
    expected = 404 if who == "colleague" else 403
    assert browser.get(PAGE).status_code == expected
    # a POST needs a CSRF token from some page of the site
    csrf = browser.token("/account/")
    revoke = browser.client.post(
        f"/creditor/api-tokens/{token.id}/revoke", data={"csrf_token": csrf}
    )
    assert revoke.status_code == expected
    create = browser.client.post(
        "/creditor/api-tokens/new",
        data={"csrf_token": csrf, "name": "mine", "scopes": "cases:read"},
    )
    assert create.status_code == expected
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert db.session.scalars(select(ApiToken)).all() == [token]


def test_another_organisations_admin_neither_sees_nor_revokes_ours(
    app: Flask, people: dict[str, User]
) -> None:
    admin = people["admin"]
    token, _ = create_token(admin, admin.creditor_org, "Our ERP", ["cases:read"])
    browser = _as(app, people["other_admin"])
    page = browser.get(PAGE)
    assert page.status_code == 200 and "Our ERP" not in page.get_data(as_text=True)
    revoke = browser.client.post(
        f"/creditor/api-tokens/{token.id}/revoke", data={"csrf_token": browser.token(PAGE)}
    )
    assert revoke.status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_a_token_stops_working_when_its_creator_is_locked(
    app: Flask, people: dict[str, User]
) -> None:
    admin = people["admin"]
    _, secret = create_token(admin, admin.creditor_org, "ERP", ["cases:read"])
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/cases", headers=headers).status_code == 200
    admin.is_locked = True
    db.session.commit()
    assert app.test_client().get("/api/v1/cases", headers=headers).status_code == 401
