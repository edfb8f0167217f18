"""``flask seed-demo``'s API token: made once for the bank, its secret printed with a
first call that works; a second run prints nothing and makes nothing."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.demo.api_token import seed_api_token
from app.extensions import db
from app.models.api_tokens import ApiToken
from app.models.users import Role
from tests.factories import make_mediation_org, make_user


def test_the_demo_token_is_made_once_and_its_curl_works(app: Flask) -> None:
    make_mediation_org()
    make_user(Role.CREDITOR, email="bank@demo.concord", is_creditor_admin=True)
    lines = seed_api_token()
    secret = lines[0].rsplit(" ", 1)[1]
    assert secret.startswith("cnc_")
    assert lines[1].startswith(f"  curl -H 'Authorization: Bearer {secret}' http")
    assert lines[1].endswith("/api/v1/cases")
    answer = app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200 and answer.get_json()["items"] == []
    assert seed_api_token() == []
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
