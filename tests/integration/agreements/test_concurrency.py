"""Two parties signing the agreement at the same moment: both build on the same file, so
exactly one signature lands; the other is refused whole (nothing half-written: no
signature row, no registered file) and succeeds when tried again.

Real threads, each with its own application context and session, against the real
database (PostgreSQL in CI's second pass). The case row's version counter makes the
later writer fail; the use case turns that into ``Conflict``.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.agreements import signing as service
from app.core.errors import Conflict
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models import Agreement, AgreementSignature, Case, IssuedDocument
from app.models.users import User
from tests import agreement_support as support

ROUNDS = 3


def _prepared(app: Flask) -> dict[str, Any]:
    who = support.people()
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    codes = {}
    for role in ("debtor", "creditor"):
        service.send_signing_code(who[role], case, agreement, None)
        codes[role] = support.last_code(who[role])
    return {"case": case.id, "agreement": agreement.id, "who": who, "codes": codes}


def _sign_job(world: dict[str, Any], role: str):
    def job(barrier: threading.Barrier) -> str:
        user = db.session.get(User, world["who"][role].id)
        case = db.session.get(Case, world["case"])
        agreement = db.session.get(Agreement, world["agreement"])
        assert user and case and agreement
        case.mediation_org, case.creditor_org, agreement.signatures  # noqa: B018  (loaded)
        given = support.signature(agreement, world["codes"][role], typed_name=user.name)
        barrier.wait()
        try:
            service.sign_agreement(user, case, agreement, given)
        except Conflict:
            return "conflict"
        return "signed"

    return job


def _race(app: Flask, *jobs) -> list[str]:
    barrier = threading.Barrier(len(jobs), timeout=30)
    results = ["" for _ in jobs]

    def run(index: int, job) -> None:
        with app.app_context():
            try:
                results[index] = job(barrier)
            except Exception as exc:  # reported in the assertion, never swallowed
                results[index] = f"error: {exc!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def _count(model: type, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


@pytest.mark.commits
def test_two_signatures_at_the_same_moment_land_one_at_a_time(app: Flask) -> None:
    for _ in range(ROUNDS):
        world = _prepared(app)
        results = _race(app, _sign_job(world, "debtor"), _sign_job(world, "creditor"))
        assert sorted(results) == ["conflict", "signed"], results
        db.session.expire_all()
        assert _count(AgreementSignature, agreement_id=world["agreement"]) == 1
        assert _count(IssuedDocument, agreement_id=world["agreement"]) == 2  # base + one
        loser = ("debtor", "creditor")[results.index("conflict")]
        case = db.session.get(Case, world["case"])
        agreement = db.session.get(Agreement, world["agreement"])
        # Tried again (the code was not used up by the refused attempt), it lands.
        service.sign_agreement(
            world["who"][loser],
            case,
            agreement,
            support.signature(agreement, world["codes"][loser], typed_name="再次签署"),
        )
        db.session.refresh(agreement)
        assert service.signed_roles(agreement) == {"debtor", "creditor"}
        report = verify_pdf(documents.read_pdf(agreement.current_sha256), documents.trust_roots())
        assert report.accepted and len(report.signatures) == 3
