"""Two restructuring requests filed at the same instant, and the creditor's two people
accepting the same terms at once: exactly one lands, the other is refused whole.

Real threads, each with its own application context and session, on the test's own
database. The request's unique ``open_case_id`` stops the second request; the case row
claimed first and the request's version column stop the second acceptance.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Case
from app.models.restructuring import RequestStatus, RestructuringRequest
from app.models.users import User
from app.restructuring import requests
from tests import restructuring_support as support
from tests.integration.repayments.test_concurrency import ROUNDS, Job, _race


def _file(user_id: int, case_id: int) -> Job:
    def job(barrier) -> str:
        user = db.session.get_one(User, user_id)
        case = db.session.get_one(Case, case_id)
        schedule = support.new_schedule()
        barrier.wait()
        requests.file_request(user, case, "失业", schedule)
        return "filed"

    return job


def _accept(user_id: int, case_id: int) -> Job:
    def job(barrier) -> str:
        user = db.session.get_one(User, user_id)
        case = db.session.get_one(Case, case_id)
        barrier.wait()
        requests.accept_offer(user, case)
        return "accepted"

    return job


def _events(action: str, case_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.case_id == case_id)
    )


@pytest.mark.commits
def test_two_requests_at_the_same_instant_one_lands(app: Flask) -> None:
    for _ in range(ROUNDS):
        who, case, _ = support.partly_paid_case()
        results = _race(app, _file(who["debtor"].id, case.id), _file(who["debtor"].id, case.id))
        assert results.count("filed") == 1, results
        assert [r for r in results if r != "filed"][0] in (
            "refused:conflict",
            "refused:already_open",
        ), results
        db.session.expire_all()
        rows = db.session.scalar(
            select(func.count())
            .select_from(RestructuringRequest)
            .where(RestructuringRequest.case_id == case.id)
        )
        assert rows == 1
        assert _events("case:restructuring:request", case.id) == 1


@pytest.mark.commits
def test_two_acceptances_at_the_same_instant_one_lands(app: Flask) -> None:
    for _ in range(ROUNDS):
        who, case, _ = support.partly_paid_case()
        requests.file_request(who["debtor"], case, "失业", support.new_schedule())
        results = _race(
            app,
            _accept(who["creditor"].id, case.id),
            _accept(who["creditor_colleague"].id, case.id),
        )
        assert results.count("accepted") == 1, results
        assert [r for r in results if r != "accepted"][0] in (
            "refused:conflict",
            "refused:no_open_request",
        ), results
        db.session.expire_all()
        row = db.session.scalar(
            select(RestructuringRequest).where(RestructuringRequest.case_id == case.id)
        )
        assert row is not None and row.status == RequestStatus.ACCEPTED
        assert _events("case:restructuring:accept", case.id) == 1
