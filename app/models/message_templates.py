"""A mediation organisation's own wording of an outreach message
(:mod:`app.rules.message_templates`): one row per organisation, template and channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.db import UTCDateTime
from app.extensions import db


class OrgMessageTemplate(db.Model):
    __tablename__ = "org_message_templates"
    __table_args__ = (UniqueConstraint("mediation_org_id", "template", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mediation_org_id: Mapped[int] = mapped_column(ForeignKey("mediation_organisations.id"))
    template: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))  # "email" | "sms"
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
