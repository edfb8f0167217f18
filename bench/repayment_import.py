"""Statement import and enforcement figures.

``repayment_import_10k_s``: a creditor organisation's statement of 10,000 payment rows
(``CASES`` cases in performance, each with a debtor of its own, ``ROWS // CASES``
payments of 100 yuan each), read,
stored, matched by case reference and applied row by row exactly as the worker does
(:func:`app.repayments.imports.start_import` then :func:`apply_import`: each row its own
transaction with the creditor's payment checks, allocation, audit event and notice), on
SQLite. One run, wall time; ``repayment_import_rows_per_s`` is the same figure as a rate and
``repayment_import_10k_cpu_s`` the process's CPU time (the machine may be shared). The
notices the rows queue for the debtors are delivered by the outbox task on another worker:
that is not timed here.
The setup (one case settled through the real negotiation services, copied with its
agreement for the others) is not timed.

``enforcement_pdf_s``: rendering and certifying one enforcement application
(强制执行申请书, :func:`app.enforcement.application.generate_application`: WeasyPrint,
then the organisation's PAdES certification, then storing and auditing it) for a case
whose court-confirmed agreement is in breach; one warm-up run left out, the median of
``RUNS``. Development PKI, no time-stamping authority.

The clock travels to a fixed daytime instant (Beijing) so figures do not depend on the
hour the bench runs (quiet hours hold the debtor's notices at night).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from flask_migrate import upgrade
from sqlalchemy import inspect

from app import create_app
from app.cases.lifecycle import today
from app.core import jobs
from app.enforcement.application import generate_application
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.payment_imports import ImportStatus, PaymentImport
from app.models.users import Role
from app.repayments.imports import apply_import, start_import
from tests.agreement_support import people
from tests.conftest import make_settings
from tests.enforcement_support import breached_case
from tests.factories import make_user
from tests.repayment_support import performing_case, statement

ROWS = 10_000
CASES = 2_000
RUNS = 5
START = datetime(2026, 12, 1, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def bench_repayment_import(folder: Path | None = None) -> dict[str, float]:
    if folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            return bench_repayment_import(Path(tmp))
    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    with app.app_context(), time_machine.travel(START, tick=True):
        upgrade()
        who = people()
        _, template, agreement = performing_case(who)
        cases = [template, *(_copy(template, agreement, n) for n in range(1, CASES))]
        db.session.commit()
        day = today().isoformat()
        data = statement(
            *[
                (cases[n % CASES].reference, "100.00", day, "bank_transfer", f"BENCH-{n:05d}")
                for n in range(ROWS)
            ]
        )
        # Timed: what the web request and the import task do. Delivering the notices the
        # import queues is the outbox task's work on another worker: not run here.
        idle = {"deliver_outbox_now": _idle, "apply_payment_import_task": _idle}
        with mock.patch.dict(jobs._TASKS, idle):
            start, cpu = time.perf_counter(), time.process_time()
            upload = start_import(who["creditor"], "bench.csv", data)
            apply_import(upload.id)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        done = db.session.get(PaymentImport, upload.id)
        assert done is not None
        db.session.refresh(done)
        assert done.status is ImportStatus.DONE
        assert (done.applied, done.refused) == (ROWS, 0), (done.applied, done.refused)
        db.session.remove()
        db.engine.dispose()
    return {
        "repayment_import_10k_s": round(elapsed, 2),
        "repayment_import_rows_per_s": round(ROWS / elapsed, 1),
        "repayment_import_10k_cpu_s": round(cpu, 2),
    }


def _idle(*_args: Any) -> None:
    return None


def _copy(case: Case, agreement: Agreement, n: int) -> Case:
    """Another case in performance on the same terms, with a debtor of its own (as in a
    real statement: many debtors, a few payments each)."""
    debtor = make_user(Role.DEBTOR)
    copy = Case(
        **_columns(case),
        debtor_user_id=debtor.id,
        debtor_phone=f"139{n:08d}",
        debtor_email=f"debtor{n}@bench.example",
    )
    db.session.add(copy)
    db.session.flush()
    db.session.add(Agreement(**_columns(agreement), case_id=copy.id))
    return copy


def _columns(row: Any) -> dict[str, Any]:
    skip = {"id", "case_id", "debtor_user_id", "debtor_phone", "debtor_email"}
    columns = inspect(type(row)).column_attrs
    return {attr.key: getattr(row, attr.key) for attr in columns if attr.key not in skip}


def bench_enforcement(folder: Path | None = None) -> dict[str, float]:
    if folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            return bench_enforcement(Path(tmp))
    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    with app.app_context(), time_machine.travel(START, tick=True) as traveller:
        upgrade()
        who, case, _ = breached_case(traveller)
        samples = []
        for _ in range(RUNS + 1):
            start = time.perf_counter()
            generate_application(who["creditor"], case)
            samples.append(time.perf_counter() - start)
        db.session.remove()
        db.engine.dispose()
    return {"enforcement_pdf_s": round(statistics.median(samples[1:]), 3)}
