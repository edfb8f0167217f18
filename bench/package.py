"""Time to build the judicial-confirmation package with 20 evidence files of 1 MB each
(issue 6: target under 6 s): integrity check, rendering, embedding and certification, as
the worker runs it. Median of 3 builds of the same case (one package row each)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.confirmation.package.build import build_package
from app.extensions import db
from app.models.evidence import EvidenceCategory
from tests import agreement_support as support
from tests import package_support as ps
from tests.conftest import make_settings

FILES = 20
SIZE = 1024 * 1024
RUNS = 3


def bench_package(folder: Path) -> dict[str, float]:
    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    with app.app_context():
        upgrade()
        who = support.people()
        case, agreement = ps.agreement_in_force(who)
        for n in range(FILES):  # incompressible bytes: half PDFs, half PNGs
            data = ps.random_pdf(SIZE) if n % 2 == 0 else ps.png(SIZE, seed=n)
            category = EvidenceCategory.CONTRACT if n % 2 == 0 else EvidenceCategory.STATEMENT
            ps.add_file(who["creditor"], case, data, f"证据{n + 1}", category)
        samples = []
        for number in range(1, RUNS + 1):
            package = ps.released_package(case, agreement, who["mediator"], number=number)
            start = time.perf_counter()
            build_package(package.id)
            samples.append(time.perf_counter() - start)
            db.session.refresh(package)
            assert package.status == "signing", package.render_error
        db.engine.dispose()
    return {"package_pdf_20_s": round(statistics.median(samples), 2)}
