"""Bulk import of cases: a creditor organisation's sheet of cases (CSV or XLSX) and an
optional ZIP of the evidence its rows name, each row made into a case exactly as the case
form makes one.

:func:`start_import` checks the sheet whole before anything is stored (its columns, its
encoding, its number of rows: :mod:`app.rules.case_sheet`) and the ZIP's directory, keeps
both files in the blob store and asks the worker for the rest. :func:`run_import` (the
worker) reads the stored sheet row by row. Each row is read by the case form's own parser
(:func:`app.cases.intake.parse_case_form`, as a submission), its evidence stored by
:func:`app.cases.evidence.add_evidence` (type by content, size, SHA-256) and the case saved
and submitted by :func:`app.cases.lifecycle.save_draft` and
:func:`~app.cases.lifecycle.submit_case` (the claim check of :mod:`app.rules.claims`
included): one transaction per row, with its report row and the import's counters, so a
refused row never stops the others and a worker stopped half-way resumes after the last
line reported.

A row's identity is the organisation and its contract number, compared as
:func:`app.rules.contract_numbers.normalise_number` compares them: a contract number the
organisation already has a case for (imported or typed in the form) is reported "already
imported (case X)", and the second row of a file with the same number is refused.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.audit import AuditAction
from app.cases import import_words  # noqa: F401  (the refusals' words)
from app.cases.evidence import add_evidence
from app.cases.intake import PARSERS, parse_case_form
from app.cases.lifecycle import save_draft, submit_case, today
from app.cases.presenters import mediation_orgs
from app.core import clock, jobs, memo
from app.core.errors import DomainError, InvalidInput, Refused
from app.core.faults import fault_of
from app.core.storage import CHUNK, StorageRefused, blob_store
from app.core.transaction import conflict_from, conflict_on, savepoint, use_case
from app.extensions import db
from app.models.case_imports import (
    CaseImport,
    CaseImportKey,
    CaseImportOutcome,
    CaseImportRow,
    CaseImportStatus,
)
from app.models.cases import Case
from app.models.evidence import EvidenceCategory
from app.models.users import User
from app.rules.case_sheet import (
    COLUMNS,
    HEADERS,
    Evidence,
    RowRefused,
    SheetRefused,
    SheetRow,
    ZipLimits,
    evidence_names,
    form_values,
    index_evidence,
    layout,
    read_rows,
    scan_sheet,
)
from app.rules.cases import CaseReference
from app.rules.contract_numbers import normalise_number

log = logging.getLogger(__name__)

MAX_NAME = 255
CHUNK_ROWS = 100
CHUNK_SECONDS = 1.0
MB = 1024 * 1024
conflict_on("uq_case_import_keys_org_key", "already_imported")


class ImportNotFound(Refused):
    """No import of the actor's organisation has this id (another's is "not found" too)."""

    status = 404
    messages = {"import_not_found": _l("There is no import of your organisation with this number.")}


class ImportRefused(Refused):
    status = 409
    messages = {
        "import_not_stopped": _l("Only a stopped import can be resumed."),
    }


# Why an import stopped (``CaseImport.error``), in words; any other code is a sheet or ZIP
# that could not be read any more.
FAILURES = {
    "import_error": _l(
        "The import stopped on an unexpected error, after trying again. The rows already "
        "imported are kept: resume it to import the others."
    ),
    "import_lost": _l(
        "The import stopped: its worker was interrupted too many times. The rows already "
        "imported are kept: resume it to import the others."
    ),
}
UNREADABLE = _l("The stored file could not be read any more.")


@dataclass(frozen=True)
class ImportLimits:
    max_rows: int
    sheet_bytes: int
    zip_bytes: int
    archive: ZipLimits


def import_limits() -> ImportLimits:
    s = current_app.config["SETTINGS"]
    return ImportLimits(
        max_rows=int(s.import_max_rows),
        sheet_bytes=int(s.import_max_sheet_mb) * MB,
        zip_bytes=int(s.import_max_zip_mb) * MB,
        archive=ZipLimits(
            max_members=int(s.import_max_zip_files),
            max_total_bytes=int(s.import_max_unzipped_mb) * MB,
            max_member_bytes=int(s.max_upload_mb) * MB,
            max_ratio=int(s.import_max_ratio),
        ),
    )


# -- accepting the files -----------------------------------------------------------------


@use_case
def start_import(
    actor: User,
    sheet: BinaryIO,
    sheet_name: str,
    mediation_org_id: int | None,
    evidence: BinaryIO | None = None,
    zip_name: str | None = None,
) -> CaseImport:
    """Accept a sheet of cases (and its ZIP of evidence) from ``actor``'s organisation,
    store both and ask the worker to import the rows. Both streams must be seekable (an
    upload is spooled to disk). :class:`SheetRefused` (nothing stored) when the sheet
    or the ZIP cannot be imported at all; ``InvalidInput("choice", "mediation_org_id")``
    for a mediation organisation that does not exist."""
    if actor.creditor_org_id is None:
        raise SheetRefused("import_not_creditor", status=403)
    if mediation_org_id not in {org.id for org in mediation_orgs()}:
        raise InvalidInput("choice", "mediation_org_id")
    limits = import_limits()
    _check_size(sheet, limits.sheet_bytes, "sheet_too_large")
    scan = scan_sheet(sheet, max_rows=limits.max_rows, limits=limits.archive)
    if evidence is not None:
        _check_size(evidence, limits.zip_bytes, "zip_too_large")
        index_evidence(evidence, limits.archive).archive.close()
        evidence.seek(0)
    sheet_blob = blob_store().put(sheet, limits.sheet_bytes, _sheet_type)
    zip_blob = blob_store().put(evidence, limits.zip_bytes, _zip_type) if evidence else None
    job = CaseImport(
        creditor_org_id=actor.creditor_org_id,
        uploaded_by_id=actor.id,
        mediation_org_id=mediation_org_id,
        sheet_name=_name(sheet_name, f"cases.{scan.kind}"),
        sheet_sha256=sheet_blob.sha256,
        sheet_kind=scan.kind,
        encoding=scan.encoding,
        zip_name=_name(zip_name or "", "evidence.zip") if zip_blob else None,
        zip_sha256=zip_blob.sha256 if zip_blob else None,
        status=CaseImportStatus.QUEUED,
        total=scan.total,
        done=0,
        created=0,
        refused=0,
        last_line=0,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        AuditAction.CASE_IMPORT_START,
        actor=actor,
        object_type="case_import",
        object_id=job.id,
        data={
            "file": job.sheet_name,
            "sha256": job.sheet_sha256,
            "zip": job.zip_name,
            "zip_sha256": job.zip_sha256,
            "rows": job.total,
        },
    )
    jobs.enqueue("run_case_import_task", job.id)
    return job


def _check_size(stream: BinaryIO, limit: int, code: str) -> None:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size > limit:
        raise SheetRefused(code, mb=limit // MB)
    if size == 0:
        raise SheetRefused("sheet_empty" if code == "sheet_too_large" else "zip_not_zip")


def _sheet_type(head: bytes) -> str | None:
    return "application/zip" if head.startswith(b"PK\x03\x04") else "text/csv"


def _zip_type(head: bytes) -> str | None:
    return "application/zip" if head.startswith(b"PK") else None


def _name(raw: str, fallback: str) -> str:
    return (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:MAX_NAME] or fallback


# -- the worker ---------------------------------------------------------------------------


def run_import(import_id: int) -> CaseImport | None:
    """Import every row not yet reported, then close the import. Safe to run again: a
    run resumes after the last line reported."""
    job = _begin(import_id)
    if job is None:
        return None
    actor = job.uploaded_by
    try:
        with _local(job.sheet_sha256) as sheet, _local(job.zip_sha256) as archive:
            scan = layout(sheet, job.total, job.encoding)
            evidence = index_evidence(archive, import_limits().archive) if archive else None
            run = _Run(job, actor, evidence)
            rows = read_rows(sheet, scan, after=job.last_line)
            try:
                while _chunk(run, rows):
                    pass
            finally:
                rows.close()  # while the file is open (a stopped run too)
            if evidence is not None:
                evidence.archive.close()
    except (SheetRefused, OSError, zipfile.BadZipFile) as err:
        return _fail(import_id, getattr(err, "code", "sheet_unreadable"))
    return _finish(import_id)


def run_import_or_fail(import_id: int, *, last_try: bool) -> CaseImport | None:
    """:func:`run_import`; on an unexpected error at the last try, the import is failed
    with the reason ("import_error") instead of staying "running": the creditor sees it
    and may resume it. A full disk or an unavailable database is the machine's fault, not
    the import's: always raised (the queue tries again later, app.queue)."""
    try:
        return run_import(import_id)
    except Exception as exc:
        if not last_try or fault_of(exc) is not None:
            raise
        log.exception("case import %s failed after its retries", import_id)
        db.session.rollback()
        return _fail(import_id, "import_error")


