"""Restructuring an agreement in force (民法典 Art. 543: the parties may change a contract
by consensus): the debtor's request with the terms offered back and forth, and the
supplementary agreement (补充协议) it produces, one row per version, signed like the
agreement itself."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
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
from app.models.agreements import SignatureMethod
from app.models.users import User


class RequestStatus(StrEnum):
    OPEN = "open"  # terms on the table, waiting for the other party's answer
    ACCEPTED = "accepted"  # terms agreed: the mediator drafts the supplementary agreement
    DECLINED = "declined"  # the other party said no (with a reason); the agreement stands
    COMPLETED = "completed"  # the supplementary agreement took effect


OPEN_REQUEST_STATES = (RequestStatus.OPEN, RequestStatus.ACCEPTED)


class RestructuringRequest(db.Model):
    """The debtor's request to restructure what remains unpaid. ``offers`` holds every set
    of terms put forward (the debtor's, then any counter-offers), newest last; each is a
    schedule for the remaining balance as it stood when it was offered."""

    __tablename__ = "restructuring_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus, 16))
    reason: Mapped[str] = mapped_column(Text)  # the debtor's changed situation, in their words
    offers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # What the accepted terms restructure, frozen at acceptance (app.rules.restructuring).
    basis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    # At most one open request per case: set to the case id while open or accepted,
    # cleared when it ends (a unique column: two requests at the same moment, one lands).
    open_case_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])

    __mapper_args__ = {"version_id_col": lock_version}


class SupplementaryStatus(StrEnum):
    RENDERING = "rendering"
    FAILED = "failed"
    SIGNING = "signing"
    SUPERSEDED = "superseded"  # a newer version replaced it; its signatures lapse
    IN_FORCE = "in_force"  # every party and the mediator signed, the seal is on it


class SupplementaryAgreement(db.Model):
    """One version of a supplementary agreement (补充协议). ``version`` counts across the
    case's supplementary agreements (the documents /verify knows by case and version).
    ``terms`` is frozen at drafting: the original agreement it amends, what was paid, the
    remaining balance by part, the rows kept and superseded, the new schedule and its
    default rule."""

    __tablename__ = "supplementary_agreements"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("restructuring_requests.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[SupplementaryStatus] = mapped_column(enum_column(SupplementaryStatus, 16))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    render_error: Mapped[str | None] = mapped_column(Text)
    base_sha256: Mapped[str | None] = mapped_column(String(64))
    current_sha256: Mapped[str | None] = mapped_column(String(64))
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    signatures: Mapped[list[SupplementarySignature]] = relationship(
        back_populates="supplementary", order_by="SupplementarySignature.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class SupplementarySignature(db.Model):
    """A signature on a supplementary agreement, recorded exactly as on the agreement
    (电子签名法 Arts. 13–14): who, when, from where, on exactly which bytes."""

    __tablename__ = "supplementary_signatures"
    __table_args__ = (UniqueConstraint("supplementary_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplementary_id: Mapped[int] = mapped_column(
        ForeignKey("supplementary_agreements.id"), index=True
    )
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

    supplementary: Mapped[SupplementaryAgreement] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()
