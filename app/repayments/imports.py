"""Statement import: a creditor organisation's CSV of payments received, each row matched
to a case of that organisation in performance and recorded exactly like a payment the
creditor records by hand (:func:`app.repayments.payments.record_payment`: the same checks,
the same allocation by the agreement's rule, the same audit event and notice).

The file is read whole when it is uploaded (:mod:`app.rules.payment_statement`): a file
that cannot be a statement is refused and nothing is stored. Its rows are stored as
written, then applied one at a time, each in its own transaction: a refused row never
stops the others, and a worker stopped half-way resumes with the rows still pending. The
bank reference makes a payment idempotent, so uploading the same file again records
nothing twice: each row then reads "already recorded". A row naming a case of another
organisation is refused exactly like a case that does not exist.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from app import audit
from app.audit import AuditAction
from app.core import clock, jobs
from app.core.errors import Conflict, DomainError
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.payment_imports import (
    ImportStatus,
    PaymentImport,
    PaymentImportRow,
    RowOutcome,
)
from app.models.users import User
from app.repayments.import_words import CHANNELS
from app.repayments.payments import PaymentEntry, record_payment
from app.rules.cases import CaseReference
from app.rules.payment_statement import (
    RowRefused,
    StatementRow,
    read_row,
    read_statement,
)

# A file up to this many rows is applied during the upload request; a larger one by the
# worker, with a status page to follow it (the same code either way).
INLINE_ROWS = 200
CHUNK_ROWS = 50
MAX_NAME = 255


@use_case
def start_import(actor: User, name: str, data: bytes) -> PaymentImport:
    """Accept a statement file of ``actor``'s organisation: its rows are stored as written
    (a malformed line is refused at once) and, above :data:`INLINE_ROWS`, the worker is
    asked to apply them. :class:`StatementRefused` when the file cannot be a statement."""
    rows = read_statement(data)
    upload = PaymentImport(
        creditor_org_id=actor.creditor_org_id,
        uploaded_by_id=actor.id,
        file_name=(name or "statement.csv").strip()[:MAX_NAME] or "statement.csv",
        file_sha256=hashlib.sha256(data).hexdigest(),
        row_count=len(rows),
        status=ImportStatus.QUEUED,
        applied=0,
        duplicates=0,
        refused=0,
    )
    db.session.add(upload)
    db.session.flush()
    db.session.execute(
        PaymentImportRow.__table__.insert(),
        [
            {
                "import_id": upload.id,
                "line": row.line,
                "case_reference": row.case_reference,
                "amount": row.amount,
                "paid_on": row.paid_on,
                "channel": row.channel,
                "reference": row.reference,
                "outcome": RowOutcome.REFUSED if row.malformed else RowOutcome.PENDING,
                "code": "row_malformed" if row.malformed else None,
            }
            for row in rows
        ],
    )
    audit.record(
        AuditAction.PAYMENT_IMPORT_START,
        actor=actor,
        object_type="payment_import",
        object_id=upload.id,
        data={"file": upload.file_name, "sha256": upload.file_sha256, "rows": len(rows)},
    )
    if not runs_inline(upload):
        jobs.enqueue("apply_payment_import_task", upload.id)
    return upload


def runs_inline(upload: PaymentImport) -> bool:
    return upload.row_count <= INLINE_ROWS


def apply_import(import_id: int) -> PaymentImport | None:
    """Apply every pending row of the import, then count the outcomes. Safe to run again:
    rows already applied or refused are left alone.

    Rows go in transactions of :data:`CHUNK_ROWS`, each row inside its own savepoint: a
    refused row rolls back to its savepoint alone and is marked with its reason, so one
    commit carries many rows (SQLite pays a disk sync per commit) while the audit chain's
    lock is held for one chunk at most. A row that meets a lost race (the same reference
    recorded at the same moment elsewhere) is applied again on its own afterwards."""
    upload = _begin(import_id)
    if upload is None:
        return None
    pending = list(
        db.session.scalars(
            select(PaymentImportRow.id)
            .where(
                PaymentImportRow.import_id == import_id,
                PaymentImportRow.outcome == RowOutcome.PENDING,
            )
            .order_by(PaymentImportRow.line)
        )
    )
    for start in range(0, len(pending), CHUNK_ROWS):
        for row_id in _apply_chunk(import_id, pending[start : start + CHUNK_ROWS]):
            apply_row(row_id)
    return _finish(import_id)


@use_case
def _begin(import_id: int) -> PaymentImport | None:
    upload = db.session.get(PaymentImport, import_id)
    if upload is None or upload.status is ImportStatus.DONE:
        return None
    upload.status = ImportStatus.RUNNING
    upload.started_at = upload.started_at or clock.now()
    return upload


@use_case
def _apply_chunk(import_id: int, row_ids: list[int]) -> list[int]:
    """Apply ``row_ids`` in one transaction, each in a savepoint; returns the rows to try
    again on their own."""
    # A write first: the SQLite driver opens its transaction before a write, not before a
    # SAVEPOINT, which would otherwise be a transaction of its own (committed at RELEASE).
    db.session.execute(
        update(PaymentImport)
        .where(PaymentImport.id == import_id)
        .values(status=ImportStatus.RUNNING)
    )
    again = []
    for row_id in row_ids:
        savepoint = db.session.begin_nested()
        try:
            _apply_pending(row_id)
        except DomainError as err:
            savepoint.rollback()
            _mark_refused(row_id, err.code)
        except SQLAlchemyError:
            savepoint.rollback()
            again.append(row_id)
        else:
            savepoint.commit()
    return again


def apply_row(row_id: int) -> None:
    """One row in a transaction of its own: recorded, found already on record, or refused
    with its reason. A lost race on the same reference is tried once more (it then reads
    "already recorded")."""
    for attempt in (1, 2):
        try:
            _apply_row(row_id)
            return
        except Conflict as err:
            if attempt == 2:
                _refuse_row(row_id, err.code)
        except DomainError as err:
            _refuse_row(row_id, err.code)
            return


@use_case
def _apply_row(row_id: int) -> None:
    _apply_pending(row_id)


def _apply_pending(row_id: int) -> None:
    row = db.session.get(PaymentImportRow, row_id)
    if row is None or row.outcome is not RowOutcome.PENDING:
        return
    upload = db.session.get(PaymentImport, row.import_id)
    assert upload is not None
    stated = read_row(_as_statement_row(row))
    case = _case_of(upload, stated.case_reference)
    channel = CHANNELS.get(stated.channel)
    if channel is None:
        raise RowRefused("channel_unknown", "channel")
    entry = PaymentEntry(stated.amount, stated.paid_on, channel, stated.reference)
    outcome = record_payment(upload.uploaded_by, case, entry)
    row.outcome = RowOutcome.DUPLICATE if outcome.duplicate else RowOutcome.APPLIED
    row.payment_id = outcome.payment.id


def _as_statement_row(row: PaymentImportRow) -> StatementRow:
    return StatementRow(
        row.line, row.case_reference, row.amount, row.paid_on, row.channel, row.reference
    )


def _case_of(upload: PaymentImport, reference: CaseReference) -> Case:
    """The case the reference names, if it is the importing organisation's: any other
    is "no such case", so a reference never tells whether another's case exists."""
    case = db.session.get(Case, reference.number)
    if (
        case is None
        or case.creditor_org_id != upload.creditor_org_id
        or case.reference != str(reference)
    ):
        raise RowRefused("no_such_case", "case_reference")
    return case