@contextmanager
def _local(sha256: str | None) -> Iterator[BinaryIO | None]:
    """A stored file as a seekable local stream (the local store's own file; a copy,
    made in chunks, of an object in S3)."""
    if sha256 is None:
        yield None
        return
    store = blob_store()
    path_for = getattr(store, "path_for", None)
    if path_for is not None:
        with open(path_for(sha256), "rb") as stream:
            yield stream
        return
    with tempfile.TemporaryFile() as copy, store.open(sha256) as source:
        shutil.copyfileobj(source, copy, CHUNK)
        copy.seek(0)
        yield copy


@use_case
def _chunk(run: _Run, rows: Iterator[SheetRow]) -> bool:
    """The next rows, up to :data:`CHUNK_ROWS` or :data:`CHUNK_SECONDS`, in one
    transaction, each row in a savepoint of its own: a refused row rolls back to its
    savepoint alone and commits only its report row, so one commit (SQLite pays a disk
    sync for each) carries many rows while the audit chain is held for one chunk at
    most, and the progress moves every second. Whether rows remain."""
    # A write first: the SQLite driver opens its transaction before a write, not before a
    # SAVEPOINT, which would otherwise be a transaction of its own (committed at RELEASE).
    db.session.execute(
        update(CaseImport)
        .where(CaseImport.id == run.job_id)
        .values(status=CaseImportStatus.RUNNING, heartbeat_at=clock.now())
    )
    started = time.monotonic()
    more = False
    # The rows' reference data (LPR history, eligible mediators and their open cases) read
    # once for the chunk (app.core.memo): at most a second old, kept up to date as it goes.
    with memo.remembering():
        for handled, row in enumerate(rows, start=1):
            run.handle(row)
            if handled >= CHUNK_ROWS or time.monotonic() - started >= CHUNK_SECONDS:
                more = True
                break
    run.count()
    return more


