"""Evidence files: stored once by content hash, never replaced (a correction is a new file)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.models.users import User


class EvidenceCategory(StrEnum):
    CONTRACT = "contract"
    DISBURSEMENT = "disbursement"
    STATEMENT = "statement"
    ASSIGNMENT = "assignment"
    NOTICE = "notice"
    IDENTITY = "identity"
    ATTORNEY = "attorney"  # power of attorney of the person acting for a party
    OTHER = "other"


class EvidenceFile(db.Model):
    __tablename__ = "evidence_files"
    __table_args__ = (Index("ix_evidence_files_case_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    category: Mapped[EvidenceCategory] = mapped_column(enum_column(EvidenceCategory, 16))
    description: Mapped[str] = mapped_column(String(300))
    original_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    uploaded_by: Mapped[User] = relationship()
