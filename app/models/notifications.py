"""The outbox: every message to a person, with when it may go out and what happened.

For debtors this table is also the contact log of :mod:`app.notifications.outbox` (who,
channel, time, template, outcome), kept at least two years.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.rules.message_kinds import MessageKind


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    # Sent inside a digest with other case notices due at the same moment (merged_into_id).
    MERGED = "merged"


class OutboundMessage(db.Model):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        Index("ix_outbound_messages_status_due", "status", "due_at"),
        Index("ix_outbound_messages_recipient_due", "recipient_key", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who the contact rules count against: "debtor:<case id>" for a debtor, else "user:<id>".
    recipient_key: Mapped[str] = mapped_column(String(40))
    is_debtor: Mapped[bool] = mapped_column(default=False)
    # Requested, case notice or outreach (app.rules.message_kinds): which contact rules apply.
    kind: Mapped[MessageKind] = mapped_column(
        enum_column(MessageKind, 16), default=MessageKind.OUTREACH
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 8))
    address: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, 8),
        default=OutboxStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    # The digest that carried this case notice (app.notifications.digest), if one did.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id"))
    # One text attachment of an email (a session's .ics invitation): name, media type
    # (e.g. "text/calendar; method=REQUEST") and content. A message with one is never
    # merged into a digest.
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_text: Mapped[str | None] = mapped_column(Text)