@use_case
def _begin(import_id: int) -> CaseImport | None:
    job = db.session.get(CaseImport, import_id)
    if job is None or job.status in (CaseImportStatus.DONE, CaseImportStatus.FAILED):
        return None
    job.status = CaseImportStatus.RUNNING
    job.started_at = job.started_at or clock.now()
    job.heartbeat_at = clock.now()
    job.attempts += 1
    return job


class _Run:
    """One run over the sheet: what it has seen (the contract numbers of this file, by
    their first line) and what the organisation has (its cases by contract number)."""

    def __init__(self, job: CaseImport, actor: User, evidence: Evidence | None) -> None:
        self.job_id = job.id
        self.org_id = job.creditor_org_id
        self.mediation_org_id = job.mediation_org_id
        self.description = job.sheet_name
        self.actor = actor
        self.evidence = evidence
        self.pending = {"done": 0, "created": 0, "refused": 0, "last_line": 0}
        self.reports: list[dict[str, Any]] = []
        self.seen: dict[str, int] = {}
        for line, key in db.session.execute(
            select(CaseImportRow.line, CaseImportRow.contract_key).where(
                CaseImportRow.import_id == job.id, CaseImportRow.contract_key != ""
            )
        ):
            self.seen.setdefault(key, line)
        self.known: dict[str, int] = {}
        for case_id, number in db.session.execute(
            select(Case.id, Case.contract_number).where(
                Case.creditor_org_id == job.creditor_org_id, Case.contract_number.is_not(None)
            )
        ):
            self.known.setdefault(normalise_number(number), case_id)
        for key, case_id in db.session.execute(
            select(CaseImportKey.contract_key, CaseImportKey.case_id).where(
                CaseImportKey.creditor_org_id == job.creditor_org_id
            )
        ):
            self.known.setdefault(key, case_id)

    def handle(self, row: SheetRow) -> None:
        number = row.cells.get("contract_number", "")
        key = normalise_number(number) if number else ""
        report = _Report(row.line, number[:MAX_NAME], key[:MAX_NAME], row.cells)
        try:
            if row.extra:
                raise RowRefused("row_extra_cells")
            if key in self.seen:
                raise RowRefused("row_repeated", "contract_number", line=self.seen[key])
            if key:
                self.seen[key] = row.line
            if key in self.known:
                self._already(report, self.known[key])
                return
            parsed = parse_case_form(form_values(row), today(), complete=True)
            if parsed.errors:
                raise _first_error(parsed.errors)
            members = [self._member(name) for name in evidence_names(row)]
            case_id = self._create(report, parsed, members)
            if case_id is None:  # imported by another import at the same moment
                self._already(report, _imported_case(self.org_id, key))
                return
            self.known[key] = case_id
        except DomainError as err:
            self._refuse(report, err)

    def _create(
        self, report: _Report, parsed: Any, members: list[tuple[str, zipfile.ZipInfo]]
    ) -> int | None:
        """The row's case in a savepoint: kept, or rolled back whole (with the jobs it
        asked for after the commit) on a refusal. ``None`` when the contract number was
        taken meanwhile by another import (the unique key of :class:`CaseImportKey`)."""
        try:
            with savepoint():
                case_id = _create(self, report, parsed, members)
        except BaseException as err:
            memo.forget()  # the row's assignment was rolled back with it
            if not isinstance(err, IntegrityError):
                raise
            if conflict_from(err) is None or not report.contract_key:
                raise
            return None
        self.tally(report.line, created=1)
        return case_id

    def _refuse(self, report: _Report, err: DomainError, **kw: Any) -> None:
        self.reports.append(_refused(self.job_id, report, err, **kw))
        self.tally(report.line, refused=1)

    def tally(self, line: int, *, created: int = 0, refused: int = 0) -> None:
        self.pending["done"] += 1
        self.pending["created"] += created
        self.pending["refused"] += refused
        self.pending["last_line"] = line

    def count(self) -> None:
        """The report rows and the counts of the rows handled since the last, written in
        the chunk's transaction (one statement each)."""
        if self.reports:
            db.session.execute(insert(CaseImportRow), self.reports)
            self.reports = []
        done = self.pending
        if not done["done"]:
            return
        db.session.execute(
            update(CaseImport)
            .where(CaseImport.id == self.job_id)
            .values(
                done=CaseImport.done + done["done"],
                created=CaseImport.created + done["created"],
                refused=CaseImport.refused + done["refused"],
                last_line=done["last_line"],
            )
        )
        self.pending = {"done": 0, "created": 0, "refused": 0, "last_line": 0}

    def _member(self, name: str) -> tuple[str, zipfile.ZipInfo]:
        if self.evidence is None:
            raise RowRefused("evidence_no_zip", "evidence")
        return name, self.evidence.find(name)

    def _already(self, report: _Report, case_id: int) -> None:
        case = db.session.get(Case, case_id)
        reference = case.reference if case is not None else str(case_id)
        self._refuse(
            report,
            RowRefused("already_imported", "contract_number", case=reference),
            outcome=CaseImportOutcome.ALREADY,
            case_id=case_id,
        )


