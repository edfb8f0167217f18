"""Payments against an agreement in force. The repayment plan itself is not stored: it is
derived from the agreement's frozen terms (``Agreement.terms``) and these rows, so there is
one source of truth for what was agreed and one for what was paid."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.models.users import User


class PaymentSource(StrEnum):
    CREDITOR = "creditor"  # recorded by the creditor from its own books
    DEBTOR = "debtor"  # reported by the debtor with proof, for the creditor to confirm


class PaymentStatus(StrEnum):
    RECORDED = "recorded"  # the creditor recorded it: it counts
    REPORTED = "reported"  # the debtor reported it: it counts once confirmed
    CONFIRMED = "confirmed"  # the creditor confirmed the debtor's report: it counts
    DISPUTED = "disputed"  # the creditor says it did not receive it: it does not count
    REJECTED = "rejected"  # the mediator found the dispute right: it never counts


COUNTED = (PaymentStatus.RECORDED, PaymentStatus.CONFIRMED)


class PaymentChannel(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    ALIPAY = "alipay"
    WECHAT_PAY = "wechat_pay"
    OTHER = "other"


class RepaymentPayment(db.Model):
    """One payment on a case. ``reference`` (the bank's or the creditor's) is unique per
    case: the same payment sent twice is recognised, never counted twice."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("case_id", "reference"),
        Index("ix_payments_case_id_paid_on", "case_id", "paid_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[PaymentChannel] = mapped_column(enum_column(PaymentChannel, 16))
    reference: Mapped[str] = mapped_column(String(64))
    source: Mapped[PaymentSource] = mapped_column(enum_column(PaymentSource, 16))
    status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus, 16))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # The debtor's proof (a transfer receipt), stored in the blob store by its SHA-256.
    proof_sha256: Mapped[str | None] = mapped_column(String(64))
    proof_media_type: Mapped[str | None] = mapped_column(String(32))
    proof_size: Mapped[int | None] = mapped_column(BigInteger)
    proof_name: Mapped[str | None] = mapped_column(String(255))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispute_reason: Mapped[str | None] = mapped_column(String(300))
    # The mediator's resolution of a dispute: who, when and what they found.
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_note: Mapped[str | None] = mapped_column(String(300))
    # Bumped on every decision: two confirmations at once cannot both land.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])

    __mapper_args__ = {"version_id_col": lock_version}


class RepaymentBreach(db.Model):
    """The day an agreement went into breach (an instalment unpaid past its grace period),
    recorded once per agreement and plan by :mod:`app.repayments.watch`: the audit event
    and the notices go out with this row, never twice. ``plan_revision`` is 0 for the
    agreement's own schedule and the version of the supplementary agreement whose new
    schedule was breached (a restructured plan may be breached afresh)."""

    __tablename__ = "repayment_breaches"
    __table_args__ = (UniqueConstraint("agreement_id", "plan_revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    plan_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    instalment: Mapped[int] = mapped_column(Integer)
    breach_on: Mapped[date] = mapped_column(Date)
    accelerated: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class ReminderKind(StrEnum):
    BEFORE = "before"  # three days before the due date
    DUE = "due"  # on the due date
    MISSED = "missed"  # the day after a missed due date


class RepaymentReminder(db.Model):
    """A reminder sent to the debtor about one instalment: one per instalment and kind."""

    __tablename__ = "repayment_reminders"
    __table_args__ = (UniqueConstraint("agreement_id", "instalment", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    instalment: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind, 16))
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
