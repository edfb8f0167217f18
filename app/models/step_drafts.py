"""What the debtor typed on a step of their guided path and kept for later ("save and
continue later"): the values of the statement form or of a proposal, per case, user and
form. Not case content: nobody else sees a draft, and sending the form deletes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.db import UTCDateTime
from app.extensions import db


class StepDraft(db.Model):
    """One kept form (``kind``: ``statement``, ``proposal``, or ``progress`` for the steps
    the debtor has looked at and moved past)."""

    __tablename__ = "step_drafts"
    __table_args__ = (UniqueConstraint("case_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
