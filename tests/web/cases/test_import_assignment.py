"""The mediators a bulk import assigns its cases to: within a chunk the eligible
mediators and their open cases are read once (app.core.memo) and counted as the chunk
assigns, so the choice is the rule's (the fewest open cases, the lowest id among equals)
row after row, exactly as cases submitted one by one; a declined case is chosen for
afresh, without the mediator who declined it."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.cases.assignment import choose_mediator
from app.cases.imports import run_import, start_import
from app.cases.lifecycle import decline_case, submit_case
from app.core import memo
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.users import Role
from app.rules.cases import CaseState
from tests.case_import_support import row, sheet_csv
from tests.factories import make_case, make_mediation_org, make_user


def test_an_import_spreads_its_cases_by_the_fewest_open_cases(app: Flask) -> None:
    org = make_mediation_org()
    busy = make_user(Role.MEDIATOR, mediation_org=org)
    free = [make_user(Role.MEDIATOR, mediation_org=org) for _ in range(2)]
    make_user(Role.MEDIATOR, mediation_org=org, is_locked=True)
    for _ in range(2):
        make_case(mediator=busy)
    creditor = make_user(Role.CREDITOR)
    sheet = sheet_csv([row(contract_number=f"HT-{n}") for n in range(6)])
    job = start_import(creditor, io.BytesIO(sheet), "cases.csv", org.id)
    run_import(job.id)  # again: already done (immediate mode ran it)
    cases = db.session.scalars(
        select(Case).where(Case.creditor_org_id == creditor.creditor_org_id).order_by(Case.id)
    ).all()
    assert len(cases) == 6
    a, b = free[0].id, free[1].id
    # open cases (a, b, busy): 0 0 2 → a, b; 1 1 2 → a, b; 2 2 2 → busy (the lowest
    # id among equals); 3 2 3... → a. The locked mediator never.
    assert busy.id < a < b
    assert [c.mediator_id for c in cases] == [a, b, a, b, busy.id, a]
    # the load recorded for each choice is the one the rule saw
    loads = [
        e.data["assignment"]["load"]
        for e in db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == "case:submit",
                AuditEvent.case_id.in_([c.id for c in cases]),
            )
            .order_by(AuditEvent.id)
        )
    ]
    assert loads == [0, 0, 1, 1, 2, 2]


def test_within_a_run_a_declined_case_leaves_out_who_declined_it(app: Flask) -> None:
    org = make_mediation_org()
    first = make_user(Role.MEDIATOR, mediation_org=org)
    second = make_user(Role.MEDIATOR, mediation_org=org)
    creditor = make_user(Role.CREDITOR)
    case = make_case(creditor=creditor, mediation_org_id=org.id, state=CaseState.DRAFT)
    submit_case(creditor, case)
    assert case.mediator_id == first.id
    decline_case(first, case, "与债权人存在业务往来。")
    with memo.remembering():
        other: Any = make_case(creditor=creditor, mediation_org_id=org.id, state=CaseState.DRAFT)
        assert choose_mediator(other).mediator is not None  # the loads remembered
        chosen = choose_mediator(case)
    assert chosen.mediator is not None and chosen.mediator.id == second.id


def test_each_imported_case_is_announced_to_the_organisations_webhooks(app: Flask) -> None:
    """The endpoints are read once per chunk: every case's move still queues a delivery
    to each endpoint that wants it, and none to an endpoint that does not."""
    from unittest import mock

    from app.models.webhooks import WebhookDelivery
    from app.webhooks.endpoints import register_endpoint
    from tests.factories import make_creditor_org

    org = make_mediation_org()
    make_user(Role.MEDIATOR, mediation_org=org)
    creditors = make_creditor_org()
    admin = make_user(Role.CREDITOR, creditor_org=creditors, is_creditor_admin=True)
    wanted = ["case.state_changed"]
    wants, _ = register_endpoint(admin, creditors, "https://a.example/hooks", wanted)
    register_endpoint(admin, creditors, "https://b.example/hooks", ["payment.recorded"])
    sheet = sheet_csv([row(contract_number=f"HT-W{n}") for n in range(3)])
    with mock.patch("app.webhooks.events.send_after_commit"):  # nothing sent out
        start_import(admin, io.BytesIO(sheet), "cases.csv", org.id)
    deliveries = db.session.scalars(select(WebhookDelivery)).all()
    assert [d.endpoint_id for d in deliveries] == [wants.id] * 3
    assert len({d.case_id for d in deliveries}) == 3
