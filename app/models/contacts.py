"""The contact record: every contact a person had with a party of a case, whatever the
channel, with its optional recording, and the complaints the parties file about contacts
or conduct. The product's own messages stay in the outbox (:mod:`app.models.notifications`)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.models.cases import Case
from app.models.users import User
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome


class ContactRecord(db.Model):
    __tablename__ = "contact_records"
    __table_args__ = (
        Index("ix_contact_records_case", "case_id", "occurred_at"),
        # the daily count per debtor, and the compliance view's distribution
        Index("ix_contact_records_debtor_day", "debtor_key", "local_day"),
        Index("ix_contact_records_org_flagged", "mediation_org_id", "flagged"),
        # the dashboards' outreach contacts per debtor per day, from the index alone
        Index(
            "ix_contact_records_org_outreach_day",
            "mediation_org_id",
            "is_outreach",
            "local_day",
            "debtor_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # copied from the case so the compliance views aggregate without a join
    mediation_org_id: Mapped[int] = mapped_column(ForeignKey("mediation_organisations.id"))
    # the creditor organisation whose staff logged it (None: the mediation side)
    creditor_org_id: Mapped[int | None] = mapped_column(ForeignKey("creditor_organisations.id"))
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    counterpart: Mapped[Counterpart] = mapped_column(enum_column(Counterpart, 16))
    counterpart_name: Mapped[str] = mapped_column(String(100), default="")
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8))
    channel: Mapped[ContactChannel] = mapped_column(enum_column(ContactChannel, 16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the legal-clock day of ``occurred_at``, and whom the daily cap counts against
    # ("phone:<number>", else "user:<id>", else "case:<id>": app.cases.contact_log)
    local_day: Mapped[date] = mapped_column(Date)
    debtor_key: Mapped[str] = mapped_column(String(40))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, 16))
    summary: Mapped[str] = mapped_column(String(500))
    is_outreach: Mapped[bool] = mapped_column(Boolean, default=False)
    # consent to being recorded, asked at the start: None not asked, else the answer
    recording_consent: Mapped[bool | None] = mapped_column(Boolean)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the contact rules it breaks (app.rules.contact_log.contact_flags) and the reason given
    flag_quiet_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_daily_cap: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_wrong_person: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(Text)
    # the recording, stored by hash like evidence, set once and never replaced
    recording_sha256: Mapped[str | None] = mapped_column(String(64))
    recording_size: Mapped[int | None] = mapped_column(BigInteger)
    recording_media_type: Mapped[str | None] = mapped_column(String(32))
    recording_name: Mapped[str | None] = mapped_column(String(255))
    recording_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    case: Mapped[Case] = relationship()
    logged_by: Mapped[User] = relationship()

    @property
    def flags(self) -> list[str]:
        named = (
            ("quiet_hours", self.flag_quiet_hours),
            ("daily_cap", self.flag_daily_cap),
            ("wrong_person", self.flag_wrong_person),
        )
        return [name for name, on in named if on]


class ComplaintStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class Complaint(db.Model):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_org_status", "mediation_org_id", "status", "due_on"),
        Index("ix_complaints_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    mediation_org_id: Mapped[int] = mapped_column(ForeignKey("mediation_organisations.id"))
    complainant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact_records.id"))
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ComplaintStatus] = mapped_column(
        enum_column(ComplaintStatus, 16), default=ComplaintStatus.OPEN
    )
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship()
    complainant: Mapped[User] = relationship(foreign_keys=[complainant_id])
    contact: Mapped[ContactRecord | None] = relationship()
