"""The append-only audit event (see ``app/audit.py`` for how events are written)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import UTCDateTime
from app.extensions import db


class AuditEventImmutable(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        # Each hash is followed by at most one event: a forked chain cannot be committed.
        UniqueConstraint("prev_hash", name="uq_audit_events_prev_hash"),
        UniqueConstraint("case_id", "case_prev_hash", name="uq_audit_events_case_prev_hash"),
        Index("ix_audit_events_case_id_id", "case_id", "id"),
        Index("ix_audit_events_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    case_prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(*_: Any) -> None:
    raise AuditEventImmutable("audit events are append-only: update refused")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(*_: Any) -> None:
    raise AuditEventImmutable("audit events are append-only: delete refused")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: Any) -> None:
    if (state.is_update or state.is_delete) and any(
        m.class_ is AuditEvent for m in state.all_mappers
    ):
        raise AuditEventImmutable("audit events are append-only: bulk update/delete refused")
