"""API fixtures: a creditor organisation with its administrator, and tokens made through
the same use case as the tokens page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.accounts.api_tokens import SCOPES, create_token
from app.models.api_tokens import ApiToken
from app.models.users import Role, User
from tests.factories import make_creditor_org, make_mediation_org, make_user


@dataclass
class Caller:
    """A client that sends a token with every request."""

    client: FlaskClient
    secret: str
    token: ApiToken

    def headers(self, key: str | None = None, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.secret}", "Accept-Language": "en", **extra}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.headers(), **kw)

    def post_json(self, url: str, body: Any, key: str | None = "k-1", **kw: Any) -> Any:
        return self.client.post(url, json=body, headers=self.headers(key), **kw)


@pytest.fixture
def org_people(app: Flask) -> dict[str, User]:
    org, other = make_creditor_org(), make_creditor_org()
    make_mediation_org()
    return {
        "admin": make_user(Role.CREDITOR, creditor_org=org, is_creditor_admin=True),
        "colleague": make_user(Role.CREDITOR, creditor_org=org),
        "other_admin": make_user(Role.CREDITOR, creditor_org=other, is_creditor_admin=True),
    }


@pytest.fixture
def make_caller(app: Flask, org_people: dict[str, User]) -> Callable[..., Caller]:
    def make(user: str = "admin", scopes: tuple[str, ...] = tuple(SCOPES)) -> Caller:
        person = org_people[user]
        assert person.creditor_org is not None
        token, secret = create_token(person, person.creditor_org, f"{user} system", scopes)
        return Caller(app.test_client(), secret, token)

    return make


@pytest.fixture
def caller(make_caller: Callable[..., Caller]) -> Caller:
    return make_caller()


DRAFT = {
    "debtor_name": "刘强",
    "debtor_id_number": "11010519491231002X",
    "debtor_phone": "13800138001",
    "contract_number": "HT-2024-001",
    "contract_date": "2024-03-01",
    "principal_lent": "50000",
    "annual_rate": "12",
    "term_months": 24,
    "outstanding_principal": "30000",
    "interest": "1500",
    "penalty": "300",
    "fees": "0",
    "overdue_since": "2025-06-01",
}
