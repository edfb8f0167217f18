"""The mediation agreement (调解协议书): one row per version, its signatures, and every
PDF the platform has issued (what ``/verify`` looks documents up by)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.models.users import User


class AgreementStatus(StrEnum):
    RENDERING = "rendering"  # the worker is producing the certified PDF
    FAILED = "failed"  # rendering failed; the mediator may try again
    SIGNING = "signing"  # the PDF is ready; waiting for signatures
    SUPERSEDED = "superseded"  # a newer version replaced it; its signatures no longer count
    IN_FORCE = "in_force"  # everybody signed and the seal is on it


class Agreement(db.Model):
    """One version of the agreement. Its terms are a frozen copy of the accepted proposal
    (with the receiving account and the default rule the mediator adds); a change is a
    new version."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    status: Mapped[AgreementStatus] = mapped_column(enum_column(AgreementStatus, 16))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    render_error: Mapped[str | None] = mapped_column(Text)  # the last attempt's error
    # Rendering attempts asked for (the draft's, the stalled-render check's, the
    # mediator's), and when the last one was asked for: see app.agreements.recovery.
    render_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    render_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The certified PDF every signer is shown, and the newest revision (with signatures).
    base_sha256: Mapped[str | None] = mapped_column(String(64))
    current_sha256: Mapped[str | None] = mapped_column(String(64))
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on every signature: two signatures at once cannot both build on one file.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    signatures: Mapped[list[AgreementSignature]] = relationship(
        back_populates="agreement", order_by="AgreementSignature.id"
    )
    drafted_by: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}


class SignatureMethod(StrEnum):
    TYPED = "typed"
    DRAWN = "drawn"


class AgreementSignature(db.Model):
    """A signature given on the platform (电子签名法 Arts. 13–14): who, when, from where,
    on which version and on exactly which bytes."""

    __tablename__ = "agreement_signatures"
    __table_args__ = (
        UniqueConstraint("agreement_id", "role"),
        # Who else signed from an address (app.confirmation.collusion).
        Index("ix_agreement_signatures_ip", "ip"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # debtor / creditor / mediator
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ip: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(400))
    method: Mapped[SignatureMethod] = mapped_column(enum_column(SignatureMethod, 8))
    typed_name: Mapped[str | None] = mapped_column(String(100))
    drawn_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_sha256: Mapped[str] = mapped_column(String(64))  # the file the signer saw
    result_sha256: Mapped[str] = mapped_column(String(64))  # the file with this signature

    agreement: Mapped[Agreement] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()


class DocumentKind(StrEnum):
    AGREEMENT = "agreement"
    PACKAGE = "package"
    ENFORCEMENT = "enforcement"  # an enforcement application (强制执行申请书)
    FAILURE_CERTIFICATE = "failure_cert"  # 调解终结/调解不成证明
    SETTLEMENT_CERTIFICATE = "settlement_cert"  # 结清证明
    SUPPLEMENTARY = "supplementary"  # a supplementary agreement (补充协议)
    MEDIATION_RECORD = "mediation_record"  # a mediation record (调解笔录)


class IssuedDocument(db.Model):
    """Every PDF revision the platform wrote, by SHA-256: the answer to "did you issue
    this file?" at ``/verify``. The bytes live in the blob store under the same hash."""

    __tablename__ = "issued_documents"
    # A case has one certificate of each kind, even when two workers issue it at once.
    __table_args__ = (
        Index(
            "uq_issued_documents_one_certificate",
            "case_id",
            "kind",
            unique=True,
            postgresql_where=db.text("kind IN ('failure_cert', 'settlement_cert')"),
            sqlite_where=db.text("kind IN ('failure_cert', 'settlement_cert')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, 16))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"))
    version: Mapped[int] = mapped_column(Integer)
    # What this revision holds: "certified", "signed:debtor", "signed:mediator", …
    stage: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
