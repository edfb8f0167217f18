"""`make bench`: speed and memory figures, written to bench-results.json (name → number).

Figures are measured here, never asserted in tests. Each measure runs against a real,
migrated SQLite database in a temporary instance folder.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from app import audit, create_app
from app.config import PROJECT_ROOT
from app.extensions import db
from app.models.users import Role
from tests.conftest import IsolatedClient, make_settings
from tests.factories import PASSWORD, make_user
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
            "mediator_home_ms": median_ms(lambda: browser.get("/mediator")),
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


MEASURES: list[Callable[[Path], dict[str, float]]] = [bench_pages, bench_audit_verify]


def main() -> None:
    results: dict[str, float] = {}
    for measure in MEASURES:
        with tempfile.TemporaryDirectory() as tmp:
            results.update(measure(Path(tmp)))
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    width = max(len(k) for k in results)
    print(f"{'measure':<{width}}  value")
    for name, value in sorted(results.items()):
        print(f"{name:<{width}}  {value}")
    print(f"written to {RESULTS.name}")


if __name__ == "__main__":
    main()