@use_case
def _refuse_row(row_id: int, code: str) -> None:
    _mark_refused(row_id, code)


def _mark_refused(row_id: int, code: str) -> None:
    row = db.session.get(PaymentImportRow, row_id)
    if row is not None and row.outcome is RowOutcome.PENDING:
        row.outcome, row.code = RowOutcome.REFUSED, code[:64]


@use_case
def _finish(import_id: int) -> PaymentImport:
    upload = db.session.get(PaymentImport, import_id)
    assert upload is not None
    counts = dict(
        db.session.execute(
            select(PaymentImportRow.outcome, func.count())
            .where(PaymentImportRow.import_id == import_id)
            .group_by(PaymentImportRow.outcome)
        ).all()
    )
    upload.applied = counts.get(RowOutcome.APPLIED, 0)
    upload.duplicates = counts.get(RowOutcome.DUPLICATE, 0)
    upload.refused = counts.get(RowOutcome.REFUSED, 0)
    if counts.get(RowOutcome.PENDING, 0) == 0:
        upload.status = ImportStatus.DONE
        upload.finished_at = clock.now()
        audit.record(
            AuditAction.PAYMENT_IMPORT_FINISH,
            actor=upload.uploaded_by,
            object_type="payment_import",
            object_id=upload.id,
            data={
                "applied": upload.applied,
                "duplicates": upload.duplicates,
                "refused": upload.refused,
            },
        )
    return upload


def import_rows(upload: PaymentImport, limit: int | None = None) -> list[PaymentImportRow]:
    return list(
        db.session.scalars(
            select(PaymentImportRow)
            .where(PaymentImportRow.import_id == upload.id)
            .order_by(PaymentImportRow.line)
            .limit(limit)
        )
    )


def rows_done(upload: PaymentImport) -> int:
    """How many rows have their outcome (the progress of a running import)."""
    return db.session.scalar(
        select(func.count())
        .select_from(PaymentImportRow)
        .where(
            PaymentImportRow.import_id == upload.id,
            PaymentImportRow.outcome != RowOutcome.PENDING,
        )
    )


def recent_imports(actor: User, limit: int = 20) -> list[PaymentImport]:
    return list(
        db.session.scalars(
            select(PaymentImport)
            .where(PaymentImport.creditor_org_id == actor.creditor_org_id)
            .order_by(PaymentImport.id.desc())
            .limit(limit)
        )
    )


@use_case
def record_report_download(actor: User, upload: PaymentImport) -> None:
    audit.record(
        AuditAction.PAYMENT_IMPORT_REPORT_DOWNLOAD,
        actor=actor,
        object_type="payment_import",
        object_id=upload.id,
        data={"rows": upload.row_count},
    )
