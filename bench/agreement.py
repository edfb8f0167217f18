"""Agreement figures: the time to render, certify and sign a 24-instalment agreement, and
the peak memory of a real worker process rendering agreements.

Time (``agreement_pdf_s``, ``agreement_render_s``, ``agreement_sign_s``): each run settles
a fresh case on 24 monthly instalments, drafts the agreement with the queue switched off
(the render task is replaced by a no-op for the draft only), then times
``render_agreement`` (WeasyPrint + the organisation's certification signature, exactly
what the worker runs) and the three signatures (debtor, creditor, mediator; each asks for
its one-time code and signs through ``sign_agreement``). One warm-up run (fonts, the
signer's key) is left out; the figures are medians of ``RUNS`` runs, ``agreement_pdf_s``
the median of render + signing per run. Development PKI, no time-stamping authority.

Memory (``pdf_peak_rss_mb``): a real consumer, ``huey_consumer app.worker.huey -w 1
-k process -n``, as ``make run`` starts it (one process worker, no periodic tasks), with
the environment pointing at the bench's instance folder (database, blob store, queue)
and the shared development PKI. ``WORKER_JOBS`` drafted versions are put on its queue as
the web would enqueue them; when all are rendered, the peak resident set size of the
worker process (``VmHWM`` in ``/proc/<pid>/status``; the larger of the consumer's two
children, the other being huey's scheduler) is read before the consumer is stopped. It
includes the interpreter, the app and every library the task imports: the memory one
worker needs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from flask import Flask
from flask_migrate import upgrade
from huey.storage import SqliteStorage
from sqlalchemy import select

from app import create_app
from app.agreements.rendering import render_agreement
from app.config import PROJECT_ROOT, Settings
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.users import User
from tests.agreement_support import draft, people, settled_case, sign
from tests.conftest import make_settings

RUNS = 5
WORKER_JOBS = 3
INSTALMENTS = 24
WORKER_TIMEOUT_S = 300


def bench_agreement(folder: Path | None = None) -> dict[str, float]:
    if folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            return bench_agreement(Path(tmp))
    settings = make_settings(folder, f"sqlite:///{folder / 'bench.db'}")
    app = create_app(settings)
    with app.app_context():
        upgrade()
        who = people()
        timings = [_one_run(who) for _ in range(RUNS + 1)][1:]
        queued = [_drafted(who)[1].id for _ in range(WORKER_JOBS)]
        db.session.remove()
        db.engine.dispose()
    render = [r for r, _ in timings]
    signing = [s for _, s in timings]
    return {
        "agreement_pdf_s": round(statistics.median(r + s for r, s in timings), 3),
        "agreement_render_s": round(statistics.median(render), 3),
        "agreement_sign_s": round(statistics.median(signing), 3),
        "pdf_peak_rss_mb": _worker_peak_rss_mb(app, settings, queued),
    }


def _drafted(who: dict[str, User]) -> tuple[Case, Agreement]:
    """A freshly drafted 24-instalment version, left for the worker to render."""
    case = settled_case(who, count=INSTALMENTS)
    with mock.patch("app.core.jobs.enqueue"):  # left for the worker, not rendered inline
        agreement = draft(case, who)
    assert agreement.status == AgreementStatus.RENDERING
    return case, agreement


def _one_run(who: dict[str, User]) -> tuple[float, float]:
    case, agreement = _drafted(who)
    start = time.perf_counter()
    render_agreement(agreement.id)
    rendered = time.perf_counter()
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.SIGNING, agreement.render_error
    for role in ("debtor", "creditor", "mediator"):
        sign(case, agreement, who[role], typed_name=who[role].name)
    signed = time.perf_counter()
    assert agreement.status == AgreementStatus.IN_FORCE
    return rendered - start, signed - rendered


def _worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "HUEY_IMMEDIATE")}
    env.update(
        APP_ENV="development",
        INSTANCE_PATH=str(settings.instance_path),
        DATABASE_URL=settings.database_url,
        SECRET_KEY=settings.secret_key,
        PII_KEY=settings.pii_key,
        SIGNING_P12_PATH=str(settings.signing_p12_path),
        SIGNING_P12_PASSWORD=settings.signing_p12_password or "",
        SIGNING_CA_PATH=str(settings.signing_ca_path),
        MAIL_BACKEND="file",
        SMS_BACKEND="file",
    )
    return env


def _worker_peak_rss_mb(app: Flask, settings: Settings, agreement_ids: list[int]) -> float:
    from app.agreements.tasks import render_agreement_task
    from app.queue import huey

    queue = SqliteStorage("concord", filename=str(settings.instance_path / "queue.db"))
    for agreement_id in agreement_ids:
        queue.enqueue(huey.serialize_task(render_agreement_task.s(agreement_id)))
    consumer_bin = Path(sys.executable).parent / "huey_consumer"
    consumer = subprocess.Popen(
        [str(consumer_bin), "app.worker.huey", "-w", "1", "-k", "process", "-n", "-q"],
        cwd=PROJECT_ROOT,
        env=_worker_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: list[int] = []
    try:
        _wait_rendered(app, agreement_ids)
        children = _children_of(consumer.pid)
        return round(max(_kib(pid, "VmHWM") for pid in children) / 1024, 1)
    finally:
        consumer.terminate()  # SIGTERM: stop now (the work is done)
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
            consumer.wait()
        _reap(children)


def _children_of(pid: int) -> list[int]:
    """The consumer's processes: its worker and its scheduler (both ``multiprocessing``
    children with ``-k process``); the worker is the larger by far."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    assert children, "the consumer has no worker process"
    return children


def _reap(pids: list[int], timeout_s: float = 30) -> None:
    """Wait until the consumer's children are gone (they stop with it; the folder they
    write in is removed next)."""
    deadline = time.monotonic() + timeout_s
    for pid in pids:
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, 9)


def _wait_rendered(app: Flask, agreement_ids: list[int]) -> None:
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    with app.app_context():
        while time.monotonic() < deadline:
            statuses = list(
                db.session.scalars(select(Agreement.status).where(Agreement.id.in_(agreement_ids)))
            )
            db.session.rollback()
            if AgreementStatus.FAILED in statuses:
                raise RuntimeError("the worker failed to render an agreement")
            if all(s == AgreementStatus.SIGNING for s in statuses):
                db.engine.dispose()
                return
            time.sleep(0.2)
    raise TimeoutError("the worker did not render the agreements in time")


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)