@dataclass(frozen=True)
class _Report:
    line: int
    contract_number: str
    contract_key: str
    cells: dict[str, str]

    def values(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "contract_number": self.contract_number,
            "contract_key": self.contract_key,
            "debtor_name": self.cells.get("debtor_name", "")[:MAX_NAME],
        }


def _first_error(errors: dict[str, InvalidInput]) -> InvalidInput:
    """The refusal of the first column at fault, in the template's order."""
    order = {name: n for n, name in enumerate((*COLUMNS, *PARSERS))}
    return errors[min(errors, key=lambda name: order.get(name, len(order)))]


def _create(
    run: _Run, report: _Report, parsed: Any, members: list[tuple[str, zipfile.ZipInfo]]
) -> int:
    """One row: the case saved as the form saves a draft, its evidence stored as an
    upload is, the case submitted (refused by the claim check as the form's submission
    is) and the report row, all in the row's savepoint."""
    case = save_draft(run.actor, parsed, run.mediation_org_id, None)
    assert run.evidence is not None or not members
    for name, info in members:
        assert run.evidence is not None
        with run.evidence.open(info, name) as stream:
            try:
                add_evidence(
                    run.actor,
                    case,
                    stream,
                    name.rsplit("/", 1)[-1],
                    EvidenceCategory.OTHER,
                    run.description,
                )
            except StorageRefused as err:
                raise RowRefused(
                    "evidence_type", "evidence", name=name, reason=_InWords(err)
                ) from None
    submit_case(run.actor, case)
    if report.contract_key:  # a lost race fails here, inside the row's savepoint
        db.session.execute(
            insert(CaseImportKey).values(
                creditor_org_id=run.org_id, contract_key=report.contract_key, case_id=case.id
            )
        )
    run.reports.append(
        {
            "import_id": run.job_id,
            "outcome": CaseImportOutcome.CREATED,
            "code": None,
            "field": None,
            "reason_zh": "",
            "reason_en": "",
            "case_id": case.id,
            **report.values(),
        }
    )
    return case.id


