"""The in-app notification centre: what each account holder was told, immediately.

Not a contact under the contact rules (:mod:`app.rules.message_kinds`): a notification
waits in the account until its owner signs in, so it is created at once, whatever quiet
hours or the daily cap do to the email or SMS about the same event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.rules.message_kinds import MessageKind


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind, 16))
    # The event (the outbound template's name): the title is shown in the reader's language.
    template: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # A path inside the application: the exact place to act.
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
