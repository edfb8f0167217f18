"""The demo's API token: one for the bank's organisation (every scope), made with the
tokens page's own use case the first time ``flask seed-demo`` runs. Its secret is printed
then, with a first call to try; it is never stored, so a later run cannot print it again
(the bank's administrator makes another on /creditor/api-tokens)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.accounts.api_tokens import SCOPES, create_token
from app.extensions import db
from app.models.api_tokens import ApiToken
from app.models.users import User

DEMO_TOKEN_NAME = "Demo (flask seed-demo)"  # noqa: S105 (a name)


def seed_api_token() -> list[str]:
    bank = db.session.scalars(select(User).where(User.email == "bank@demo.concord")).one()
    assert bank.creditor_org is not None
    exists = db.session.scalar(
        select(ApiToken.id).where(
            ApiToken.creditor_org_id == bank.creditor_org_id, ApiToken.name == DEMO_TOKEN_NAME
        )
    )
    if exists is not None:
        return []
    _, secret = create_token(bank, bank.creditor_org, DEMO_TOKEN_NAME, SCOPES)
    base = current_app.config["SETTINGS"].public_url
    return [
        f"API token of {bank.creditor_org.name} (every scope; shown this once): {secret}",
        f"  curl -H 'Authorization: Bearer {secret}' {base}/api/v1/cases",
        f"  API reference: {base}/api/v1/docs",
    ]
