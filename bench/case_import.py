"""Bulk import of cases: time and peak memory of importing a sheet of ``ROWS`` cases with
a ZIP of ``ROWS`` small evidence files (one PDF a row, each of its own bytes).

``import_10k_rows_s``: in a fresh process (``python -m bench.case_import <folder>``), what
the upload request and the worker do, one after the other, on SQLite with the local blob
store: :func:`app.cases.imports.start_import` (the sheet scanned, the ZIP's directory
checked, both stored) then :func:`app.cases.imports.run_import` (every row parsed by the
case form's parser, its PDF streamed from the ZIP into the blob store, the case saved and
submitted through the claim check and the mediator assignment, each row its own
transaction with its audit events). One run, wall time; ``import_10k_rows_per_s`` the
same as a rate and ``import_10k_cpu_s`` the process's CPU time (the machine may be
shared).

``import_10k_peak_rss_mb``: the peak resident set size of that process (``VmHWM``):
the interpreter, the app, every library and the import, i.e. the memory a worker needs
for it. The sheet and the ZIP are written beforehand by the parent process (not timed,
not counted).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

from flask_migrate import upgrade

from app import create_app
from app.config import PROJECT_ROOT
from app.extensions import db
from app.models.users import Role
from app.rules.case_sheet import COLUMNS, HEADERS
from tests.case_import_support import PDF, ROW
from tests.conftest import make_settings
from tests.factories import make_mediation_org, make_user

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))  # a smaller trial run
MEDIATORS = 5


def bench_case_import(folder: Path | None = None) -> dict[str, float]:
    if folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            return bench_case_import(Path(tmp))
    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    with app.app_context():
        upgrade()
        org = make_mediation_org()
        for _ in range(MEDIATORS):
            make_user(Role.MEDIATOR, mediation_org=org)
        creditor = make_user(Role.CREDITOR)
        ids = {"creditor": creditor.id, "org": org.id}
        db.session.remove()
        db.engine.dispose()
    _write_files(folder)
    (folder / "ids.json").write_text(json.dumps(ids))
    done = subprocess.run(
        [sys.executable, "-m", "bench.case_import", str(folder)],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _write_files(folder: Path) -> None:
    with open(folder / "cases.csv", "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([HEADERS[c] for c in COLUMNS])
        for n in range(ROWS):
            values = ROW | {
                "contract_number": f"HT-BENCH-{n:05d}",
                "debtor_phone": f"139{n:08d}",
                "evidence": f"contracts/HT-BENCH-{n:05d}.pdf",
            }
            writer.writerow([values[c] for c in COLUMNS])
    with zipfile.ZipFile(folder / "evidence.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(ROWS):
            body = PDF.replace(b"%%EOF", f"% contract HT-BENCH-{n:05d}\n%%EOF".encode())
            archive.writestr(f"contracts/HT-BENCH-{n:05d}.pdf", body)


def _child(folder: Path) -> dict[str, float]:
    """The timed part, in a process of its own (its peak memory is the import's)."""
    from app.cases import imports
    from app.core import jobs
    from app.models.case_imports import CaseImport, CaseImportStatus
    from app.models.users import User

    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    ids = json.loads((folder / "ids.json").read_text())
    with app.app_context():
        creditor = db.session.get(User, ids["creditor"])
        idle = {"run_case_import_task": _idle, "deliver_outbox_now": _idle}
        with (
            mock.patch.dict(jobs._TASKS, idle),
            open(folder / "cases.csv", "rb") as sheet,
            open(folder / "evidence.zip", "rb") as archive,
        ):
            start, cpu = time.perf_counter(), time.process_time()
            job = imports.start_import(
                creditor, sheet, "cases.csv", ids["org"], archive, "evidence.zip"
            )
            imports.run_import(job.id)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        done = db.session.get(CaseImport, job.id)
        assert done is not None
        db.session.refresh(done)
        assert done.status is CaseImportStatus.DONE, done.status
        assert (done.created, done.refused) == (ROWS, 0), (done.created, done.refused)
    return {
        "import_10k_rows_s": round(elapsed, 2),
        "import_10k_rows_per_s": round(ROWS / elapsed, 1),
        "import_10k_cpu_s": round(cpu, 2),
        "import_10k_peak_rss_mb": round(_kib("VmHWM") / 1024, 1),
    }


def _idle(*_args: Any) -> None:
    return None


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


if __name__ == "__main__":
    print(json.dumps(_child(Path(sys.argv[1]))))
