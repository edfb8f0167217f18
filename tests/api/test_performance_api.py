"""/api/v1/cases/{id}/proposals, /agreement, /agreement.pdf, /repayments and /payments:
what the creditor's pages show, for the token's organisation only; a payment recorded
through the plan's checks, once per Idempotency-Key and once per reference."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.accounts.api_tokens import create_token
from app.core.storage import blob_store
from app.extensions import db
from app.models import AuditEvent
from app.models.repayments import RepaymentPayment
from app.rules.cases import CaseState
from tests.api.conftest import Caller
from tests.factories import make_case
from tests.repayment_support import performing_case

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(app: Flask):
    who, case, agreement = performing_case()
    creditor = who["creditor"]
    token, secret = create_token(
        creditor, creditor.creditor_org, "ERP", ["cases:read", "payments:write"]
    )
    return {
        "who": who,
        "case": case,
        "agreement": agreement,
        "caller": Caller(app.test_client(), secret, token),
    }


def _payments() -> int:
    return db.session.scalar(select(func.count()).select_from(RepaymentPayment)) or 0


def test_the_proposals_agreement_and_plan_are_read(world) -> None:
    caller, case = world["caller"], world["case"]
    proposals = caller.get(f"/api/v1/cases/{case.id}/proposals")
    assert proposals.status_code == 200
    items = proposals.get_json()["items"]
    assert items and items[0]["state"] == "accepted" and items[0]["instalments"]

    agreement = caller.get(f"/api/v1/cases/{case.id}/agreement").get_json()
    assert agreement["status"] == "in_force" and agreement["version"] == 1
    assert {s["role"] for s in agreement["signatures"]} >= {"debtor", "creditor", "mediator"}

    plan = caller.get(f"/api/v1/cases/{case.id}/repayments").get_json()
    assert plan["state"] == "on_track" and plan["total"] == "24000.00"
    assert len(plan["instalments"]) == 24 and plan["payments"] == []
    assert sum(Decimal(i["amount"]) for i in plan["instalments"]) == Decimal("24000.00")


def test_the_agreement_pdf_is_the_stored_bytes_and_its_download_is_audited(world) -> None:
    blob = blob_store().put(io.BytesIO(PDF), 1024 * 1024)
    world["agreement"].current_sha256 = blob.sha256
    db.session.commit()
    caller, case = world["caller"], world["case"]
    response = caller.get(f"/api/v1/cases/{case.id}/agreement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.get_data() == PDF and response.headers["X-Content-SHA256"] == blob.sha256
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case:agreement:download")
        )
        == 1
    )


def test_a_payment_is_recorded_once(world) -> None:
    caller, case = world["caller"], world["case"]
    body = {
        "amount": "1000.00",
        "paid_on": "2026-12-01",
        "channel": "bank_transfer",
        "reference": "TX-1",
    }
    first = caller.post_json(f"/api/v1/cases/{case.id}/payments", body, key="p-1")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["payment"]["status"] == "recorded"
    assert first.get_json()["duplicate"] is False
    replay = caller.post_json(f"/api/v1/cases/{case.id}/payments", body, key="p-1")
    assert replay.get_json() == first.get_json()
    # the same payment under a new key: the plan's own rule finds it on record
    again = caller.post_json(f"/api/v1/cases/{case.id}/payments", body, key="p-2")
    assert again.status_code == 201 and again.get_json()["duplicate"] is True
    assert _payments() == 1
    plan = caller.get(f"/api/v1/cases/{case.id}/repayments").get_json()
    assert plan["paid"] == "1000.00" and [p["reference"] for p in plan["payments"]] == ["TX-1"]


def test_a_payment_the_plan_refuses_is_a_problem_at_its_field(world) -> None:
    caller, case = world["caller"], world["case"]
    body = {"amount": "1.2.3", "paid_on": "2026-12-01", "channel": "cash", "reference": "X"}
    response = caller.post_json(f"/api/v1/cases/{case.id}/payments", body)
    assert response.status_code == 400 and response.get_json()["field"] == "amount"
    future = body | {"amount": "10", "paid_on": "2027-01-01"}
    refused = caller.post_json(f"/api/v1/cases/{case.id}/payments", future, key="k-2")
    assert 400 <= refused.status_code < 500 and refused.mimetype == "application/problem+json"
    assert _payments() == 0


def test_payments_need_their_scope(app: Flask, world) -> None:
    creditor = world["who"]["creditor"]
    token, secret = create_token(creditor, creditor.creditor_org, "RO", ["cases:read"])
    reader = Caller(app.test_client(), secret, token)
    body = {"amount": "10", "paid_on": "2026-12-01", "channel": "cash", "reference": "R"}
    response = reader.post_json(f"/api/v1/cases/{world['case'].id}/payments", body)
    assert response.status_code == 403
    assert _payments() == 0


def test_another_organisation_sees_none_of_it(world, caller: Caller) -> None:
    case = world["case"]
    for path in ("proposals", "agreement", "agreement.pdf", "repayments"):
        assert caller.get(f"/api/v1/cases/{case.id}/{path}").status_code == 404, path
    body = {"amount": "10", "paid_on": "2026-12-01", "channel": "cash", "reference": "R"}
    assert caller.post_json(f"/api/v1/cases/{case.id}/payments", body).status_code == 404
    assert _payments() == 0


def test_before_its_stage_a_case_of_ours_says_so(caller: Caller, org_people) -> None:
    draft = make_case(org_people["admin"], state=CaseState.DRAFT)
    response = caller.get(f"/api/v1/cases/{draft.id}/repayments")
    assert response.status_code == 409 and response.get_json()["code"] == "wrong_state"
    assert caller.get(f"/api/v1/cases/{draft.id}/proposals").get_json() == {"items": []}
