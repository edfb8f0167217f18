"""Negotiation: objections to claim items, the debtor's income-and-spending statement,
proposals with their schedules, and the message threads (joint, caucus, notes)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.rules.proposals import ProposalState, Side

Money = Numeric(14, 2)


class ObjectionStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class Objection(db.Model):
    """The debtor disputes one claim item (principal, interest, penalty or fees)."""

    __tablename__ = "objections"
    __table_args__ = (Index("ix_objections_case_status", "case_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    item: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id"))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    status: Mapped[ObjectionStatus] = mapped_column(
        enum_column(ObjectionStatus, 16), default=ObjectionStatus.OPEN
    )
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FinancialStatement(db.Model):
    """One income-and-spending statement (the newest per case counts; older ones stay)."""

    __tablename__ = "financial_statements"
    __table_args__ = (Index("ix_financial_statements_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    household_size: Mapped[int] = mapped_column(Integer)
    dependants: Mapped[int] = mapped_column(Integer)
    income: Mapped[dict[str, Any]] = mapped_column(JSON)  # source → "1234.00"
    spending: Mapped[dict[str, Any]] = mapped_column(JSON)  # category → "1234.00"
    savings: Mapped[Decimal] = mapped_column(Money)
    assets: Mapped[Decimal] = mapped_column(Money)
    shared_with_creditor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Proposal(db.Model):
    """Concrete terms with a full schedule. At most one proposal per case is ever accepted:
    the partial unique index refuses a second one even under concurrent acceptance."""

    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_case_state", "case_id", "state"),
        Index(
            "uq_proposals_one_accepted_per_case",
            "case_id",
            unique=True,
            postgresql_where=db.text("state = 'accepted'"),
            sqlite_where=db.text("state = 'accepted'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    side: Mapped[Side] = mapped_column(enum_column(Side, 16))
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    replies_to_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    state: Mapped[ProposalState] = mapped_column(
        enum_column(ProposalState, 16), default=ProposalState.OPEN
    )
    kind: Mapped[str] = mapped_column(String(16))  # lump_sum | instalments
    total: Mapped[Decimal] = mapped_column(Money)
    principal: Mapped[Decimal] = mapped_column(Money)
    interest: Mapped[Decimal] = mapped_column(Money)
    fees: Mapped[Decimal] = mapped_column(Money)  # fees and penalty agreed, together
    discount: Mapped[Decimal] = mapped_column(Money)
    waive_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    waive_penalty: Mapped[bool] = mapped_column(Boolean, default=False)
    frequency: Mapped[str | None] = mapped_column(String(16))
    instalment_count: Mapped[int | None] = mapped_column(Integer)
    first_due: Mapped[date] = mapped_column(Date)
    down_payment: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    note: Mapped[str | None] = mapped_column(Text)
    accepted_by_debtor_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_creditor_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    instalments: Mapped[list[ProposalInstalment]] = relationship(
        order_by="ProposalInstalment.number", cascade="all, delete-orphan"
    )


class ProposalInstalment(db.Model):
    __tablename__ = "proposal_instalments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    due: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    kind: Mapped[str] = mapped_column(String(16))


class Thread(StrEnum):
    JOINT = "joint"  # both parties and the mediator
    CAUCUS_DEBTOR = "caucus_debtor"  # the mediator and the debtor only
    CAUCUS_CREDITOR = "caucus_creditor"  # the mediator and the creditor only
    NOTES = "notes"  # mediators only


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_case_thread", "case_id", "thread", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    thread: Mapped[Thread] = mapped_column(enum_column(Thread, 16))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
