"""The cases feature's background work: a creditor organisation's sheet of cases imported
row by row (:mod:`app.cases.imports`); every minute the worker looks for imports lost
with a killed worker and asks again (or fails them, for the creditor to resume)."""

from __future__ import annotations

from typing import Any

from huey import crontab

from app.cases.imports import recover_stalled_imports, run_import_or_fail
from app.queue import periodic_task, task


@task(retries=2, retry_delay=30, context=True)
def run_case_import_task(import_id: int, task: Any = None) -> None:
    """Import a sheet's rows not yet reported (a retry or a second run resumes after the
    last line reported: each row is handled once). An unexpected error at the last try
    fails the import with its reason rather than leaving it "running"."""
    run_import_or_fail(import_id, last_try=task is None or not task.retries)


@periodic_task(crontab(minute="*"))
def recover_stalled_imports_every_minute() -> int:
    return recover_stalled_imports()