class _InWords:
    """A refusal put into another's words: its message in the language of the moment the
    outer message is written (:func:`_reason` writes it in both)."""

    def __init__(self, err: DomainError) -> None:
        self.err = err

    def __str__(self) -> str:
        return self.err.message


def _refused(
    job_id: int,
    report: _Report,
    err: DomainError,
    *,
    outcome: CaseImportOutcome = CaseImportOutcome.REFUSED,
    case_id: int | None = None,
) -> dict[str, Any]:
    """The report row of a refused row, with the reason in both languages."""
    zh, en = (_reason(err, locale) for locale in ("zh_Hans_CN", "en"))
    return {
        "import_id": job_id,
        "outcome": outcome,
        "code": err.code[:64],
        "field": (err.field or "")[:64] or None,
        "reason_zh": zh,
        "reason_en": en,
        "case_id": case_id,
        **report.values(),
    }


def _reason(err: DomainError, locale: str) -> str:
    """The refusal in ``locale``: the column at fault and the form's message, or the
    claim check's findings (their own words in both languages)."""
    if err.findings:
        words = [
            getattr(f, "message_zh" if locale != "en" else "message_en", str(f))
            for f in err.findings
        ]
        return ("；" if locale != "en" else "; ").join(words)
    with force_locale(locale):
        message = err.message
    if err.field in HEADERS and not isinstance(err, RowRefused):
        label = HEADERS[err.field] if locale != "en" else err.field
        return f"{label}：{message}" if locale != "en" else f"{label}: {message}"
    return message


