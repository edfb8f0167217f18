"""Access control: every endpoint is guarded or explicitly public, and the matrix holds."""

from __future__ import annotations

import pytest
from flask import Flask

from app.access import Permission, can
from app.models.users import Role
from tests.factories import PASSWORD, make_mediation_org, make_user
from tests.helpers import Browser


def test_every_endpoint_is_guarded_or_explicitly_public(app: Flask) -> None:
    unmarked = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not hasattr(app.view_functions[rule.endpoint], "__access__")
    ]
    assert unmarked == []


def test_public_endpoints_are_exactly_the_expected_ones(app: Flask) -> None:
    public = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__access__ == "public"
    )
    # The invitation steps are public: the debtor has no account yet (each step checks
    # the invitation itself). Anyone may check a document at /verify, or ask to reset a
    # forgotten password (the answers never tell whether an account exists). The load
    # balancer's probes carry no credentials (app/web/health.py). The API's description
    # (its OpenAPI document and reference page) shows no data (app/api/docs.py).
    assert public == [
        "account.set_language",
        "api_docs.openapi",
        "api_docs.reference",
        "auth.login",
        "health.healthz",
        "health.readyz",
        "home.index",
        "invite.code",
        "invite.decline",
        "invite.declined",
        "invite.identity",
        "invite.join",
        "invite.start",
        "recovery.forgot",
        "recovery.reset",
        "static",
        "verify.index",
    ]


def test_permissions_are_named_resource_action() -> None:
    for permission in Permission:
        resource, _, action = permission.value.partition(":")
        assert resource and action, permission


# (method, url, roles allowed). Anonymous visitors are sent to sign in; other roles get 403.
MATRIX = [
    ("GET", "/creditor", {Role.CREDITOR}),
    ("GET", "/debtor", {Role.DEBTOR}),
    ("GET", "/mediator", {Role.MEDIATOR, Role.ADMIN}),
    ("GET", "/admin/", {Role.ADMIN}),
    ("GET", "/account/", set(Role)),
    ("POST", "/admin/organisation", {Role.ADMIN}),
    ("POST", "/admin/creditors", {Role.ADMIN}),
    ("POST", "/admin/users", {Role.ADMIN}),
    ("POST", "/admin/audit/verify", {Role.ADMIN}),
    ("GET", "/admin/organisation/seal.png", {Role.ADMIN}),
]


def _call(browser: Browser, method: str, url: str):
    if method == "GET":
        return browser.get(url)
    return browser.submit(url, {}, page="/login")


@pytest.mark.parametrize(("method", "url", "allowed"), MATRIX)
def test_anonymous_visitors_are_sent_to_sign_in(browser: Browser, method, url, allowed) -> None:
    response = _call(browser, method, url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("method", "url", "allowed"), MATRIX)
@pytest.mark.parametrize("role", list(Role))
def test_roles_outside_the_matrix_are_refused(
    browser: Browser, method: str, url: str, allowed: set[Role], role: Role
) -> None:
    user = make_user(role)
    browser.login(user.email, PASSWORD)
    response = _call(browser, method, url)
    if role in allowed:
        assert response.status_code != 403, (role, url)
        assert not response.headers.get("Location", "").startswith("/login"), (role, url)
    else:
        assert response.status_code == 403, (role, url)


def test_locked_user_has_no_permissions(app: Flask) -> None:
    user = make_user(Role.ADMIN, is_locked=True)
    assert not can(user, Permission.ACCOUNT_MANAGE)


def test_admin_cannot_manage_another_organisations_staff(browser: Browser) -> None:
    admin = make_user(Role.ADMIN)
    foreign = make_user(Role.MEDIATOR, mediation_org=make_mediation_org())
    browser.login(admin.email, PASSWORD)
    response = browser.submit(f"/admin/users/{foreign.id}/lock", page="/admin/")
    assert response.status_code == 404
    assert can(admin, Permission.USER_MANAGE, foreign) is False


def test_admin_cannot_lock_themself(browser: Browser) -> None:
    admin = make_user(Role.ADMIN)
    browser.login(admin.email, PASSWORD)
    assert browser.submit(f"/admin/users/{admin.id}/lock", page="/admin/").status_code == 404


def test_admin_sees_only_own_organisation_seal(browser: Browser) -> None:
    org = make_mediation_org(seal_image=b"\x89PNG\r\n\x1a\nown", seal_mime="image/png")
    other = make_mediation_org(seal_image=b"\x89PNG\r\n\x1a\nother", seal_mime="image/png")
    admin = make_user(Role.ADMIN, mediation_org=org)
    browser.login(admin.email, PASSWORD)
    body = browser.get("/admin/organisation/seal.png").data
    assert body.endswith(b"own")
    assert other.id != org.id
