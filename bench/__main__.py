"""`make bench`: speed and memory figures, written to bench-results.json (name → number).

Figures are measured here, never asserted in tests. Each measure runs against a real,
migrated SQLite database in a temporary instance folder.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, select

from app import audit, create_app
from app.config import PROJECT_ROOT
from app.extensions import db
from app.models.cases import Case
from app.models.organisations import LicenceType
from app.models.users import Role, User
from app.rules.cases import CaseState
from bench.agreement import bench_agreement
from bench.case_import import bench_case_import
from bench.dashboard import seed_dashboard_rows
from bench.docket_pg import bench_docket_pg
from bench.flood import bench_flood
from bench.negotiation import bench_negotiation
from bench.package import bench_package
from bench.repayment_import import bench_enforcement, bench_repayment_import
from bench.throughput import bench_throughput
from bench.upload import bench_upload
from tests.conftest import IsolatedClient, make_settings
from tests.factories import PASSWORD, make_creditor_org, make_mediation_org, make_user
from tests.helpers import Browser

RESULTS = PROJECT_ROOT / "bench-results.json"


def median_ms(fn: Callable[[], object], repeat: int = 30, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 2)


def fresh_app(folder: Path) -> Flask:
    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    return app


def bench_pages(folder: Path) -> dict[str, float]:
    app = fresh_app(folder)
    with app.app_context():
        mediator = make_user(Role.MEDIATOR)
        browser = Browser(app.test_client())
        browser.login(mediator.email, PASSWORD)
        return {
            "login_page_ms": median_ms(lambda: Browser(app.test_client()).get("/login")),
            # /mediator redirects to the (here empty) docket: the landing, end to end.
            "mediator_home_ms": median_ms(lambda: browser.get("/docket")),
        }


def bench_audit_verify(folder: Path, events: int = 10_000) -> dict[str, float]:
    app = fresh_app(folder)
    with app.app_context():
        for i in range(events):
            audit.record("bench:event", actor=None, object_type="t", object_id=i, case_id=i % 50)
            if i % 1000 == 999:
                db.session.commit()
        db.session.commit()
        append = median_ms(
            lambda: (
                audit.record("bench:x", actor=None, object_type="t", object_id=0),
                db.session.commit(),
            )
        )
        start = time.perf_counter()
        report = audit.verify_chain()
        elapsed = (time.perf_counter() - start) * 1000
        assert report.intact
        return {"audit_append_ms": append, "audit_verify_10k_ms": round(elapsed, 1)}


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国"
_STATES = (  # a docket's realistic mix: most cases open, some closed, a few drafts
    (CaseState.DRAFT, 5),
    (CaseState.SUBMITTED, 20),
    (CaseState.INVITED, 25),
    (CaseState.NEGOTIATING, 35),
    (CaseState.CLOSED_NOT_MEDIATED, 15),
)


def _case_rows(n: int, start: int, mediators: list[User], creditors: list[Any]) -> list[dict]:
    rng = random.Random(start)  # the same data every run
    states = [s for s, weight in _STATES for _ in range(weight)]
    now = datetime.now(UTC)
    rows = []
    for i in range(start, start + n):
        state = rng.choice(states)
        creditor = creditors[i % len(creditors)]
        principal = Decimal(rng.randrange(2_000_00, 800_000_00)) / 100
        open_case = state not in (CaseState.DRAFT, CaseState.CLOSED_NOT_MEDIATED)
        rows.append(
            {
                "state": state,
                "version": 1,
                "creditor_org_id": creditor.id,
                "created_by_id": mediators[0].id,
                "mediation_org_id": mediators[0].mediation_org_id,
                "mediator_id": None if state == CaseState.DRAFT else mediators[i % 20].id,
                "debtor_name": rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, 2)),
                "debtor_id_type": "resident_id",
                "debtor_id_number": f"1101{i % 100:02d}19800101{i % 1000:03d}X",
                "debtor_id_masked": f"1101{i % 100:02d}********{i % 1000:03d}X",
                "debtor_phone": f"139{i:08d}",
                "debtor_address": "北京市朝阳区某街道某小区 1 号楼 2 单元 301 室",
                "lender_kind": LicenceType.BANK,
                "contract_number": f"HT-2024-{i:07d}",
                "contract_date": date(2024, 1, 1) + timedelta(days=i % 365),
                "principal_lent": principal,
                "annual_rate": Decimal("12.0000"),
                "term_months": 24,
                "outstanding_principal": principal,
                "interest": Decimal("0.00"),
                "penalty": Decimal("0.00"),
                "fees": Decimal("0.00"),
                "is_assignee": False,
                "claim_total": principal,
                "overdue_since": date(2025, 1, 1) + timedelta(days=i % 300),
                "created_at": now - timedelta(days=400),
                "last_activity_at": now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365)),
                "next_deadline": date.today() + timedelta(days=rng.randrange(-10, 60))
                if open_case and rng.random() < 0.8
                else None,
            }
        )
    return rows


def seed_cases(n: int) -> tuple[User, User]:
    """One organisation with 20 mediators and an admin, 5 creditors, ``n`` cases in bulk."""
    org = make_mediation_org()
    mediators = [make_user(Role.MEDIATOR, mediation_org=org) for _ in range(20)]
    admin = make_user(Role.ADMIN, mediation_org=org)
    creditors = [make_creditor_org(licence_type=LicenceType.BANK) for _ in range(5)]
    for start in range(0, n, 5_000):
        db.session.execute(
            insert(Case), _case_rows(min(5_000, n - start), start, mediators, creditors)
        )
    db.session.commit()  # no ANALYZE: a fresh deployment has no planner statistics either
    return mediators[0], admin


def _docket_page(app: Flask, user: User) -> Callable[[], object]:
    browser = Browser(app.test_client())
    browser.login(user.email, PASSWORD)
    assert browser.get("/docket").status_code == 200
    return lambda: browser.get("/docket")


def interleaved_median_ms(
    fns: dict[str, Callable[[], object]], repeat: int = 30, warmup: int = 3
) -> dict[str, float]:
    """Like :func:`median_ms` for several pages at once, taking their samples in turn, so
    a burst of load on a shared machine hits them all alike and their ratio holds."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: round(statistics.median(s), 2) for name, s in samples.items()}


