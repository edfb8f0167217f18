"""Mediation sessions on a case: when and how the mediator meets the parties, each invited
party's answer, and the history of every change (app.sessions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.models.cases import Case
from app.models.users import User
from app.rules.sessions import Answer, Change, SessionKind, SessionMeans, SessionStatus


class MediationSession(db.Model):
    __tablename__ = "mediation_sessions"
    __table_args__ = (
        Index("ix_mediation_sessions_case", "case_id", "starts_at"),
        # the reminders' sweep: scheduled sessions by start
        Index("ix_mediation_sessions_status_start", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, 16))
    means: Mapped[SessionMeans] = mapped_column(enum_column(SessionMeans, 16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer)
    # in person: where; video: the service's link with the session's own random room
    place: Mapped[str | None] = mapped_column(String(200))
    meeting_url: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, 16), default=SessionStatus.SCHEDULED
    )
    # the calendar invitation's UID and SEQUENCE (RFC 5545): one more per reschedule
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    scheduled_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # what happened: who attended ("mediator,debtor,creditor"), the actual times, and the
    # contact record the mediation record hangs on
    attended: Mapped[str | None] = mapped_column(String(100))
    held_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    held_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_record_id: Mapped[int | None] = mapped_column(ForeignKey("contact_records.id"))
    # the reminders sent for the current time (cleared when the session moves)
    reminded_day_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_hour_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    scheduled_by: Mapped[User] = relationship()
    responses: Mapped[list[SessionResponse]] = relationship(
        back_populates="session", order_by="SessionResponse.side", cascade="all, delete-orphan"
    )
    history: Mapped[list[SessionChange]] = relationship(
        back_populates="session", order_by="SessionChange.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def response_of(self, side: str) -> SessionResponse | None:
        return next((r for r in self.responses if r.side == side), None)


class SessionResponse(db.Model):
    """One invited party's answer: the debtor, or the creditor's side (any of its staff)."""

    __tablename__ = "session_responses"
    __table_args__ = (UniqueConstraint("session_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mediation_sessions.id"))
    side: Mapped[str] = mapped_column(String(16))
    answer: Mapped[Answer] = mapped_column(enum_column(Answer, 16), default=Answer.PENDING)
    suggested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[MediationSession] = relationship(back_populates="responses")


class SessionChange(db.Model):
    """A line of a session's history: scheduled, moved (from, to), cancelled (why), a
    party's answer, held. Never updated."""

    __tablename__ = "session_changes"
    __table_args__ = (Index("ix_session_changes_session", "session_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mediation_sessions.id"))
    change: Mapped[Change] = mapped_column(enum_column(Change, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    side: Mapped[str | None] = mapped_column(String(16))
    from_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    to_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[Answer | None] = mapped_column(enum_column(Answer, 16))
    text: Mapped[str | None] = mapped_column(Text)

    session: Mapped[MediationSession] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()
