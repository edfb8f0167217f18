"""Evidence files: stored once by content hash, never replaced (a correction is a new file)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.core.pii import EncryptedString
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
    ID_FRONT = "id_front"  # the debtor's ID copy, front (人像面)
    ID_BACK = "id_back"  # and back (国徽面)
    AGENT_PROOF = "agent_proof"  # the agent's proof of employment or relationship
    # A guarantor's or co-borrower's own ID copy (``EvidenceFile.case_party_id`` says whose)
    PARTY_ID_FRONT = "party_id_front"
    PARTY_ID_BACK = "party_id_back"
    OTHER = "other"


# Given by the party themself on their case page, never uploaded as the creditor's evidence.
PARTY_ID_CATEGORIES = frozenset({EvidenceCategory.PARTY_ID_FRONT, EvidenceCategory.PARTY_ID_BACK})


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
    # Whose ID copy a PARTY_ID_* file is: a guarantor's or co-borrower's (case_parties).
    case_party_id: Mapped[int | None] = mapped_column(ForeignKey("case_parties.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    uploaded_by: Mapped[User] = relationship()


class PowerOfAttorneyRecord(db.Model):
    """What a power of attorney file says (CPL Art. 62), recorded when the creditor gives
    it: the principal, the agent (name and ID number or post), the powers ticked, the
    period and the date signed. A newer record replaces an older one for the case; both
    stay. The agent's ID number is encrypted like every ID number (PIPL Art. 28)."""

    __tablename__ = "powers_of_attorney"
    __table_args__ = (Index("ix_powers_of_attorney_case_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_files.id"), unique=True)
    principal: Mapped[str] = mapped_column(String(200))
    agent_name: Mapped[str] = mapped_column(String(100))
    agent_id_number: Mapped[str | None] = mapped_column(EncryptedString())
    agent_position: Mapped[str | None] = mapped_column(String(100))
    powers: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    evidence: Mapped[EvidenceFile] = relationship()