def bench_docket(folder: Path) -> dict[str, float]:
    """GET /docket for one mediator (default sort, first page) at 1,000 and 100,000 cases,
    and the admin's whole-organisation docket at 100,000."""
    pages: dict[str, Callable[[], object]] = {}
    apps = []
    for n, tag in ((1_000, "1k"), (100_000, "100k")):
        sub = folder / tag
        sub.mkdir()
        app = fresh_app(sub)
        apps.append(app)
        with app.app_context():
            mediator, admin = seed_cases(n)
            pages[f"docket_ms_{tag}"] = _docket_page(app, mediator)
            if tag == "100k":
                pages["docket_admin_ms_100k"] = _docket_page(app, admin)
    results = interleaved_median_ms(pages)
    results["docket_ratio"] = round(results["docket_ms_100k"] / results["docket_ms_1k"], 2)
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    return results


def bench_dashboard(folder: Path) -> dict[str, float]:
    """GET /dashboard for the admin of an organisation of 100,000 cases (a fifth settled,
    with their agreements, payments and breaches; a contact record per case): every chart
    of the page, each one SQL aggregate."""
    app = fresh_app(folder)
    with app.app_context():
        _mediator, admin = seed_cases(100_000)
        mediators = list(
            db.session.scalars(
                select(User).where(
                    User.mediation_org_id == admin.mediation_org_id, User.role == Role.MEDIATOR
                )
            )
        )
        seed_dashboard_rows(admin, mediators)
        browser = Browser(app.test_client())
        browser.login(admin.email, PASSWORD)
        page = browser.get("/dashboard")
        assert page.status_code == 200 and b'id="chart-workload"' in page.data
        result = {"dashboard_admin_ms_100k": median_ms(lambda: browser.get("/dashboard"), 10, 2)}
        db.engine.dispose()
    return result


MEASURES: list[Callable[[Path], dict[str, float]]] = [
    bench_pages,
    bench_audit_verify,
    bench_docket,
    bench_docket_pg,  # only with BENCH_DATABASE_URL
    bench_throughput,
    bench_upload,
    bench_flood,
    bench_negotiation,
    bench_agreement,
    bench_package,
    bench_repayment_import,
    bench_case_import,
    bench_enforcement,
    bench_dashboard,
]


def main() -> None:
    """Every measure, or only those named: ``python -m bench dashboard`` (or
    ``bench_dashboard``)."""
    import sys

    known = {m.__name__ for m in MEASURES}
    chosen = {n if n.startswith("bench_") else f"bench_{n}" for n in sys.argv[1:]}
    if chosen - known:
        sys.exit(f"unknown measure: {', '.join(sorted(chosen - known))}; one of {sorted(known)}")
    results: dict[str, float] = {}
    for measure in MEASURES:
        if chosen and measure.__name__ not in chosen:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            results.update(measure(Path(tmp)))
    if chosen and RESULTS.exists():  # a partial run keeps the other figures
        results = {**json.loads(RESULTS.read_text()), **results}
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    width = max(len(k) for k in results)
    print(f"{'measure':<{width}}  value")
    for name, value in sorted(results.items()):
        print(f"{name:<{width}}  {value}")
    print(f"written to {RESULTS.name}")


if __name__ == "__main__":
    main()
