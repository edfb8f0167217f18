"""The mediation record (调解笔录, 人民调解法 Art. 27: the mediation's records and files are
kept): one per held session, hung on the session's contact record, written by the
mediator, confirmed by the parties' signatures and sealed with the mediator's."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.models.agreements import SignatureMethod
from app.models.contacts import ContactRecord
from app.models.users import User


class RecordStatus(StrEnum):
    DRAFT = "draft"  # the mediator is writing it; nobody else sees it
    RENDERING = "rendering"  # submitted: the worker is producing the certified PDF
    FAILED = "failed"  # rendering failed; the mediator submits it again
    AWAITING = "awaiting"  # awaiting confirmation: the parties sign, then the mediator
    CONFIRMED = "confirmed"  # everybody signed; the seal is on it


class MediationRecord(db.Model):
    """The record of one held session. Its content is edited in place while it is not
    confirmed; each edit after submission is a new ``version`` (the earlier content is
    kept in ``history``) and the signatures given on an earlier version lapse."""

    __tablename__ = "mediation_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    contact_record_id: Mapped[int] = mapped_column(ForeignKey("contact_records.id"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[RecordStatus] = mapped_column(enum_column(RecordStatus, 16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    # [{"name": ..., "role": ...}] in the order printed
    participants: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    debtor_statement: Mapped[str] = mapped_column(Text)
    creditor_statement: Mapped[str] = mapped_column(Text)
    agreed: Mapped[str] = mapped_column(Text)
    not_agreed: Mapped[str] = mapped_column(Text)
    # earlier versions' content, each {"version", "content", "sha256"}: nothing is lost
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    render_error: Mapped[str | None] = mapped_column(Text)
    # the certified PDF every signer of this version is shown, and its newest revision
    base_sha256: Mapped[str | None] = mapped_column(String(64))
    current_sha256: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # bumped on every change: two edits or signatures at once cannot both build on one state
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    contact: Mapped[ContactRecord] = relationship()
    written_by: Mapped[User] = relationship()
    signatures: Mapped[list[MediationRecordSignature]] = relationship(
        back_populates="record", order_by="MediationRecordSignature.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class MediationRecordSignature(db.Model):
    """A signature on one version of a record, recorded as on the agreement (电子签名法
    Arts. 13–14): who, when, from where, on exactly which bytes."""

    __tablename__ = "mediation_record_signatures"
    __table_args__ = (UniqueConstraint("record_id", "version", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("mediation_records.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ip: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(400))
    method: Mapped[SignatureMethod] = mapped_column(enum_column(SignatureMethod, 8))
    typed_name: Mapped[str | None] = mapped_column(String(100))
    drawn_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_sha256: Mapped[str] = mapped_column(String(64))
    result_sha256: Mapped[str] = mapped_column(String(64))

    record: Mapped[MediationRecord] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()
