"""A creditor organisation's statement import: the file's rows and what became of each.

The rows are stored as written when the file is accepted, then applied one by one (each
in its own transaction, by :mod:`app.repayments.imports`), so a bad row never stops the
good ones and a worker that stops half-way resumes with the rows still pending."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.models.users import User


class ImportStatus(StrEnum):
    QUEUED = "queued"  # accepted, waiting for the worker
    RUNNING = "running"
    DONE = "done"


class RowOutcome(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"  # recorded as the creditor's payment
    DUPLICATE = "duplicate"  # the same payment (reference, amount, date) was on record
    REFUSED = "refused"  # ``code`` says why


class PaymentImport(db.Model):
    __tablename__ = "payment_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_org_id: Mapped[int] = mapped_column(
        ForeignKey("creditor_organisations.id"), index=True
    )
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus, 16))
    applied: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    uploaded_by: Mapped[User] = relationship()


class PaymentImportRow(db.Model):
    """One line of the file: its fields as written (the report shows them back) and its
    outcome; the payment it recorded or found already on record."""

    __tablename__ = "payment_import_rows"
    __table_args__ = (UniqueConstraint("import_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("payment_imports.id"))
    line: Mapped[int] = mapped_column(Integer)
    case_reference: Mapped[str] = mapped_column(String(255), default="")
    amount: Mapped[str] = mapped_column(String(255), default="")
    paid_on: Mapped[str] = mapped_column(String(255), default="")
    channel: Mapped[str] = mapped_column(String(255), default="")
    reference: Mapped[str] = mapped_column(String(255), default="")
    outcome: Mapped[RowOutcome] = mapped_column(enum_column(RowOutcome, 16))
    code: Mapped[str | None] = mapped_column(String(64))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
