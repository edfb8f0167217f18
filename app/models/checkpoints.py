"""A signed checkpoint of the audit chain's head (see ``app/anchor``).

Kept apart from ``audit_events`` so that removing the log's last events cannot also remove
the record of how long the log was. Append-only like the log: the ORM refuses changes here,
the database's triggers refuse them underneath (migration 0006).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import UTCDateTime
from app.extensions import db


class AuditCheckpointImmutable(RuntimeError):
    """Raised when code tries to change or remove a checkpoint."""


class AuditCheckpoint(db.Model):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 1, 2, 3…: signed into the payload, so a removed checkpoint leaves a gap.
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The number of events in the chain and the hash of the last of them.
    events: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(100))
    # The exact canonical JSON bytes that were signed (UTF-8), the detached signature
    # (base64) and the signer's certificate (base64 DER).
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(Text)
    certificate: Mapped[str] = mapped_column(Text)


@event.listens_for(AuditCheckpoint, "before_update")
def _refuse_update(*_: Any) -> None:
    raise AuditCheckpointImmutable("audit checkpoints are append-only: update refused")


@event.listens_for(AuditCheckpoint, "before_delete")
def _refuse_delete(*_: Any) -> None:
    raise AuditCheckpointImmutable("audit checkpoints are append-only: delete refused")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: Any) -> None:
    if (state.is_update or state.is_delete) and any(
        m.class_ is AuditCheckpoint for m in state.all_mappers
    ):
        raise AuditCheckpointImmutable("audit checkpoints are append-only: bulk change refused")
