"""A creditor organisation's bulk import of cases: the sheet (CSV or XLSX) and its optional
ZIP of evidence, stored as uploaded, and what became of each row.

The worker reads the stored sheet row by row and handles each row in its own transaction
(:mod:`app.cases.imports`): a created case and its report row commit together, a refused
row commits only its report row. A worker stopped half-way resumes after the last line
reported. A row's identity is the organisation and the contract number (normalised,
:func:`app.rules.contract_numbers.normalise_number`): :class:`CaseImportKey` holds it, so
the same row uploaded again (or by two imports at once) creates nothing twice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.models.users import User


class CaseImportStatus(StrEnum):
    QUEUED = "queued"  # accepted, waiting for the worker
    RUNNING = "running"
    DONE = "done"
    # Stopped: the stored file could not be read any more, or the worker failed on an
    # unexpected error after its retries or was lost too often (``error`` says which). The
    # rows reported stay; the creditor may resume it (app.cases.imports.resume_import).
    FAILED = "failed"


class CaseImportOutcome(StrEnum):
    CREATED = "created"  # a case was created and submitted
    ALREADY = "already"  # the organisation has a case with this contract number
    REFUSED = "refused"  # ``code`` and the reason say why


class CaseImport(db.Model):
    __tablename__ = "case_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_org_id: Mapped[int] = mapped_column(
        ForeignKey("creditor_organisations.id"), index=True
    )
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    mediation_org_id: Mapped[int] = mapped_column(ForeignKey("mediation_organisations.id"))
    sheet_name: Mapped[str] = mapped_column(String(255))
    sheet_sha256: Mapped[str] = mapped_column(String(64))
    sheet_kind: Mapped[str] = mapped_column(String(8))  # csv, xlsx
    encoding: Mapped[str | None] = mapped_column(String(16))  # of a CSV: utf-8-sig, gb18030
    zip_name: Mapped[str | None] = mapped_column(String(255))
    zip_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[CaseImportStatus] = mapped_column(enum_column(CaseImportStatus, 16))
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    # The last line of the sheet reported: a resumed run starts after it.
    last_line: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(64))  # why a run failed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When a run last moved (each chunk): a run still "running" long after it was lost
    # with its worker, and is asked for again (app.cases.imports.recover_stalled_imports).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Runs begun since it was accepted or resumed (a lost run counts).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    uploaded_by: Mapped[User] = relationship()


class CaseImportRow(db.Model):
    """One row of the sheet: what identifies it in the report (as written), its outcome,
    the case it created or found, and the reason of a refusal in both languages."""

    __tablename__ = "case_import_rows"
    __table_args__ = (UniqueConstraint("import_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("case_imports.id"))
    line: Mapped[int] = mapped_column(Integer)
    contract_number: Mapped[str] = mapped_column(String(255), default="")
    contract_key: Mapped[str] = mapped_column(String(255), default="")
    debtor_name: Mapped[str] = mapped_column(String(255), default="")
    outcome: Mapped[CaseImportOutcome] = mapped_column(enum_column(CaseImportOutcome, 16))
    code: Mapped[str | None] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(64))
    reason_zh: Mapped[str] = mapped_column(Text, default="")
    reason_en: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))


class CaseImportKey(db.Model):
    """A contract number an import created a case for, per organisation (normalised): the
    unique constraint makes a second creation a lost race, read as "already imported"."""

    __tablename__ = "case_import_keys"
    __table_args__ = (
        UniqueConstraint("creditor_org_id", "contract_key", name="uq_case_import_keys_org_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_org_id: Mapped[int] = mapped_column(ForeignKey("creditor_organisations.id"))
    contract_key: Mapped[str] = mapped_column(String(255))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
