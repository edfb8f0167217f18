"""A creditor organisation's API tokens: created, named, scoped and revoked by its
administrator; looked up by the API (:mod:`app.api.auth`) from the bearer secret.

A secret is ``cnc_`` and 43 URL-safe characters (256 random bits): recognisable by
secret scanners, and never stored: the row keeps its SHA-256 (a fast hash is enough for a
secret nobody can guess) and its first characters, to tell tokens apart in the list. It
is shown once, to the administrator who created it."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.errors import Refused
from app.core.transaction import use_case
from app.extensions import db
from app.models.api_tokens import ApiToken
from app.models.organisations import CreditorOrganisation
from app.models.users import User

SECRET_PREFIX = "cnc_"  # noqa: S105 (the prefix, not a secret)
MAX_NAME = 100
MAX_TOKENS = 50  # active tokens per organisation

# What a token may do (OAuth-style scope names, RFC 6749 §3.3); the labels are the page's.
SCOPES = {
    "cases:read": _l("Read cases, their proposals, agreement and repayments"),
    "cases:write": _l("Create draft cases and submit them"),
    "evidence:write": _l("Upload evidence to cases"),
    "payments:write": _l("Record payments received"),
    "webhooks:manage": _l("Manage webhook subscriptions"),
}


class TokenRefused(Refused):
    messages = {
        "token_scopes": _l("Choose at least one scope for the token."),
        "token_name": _l("Give the token a name (up to 100 characters)."),
        "token_too_many": _l("The organisation has too many active tokens: revoke one first."),
        "token_revoked": _l("This token is already revoked."),
    }


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def tokens_of(org: CreditorOrganisation) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.creditor_org_id == org.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
    )


@use_case
def create_token(
    actor: User, org: CreditorOrganisation, name: str, scopes: Iterable[str]
) -> tuple[ApiToken, str]:
    """A new token for ``org`` with ``scopes``; returns it and its secret (shown once)."""
    name = (name or "").strip()
    chosen = sorted(set(scopes))
    if not name or len(name) > MAX_NAME:
        raise TokenRefused("token_name", "name", status=400)
    if not chosen or not set(chosen) <= SCOPES.keys():
        raise TokenRefused("token_scopes", "scopes", status=400)
    active = db.session.scalars(
        select(ApiToken.id).where(ApiToken.creditor_org_id == org.id, ApiToken.revoked_at.is_(None))
    ).all()
    if len(active) >= MAX_TOKENS:
        raise TokenRefused("token_too_many")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        creditor_org_id=org.id,
        created_by_id=actor.id,
        name=name,
        prefix=secret[:8],
        secret_sha256=hash_secret(secret),
        scopes=" ".join(chosen),
        created_at=clock.now(),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        AuditAction.API_TOKEN_CREATE,
        actor=actor,
        object_type="api_token",
        object_id=token.id,
        data={"name": name, "scopes": chosen, "prefix": token.prefix},
    )
    return token, secret


@use_case
def revoke_token(actor: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        raise TokenRefused("token_revoked")
    token.revoked_at = clock.now()
    token.revoked_by_id = actor.id
    audit.record(
        AuditAction.API_TOKEN_REVOKE,
        actor=actor,
        object_type="api_token",
        object_id=token.id,
        data={"name": token.name, "prefix": token.prefix},
    )


def token_for_secret(secret: str) -> ApiToken | None:
    """The active token whose secret this is, if its creator's account is still active and
    still in the organisation; else ``None`` (the API answers 401 the same way for all)."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.secret_sha256 == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = token.created_by
    if not user.is_active or user.creditor_org_id != token.creditor_org_id:
        return None
    return token