def _imported_case(org_id: int, key: str) -> int:
    case_id = db.session.scalar(
        select(CaseImportKey.case_id).where(
            CaseImportKey.creditor_org_id == org_id, CaseImportKey.contract_key == key
        )
    )
    return int(case_id or 0)


@use_case
def _finish(import_id: int) -> CaseImport:
    job = db.session.get(CaseImport, import_id)
    assert job is not None
    db.session.refresh(job)
    job.status = CaseImportStatus.DONE
    job.total = max(job.total, job.done)
    job.finished_at = clock.now()
    audit.record(
        AuditAction.CASE_IMPORT_FINISH,
        actor=job.uploaded_by,
        object_type="case_import",
        object_id=job.id,
        data={"rows": job.done, "created": job.created, "refused": job.refused},
    )
    return job


@use_case
def _fail(import_id: int, code: str) -> CaseImport:
    job = db.session.get(CaseImport, import_id)
    assert job is not None
    db.session.refresh(job)
    job.status = CaseImportStatus.FAILED
    job.error = code[:64]
    job.finished_at = clock.now()
    audit.record(
        AuditAction.CASE_IMPORT_FINISH,
        actor=job.uploaded_by,
        object_type="case_import",
        object_id=job.id,
        data={"failed": code, "rows": job.done},
    )
    return job


# -- stopped and lost runs -----------------------------------------------------------------


@use_case
def resume_import(actor: User, import_id: int) -> CaseImport:
    """The creditor asks again for a stopped import: the worker resumes after the last
    line reported (rows are idempotent by contract number: nothing is created twice)."""
    job = load_import(actor, import_id)
    moved = db.session.execute(
        update(CaseImport)
        .where(CaseImport.id == job.id, CaseImport.status == CaseImportStatus.FAILED)
        .values(
            status=CaseImportStatus.QUEUED,
            error=None,
            finished_at=None,
            attempts=0,
            heartbeat_at=clock.now(),
        )
    ).rowcount
    if not moved:
        raise ImportRefused("import_not_stopped")
    audit.record(
        AuditAction.CASE_IMPORT_RESUME,
        actor=actor,
        object_type="case_import",
        object_id=job.id,
        data={"after_line": job.last_line, "rows": job.done},
    )
    jobs.enqueue("run_case_import_task", job.id)
    db.session.refresh(job)
    return job


def recover_stalled_imports(now: datetime | None = None) -> int:
    """Ask again for (or fail) every import still "running" that has not moved for
    ``RENDER_TIMEOUT_MINUTES`` (its worker was killed, as renders are:
    app.agreements.recovery); how many."""
    moment = now or clock.now()
    stalled = db.session.scalars(
        select(CaseImport.id).where(
            CaseImport.status == CaseImportStatus.RUNNING,
            func.coalesce(CaseImport.heartbeat_at, CaseImport.created_at) < _cutoff(moment),
        )
    ).all()
    return sum(recover_stalled_import(import_id, moment) for import_id in stalled)


