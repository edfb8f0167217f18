"""Judicial confirmation (司法确认, CPL Art. 205; 人民调解法 Art. 33): the package released
to the parties and the court, its signatures, what happened at court, the legal
calendar's overrides and the deadline reminders sent."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
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
from app.models.users import User


class PackageStatus(StrEnum):
    RENDERING = "rendering"  # the worker is assembling and certifying the PDF
    FAILED = "failed"
    SIGNING = "signing"  # released: the parties sign the application and their letters
    READY = "ready"  # both parties signed: ready to file
    SUPERSEDED = "superseded"


class Ruling(StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class ConfirmationPackage(db.Model):
    """One release of the package for one agreement version, addressed to one court."""

    __tablename__ = "confirmation_packages"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per case
    status: Mapped[PackageStatus] = mapped_column(enum_column(PackageStatus, 16))
    court_name: Mapped[str] = mapped_column(String(100))
    court_division: Mapped[str] = mapped_column(String(6))
    # The pre-check findings at release and the warnings the mediator acknowledged.
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    acknowledged: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    released_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    render_error: Mapped[str | None] = mapped_column(Text)  # the last attempt's error
    # Build attempts asked for and when the last one was (app.confirmation.package.recovery).
    render_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    render_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    base_sha256: Mapped[str | None] = mapped_column(String(64))
    current_sha256: Mapped[str | None] = mapped_column(String(64))
    zip_sha256: Mapped[str | None] = mapped_column(String(64))
    # After filing (recorded by the mediator).
    filed_on: Mapped[date | None] = mapped_column(Date)
    court_case_number: Mapped[str | None] = mapped_column(String(64))
    ruling: Mapped[Ruling | None] = mapped_column(enum_column(Ruling, 16))
    ruling_on: Mapped[date | None] = mapped_column(Date)
    ruling_reason: Mapped[str | None] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    signatures: Mapped[list[PackageSignature]] = relationship(
        back_populates="package", order_by="PackageSignature.id"
    )
    released_by: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}


class PackageSignature(db.Model):
    """A party signs the joint application and their own letters (承诺书, 送达地址确认书)
    the same way they signed the agreement: re-authenticated, on the exact file."""

    __tablename__ = "package_signatures"
    __table_args__ = (UniqueConstraint("package_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("confirmation_packages.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ip: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(400))
    method: Mapped[str] = mapped_column(String(8))
    typed_name: Mapped[str | None] = mapped_column(String(100))
    drawn_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_sha256: Mapped[str] = mapped_column(String(64))
    result_sha256: Mapped[str] = mapped_column(String(64))

    package: Mapped[ConfirmationPackage] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()


class HolidayOverride(db.Model):
    """An admin's entry in the legal calendar for a day the holiday package does not know
    (a year whose State Council notice came after the package's release)."""

    __tablename__ = "holiday_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class HolidayYear(db.Model):
    """A year whose holidays the admin has entered completely (the notice is in)."""

    __tablename__ = "holiday_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class DeadlineReminder(db.Model):
    """A reminder sent about a case's deadline (day 20, day 27): never twice."""

    __tablename__ = "deadline_reminders"
    __table_args__ = (UniqueConstraint("case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
