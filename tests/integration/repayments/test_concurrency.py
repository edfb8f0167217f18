"""Two answers to the same reported payment at the same instant, and the same payment
recorded twice at once: exactly one lands, the other is refused whole.

Real threads, each with its own application context and session, on a database of the
test's own (PostgreSQL in CI's second pass). The payment's version column stops the later
confirmation; the unique (case, reference) constraint stops the later insert.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import DomainError
from app.extensions import db
from app.models import AuditEvent, Case
from app.models.repayments import PaymentStatus, RepaymentBreach, RepaymentPayment
from app.models.users import User
from app.repayments.common import performance_of
from app.repayments.decisions import confirm_payment
from app.repayments.payments import Proof, record_payment, report_payment
from app.repayments.watch import watch_repayments
from tests.repayment_support import PDF, entry, performing_case

ROUNDS = 3
BEIJING = ZoneInfo("Asia/Shanghai")
Job = Callable[[threading.Barrier], str]


def _race(app: Flask, *jobs: Job) -> list[str]:
    barrier = threading.Barrier(len(jobs), timeout=30)
    results = ["" for _ in jobs]

    def run(index: int, job: Job) -> None:
        with app.app_context():
            try:
                results[index] = job(barrier)
            except DomainError as err:
                results[index] = f"refused:{err.code}"
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


def _events(action: str, case_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.case_id == case_id)
    )


def _confirm(user_id: int, case_id: int, payment_id: int) -> Job:
    def job(barrier: threading.Barrier) -> str:
        user = db.session.get_one(User, user_id)
        case = db.session.get_one(Case, case_id)
        barrier.wait()
        confirm_payment(user, case, payment_id)
        return "confirmed"

    return job


def _record(user_id: int, case_id: int) -> Job:
    def job(barrier: threading.Barrier) -> str:
        user = db.session.get_one(User, user_id)
        case = db.session.get_one(Case, case_id)
        barrier.wait()
        outcome = record_payment(user, case, entry("700.00", "SAME-REF"))
        return "duplicate" if outcome.duplicate else "recorded"

    return job


@pytest.mark.commits
def test_two_confirmations_at_the_same_instant_one_lands(app: Flask) -> None:
    for _ in range(ROUNDS):
        who, case, _ = performing_case()
        payment = report_payment(
            who["debtor"], case, entry("900.00", "R"), Proof(io.BytesIO(PDF), "r.pdf")
        ).payment
        ids = (case.id, payment.id)
        results = _race(
            app,
            _confirm(who["creditor"].id, *ids),
            _confirm(who["creditor_colleague"].id, *ids),
        )
        assert results.count("confirmed") == 1, results
        assert [r for r in results if r != "confirmed"][0] in (
            "refused:conflict",
            "refused:already_decided",
        ), results
        db.session.expire_all()
        assert db.session.get_one(RepaymentPayment, payment.id).status == PaymentStatus.CONFIRMED
        assert _events("case:payment:confirm", case.id) == 1


@pytest.mark.commits
def test_the_same_payment_recorded_twice_at_once_counts_once(app: Flask) -> None:
    for _ in range(ROUNDS):
        who, case, _ = performing_case()
        results = _race(
            app,
            _record(who["creditor"].id, case.id),
            _record(who["creditor_colleague"].id, case.id),
        )
        assert results.count("recorded") == 1, results
        assert [r for r in results if r != "recorded"][0] in ("duplicate", "refused:conflict")
        db.session.expire_all()
        rows = db.session.scalar(
            select(func.count())
            .select_from(RepaymentPayment)
            .where(RepaymentPayment.case_id == case.id)
        )
        assert rows == 1
        assert _events("case:payment:record", case.id) == 1


def _watch(barrier: threading.Barrier) -> str:
    barrier.wait()
    return str(watch_repayments())


@pytest.mark.commits
def test_two_workers_watching_at_once_record_the_breach_once(app: Flask, frozen_clock: Any) -> None:
    for _ in range(ROUNDS):
        _, case, agreement = performing_case()
        status = performance_of(case, clock.today())
        assert status is not None
        breach_day = status.plan.instalments[0].grace_ends + timedelta(days=1)
        frozen_clock.move_to(datetime.combine(breach_day, time(10), tzinfo=BEIJING))
        results = _race(app, _watch, _watch)
        assert sorted(results) == ["0", "1"], results
        db.session.expire_all()
        breaches = db.session.scalar(
            select(func.count())
            .select_from(RepaymentBreach)
            .where(RepaymentBreach.agreement_id == agreement.id)
        )
        assert breaches == 1
        assert _events("case:breach", case.id) == 1
