"""Who calls the API: ``Authorization: Bearer cnc_…`` (RFC 6750), a token of a creditor
organisation (:mod:`app.accounts.api_tokens`), never a session cookie.

The token acts as the administrator who created it, so the same permission rules as the
pages apply (:func:`app.access.can`): a case of another organisation is a 404, a draft
can be edited only while it is one. The scope narrows what the token may do on top."""

from __future__ import annotations

from flask import g, request

from app.accounts.api_tokens import SCOPES, token_for_secret
from app.api.errors import NotAuthenticated, ScopeMissing
from app.models.api_tokens import ApiToken
from app.models.users import User

__all__ = ["SCOPES", "authenticate", "current_token", "current_user", "require_scope"]


def authenticate() -> ApiToken:
    """The token of this request, or 401."""
    scheme, _, secret = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated()
    token = token_for_secret(secret.strip())
    if token is None:
        raise NotAuthenticated()
    g.api_token = token
    return token


def require_scope(scope: str) -> ApiToken:
    token = authenticate()
    if scope not in token.scope_set:
        raise ScopeMissing(scope=scope)
    return token


def current_token() -> ApiToken:
    return g.api_token  # type: ignore[no-any-return]


def current_user() -> User:
    """The account the token acts as (its creator, an administrator of the organisation)."""
    return current_token().created_by
