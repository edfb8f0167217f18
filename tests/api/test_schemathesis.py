"""Every operation of the OpenAPI document, called through WSGI with data generated from
it (schemathesis): valid data and invalid data, with a token of every scope. No answer is
a server error; each answer's status, media type and body are the ones the document
declares; invalid data is refused. Examples are few per operation (the run stays well
under two minutes); the pinned seed makes a failure reproducible."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.cases.lifecycle import accept_case
from app.extensions import db
from app.models.users import Role, User
from app.models.webhooks import WebhookDelivery, WebhookEndpoint
from app.rules.cases import CaseState
from app.webhooks.endpoints import register_endpoint
from tests.api.conftest import Caller
from tests.factories import make_case, make_mediation_org, make_user

EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _authenticated(case: schemathesis.Case, caller: Caller) -> dict[str, str]:
    """The token in place of the generated bearer credentials; none when the generated
    ``Authorization`` is itself the invalid part (missing, not a bearer): then the 401 is
    what is tested."""
    if not (case.headers or {}).get("Authorization", "").startswith("Bearer "):
        return {"Accept-Language": "en"}
    return caller.headers()


def _transaction_still_usable(case: schemathesis.Case, status: int) -> None:
    """A request that met a database error must not answer as if nothing happened: on
    PostgreSQL the failed statement would leave the transaction aborted (every later
    statement refused), which here — all requests on the test's one connection — shows
    as the next request failing. Name the request that did it."""
    try:
        db.session.execute(text("SELECT 1"))
    except DBAPIError as err:  # pragma: no cover - only when a request swallowed an error
        raise AssertionError(
            f"{case.operation.label} {case.path_parameters} {case.query} answered {status} "
            f"but left the database transaction unusable: {err.orig!r}"
        ) from err


@pytest.fixture
def no_rate_limit(app: Flask) -> None:
    """Generated requests come faster than a client's quota: no 429 in this run."""
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], api_rate_limit="")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(
    app: Flask,
    no_rate_limit: None,
    make_caller: Callable[..., Caller],
    org_people: dict[str, User],
    mode: GenerationMode,
) -> None:
    caller = make_caller()
    draft = make_case(org_people["admin"], state=CaseState.DRAFT)
    endpoint, delivery = _webhook_with_a_delivery(org_people["admin"])
    own_ids = {"case_id": draft.id, "endpoint_id": endpoint.id, "delivery_id": delivery.id}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = CHECKS + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])
    operations = [result.ok() for result in schema.get_all_operations()]
    # A removal last: the other operations reach the endpoint while it exists.
    operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
    assert len(operations) >= 16
    answered: dict[str, set[int]] = {}
    for operation in operations:
        # half on the token's organisation's own case, endpoint or delivery, half on
        # whatever id is generated
        for own in (True, False):
            ids = {p.name: own_ids[p.name] for p in operation.path_parameters if p.name in own_ids}
            if own and not ids:
                continue
            strategy = operation.as_strategy(
                generation_mode=mode,
                path_parameters=ids if own else None,
            )

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @seed(20261205)
            def call(case: schemathesis.Case) -> None:
                response = case.call(headers=_authenticated(case, caller))
                answered.setdefault(case.operation.label, set()).add(response.status_code)
                _transaction_still_usable(case, response.status_code)
                case.validate_response(response, checks=checks)

            call()
    # every operation was called, and the token's own data was reached
    assert set(answered) == {operation.label for operation in operations}
    if mode == GenerationMode.POSITIVE:
        assert 200 in answered["GET /api/v1/cases"]
        assert 200 in answered["GET /api/v1/cases/{case_id}"]
        assert 200 in answered["GET /api/v1/webhooks"]
        assert 200 in answered["GET /api/v1/webhooks/{endpoint_id}/deliveries"]
        assert 204 in answered["DELETE /api/v1/webhooks/{endpoint_id}"]


def _webhook_with_a_delivery(admin: User) -> tuple[WebhookEndpoint, WebhookDelivery]:
    """An endpoint of the organisation (nothing listens at its address: each attempt fails
    at once) and one delivery to it, from a case's move."""
    assert admin.creditor_org is not None
    endpoint, _ = register_endpoint(
        admin, admin.creditor_org, "http://127.0.0.1:9/concord", ["case.state_changed"]
    )
    mediator = make_user(Role.MEDIATOR, mediation_org=make_mediation_org())
    accept_case(mediator, make_case(admin, mediator=mediator, state=CaseState.SUBMITTED))
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    return endpoint, delivery