@use_case
def recover_stalled_import(import_id: int, now: datetime) -> bool:
    """One stalled import: asked for again while attempts remain, else failed
    ("import_lost") for the creditor to resume."""
    job = db.session.get(CaseImport, import_id)
    if job is None:
        return False
    cutoff = _cutoff(now)
    stalled = (
        CaseImport.id == import_id,
        CaseImport.status == CaseImportStatus.RUNNING,
        func.coalesce(CaseImport.heartbeat_at, CaseImport.created_at) < cutoff,
    )
    if job.attempts < current_app.config["SETTINGS"].render_max_attempts:
        values: dict[str, Any] = {"status": CaseImportStatus.QUEUED, "heartbeat_at": now}
    else:
        values = {"status": CaseImportStatus.FAILED, "error": "import_lost", "finished_at": now}
    if not db.session.execute(update(CaseImport).where(*stalled).values(**values)).rowcount:
        return False  # it moved (or finished) at this very moment
    if values["status"] is CaseImportStatus.QUEUED:
        log.warning("case import %s: run lost or stuck, asking again", import_id)
        audit.record(
            AuditAction.CASE_IMPORT_RETRY,
            actor=None,
            object_type="case_import",
            object_id=import_id,
            data={"attempt": job.attempts + 1, "after_line": job.last_line},
        )
        jobs.enqueue("run_case_import_task", import_id)
    else:
        log.error("case import %s: lost after %s attempts", import_id, job.attempts)
        audit.record(
            AuditAction.CASE_IMPORT_FINISH,
            actor=None,
            object_type="case_import",
            object_id=import_id,
            data={"failed": "import_lost", "rows": job.done},
        )
    return True


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(minutes=current_app.config["SETTINGS"].render_timeout_minutes)


def failure_words(code: str | None) -> str | None:
    """Why an import stopped, in the reader's language (``None`` when it did not)."""
    if not code:
        return None
    return str(FAILURES.get(code, UNREADABLE))


# -- reading imports (pages and the API) --------------------------------------------------


def load_import(actor: User, import_id: int) -> CaseImport:
    """The import, if it is of ``actor``'s organisation; :class:`ImportNotFound` else."""
    job = db.session.get(CaseImport, import_id)
    if job is None or actor.creditor_org_id is None or job.creditor_org_id != actor.creditor_org_id:
        raise ImportNotFound("import_not_found")
    return job


def job_status(actor: User, import_id: int) -> dict[str, Any]:
    """Where the import stands, as plain data: ``status`` (queued, running, done,
    failed), ``total``, ``done``, ``created``, ``refused`` and ``percent``."""
    job = load_import(actor, import_id)
    db.session.refresh(job)
    return status_of(job)


def status_of(job: CaseImport) -> dict[str, Any]:
    """One import's figures as :func:`job_status` gives them (the job as loaded)."""
    return {
        "id": job.id,
        "status": job.status.value,
        "total": job.total,
        "done": job.done,
        "created": job.created,
        "refused": job.refused,
        "percent": 100 if not job.total else min(100, job.done * 100 // job.total),
        "finished": job.status in (CaseImportStatus.DONE, CaseImportStatus.FAILED),
        "error": job.error,
    }


def recent_imports(actor: User, limit: int = 20, before: int | None = None) -> list[CaseImport]:
    """The organisation's imports, newest first (those with an id below ``before``)."""
    query = select(CaseImport).where(CaseImport.creditor_org_id == actor.creditor_org_id)
    if before is not None:
        query = query.where(CaseImport.id < before)
    return list(db.session.scalars(query.order_by(CaseImport.id.desc()).limit(limit)))


def import_rows(
    job: CaseImport, limit: int | None = None, after_line: int = 0
) -> Iterator[tuple[CaseImportRow, str]]:
    """The report's rows in the sheet's order (those after ``after_line``), each with the
    reference of the case it created or found (empty for none), fetched in batches."""
    query = (
        select(CaseImportRow, Case.id, Case.created_at)
        .outerjoin(Case, Case.id == CaseImportRow.case_id)
        .where(CaseImportRow.import_id == job.id, CaseImportRow.line > after_line)
        .order_by(CaseImportRow.line)
        .limit(limit)
        .execution_options(yield_per=500)
    )
    for row, case_id, created_at in db.session.execute(query):
        reference = str(CaseReference(clock.local(created_at).year, case_id)) if case_id else ""
        yield row, reference


@use_case
def record_report_download(actor: User, job: CaseImport) -> None:
    audit.record(
        AuditAction.CASE_IMPORT_REPORT_DOWNLOAD,
        actor=actor,
        object_type="case_import",
        object_id=job.id,
        data={"rows": job.done},
    )
