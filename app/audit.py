"""Append-only, hash-chained audit log.

Every state change calls :func:`record` inside the same transaction as the change, so
the event exists if and only if the change does. Events are chained twice: globally,
and per case (``case_id``). :func:`verify_chain` recomputes every hash and reports the
first broken link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.core import clock
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import User
from app.rules.hashchain import GENESIS, EventContent, canonical_data, event_hash

# An arbitrary constant: the PostgreSQL advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 0x436F6E63


def record(
    action: str,
    *,
    actor: User | None,
    object_type: str,
    object_id: int | str,
    case_id: int | None = None,
    data: Mapping[str, Any] | None = None,
    session: Session | None = None,
) -> AuditEvent:
    """Append an event to the chain; the caller's transaction commits it with the change."""
    session = session or db.session
    if session.get_bind().dialect.name == "postgresql":
        # Held until the transaction ends: two writers can never read the same head.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    content = EventContent(
        occurred_at=clock.now(),
        actor_id=actor.id if actor is not None else None,
        actor_label=_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        case_id=case_id,
        data=dict(data or {}),
    )
    prev_hash = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    case_prev = None
    if case_id is not None:
        case_prev = session.scalar(
            select(AuditEvent.hash)
            .where(AuditEvent.case_id == case_id)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        case_prev = case_prev or GENESIS
    prev_hash = prev_hash or GENESIS
    ev = AuditEvent(
        occurred_at=content.occurred_at,
        actor_id=content.actor_id,
        actor_label=content.actor_label,
        action=action,
        object_type=object_type,
        object_id=content.object_id,
        case_id=case_id,
        data=_json_data(content),
        prev_hash=prev_hash,
        case_prev_hash=case_prev,
        hash=event_hash(content, prev_hash, case_prev),
    )
    session.add(ev)
    session.flush()
    return ev


def _label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return f"{actor.role.value}:{actor.name}"


def _json_data(content: EventContent) -> dict[str, Any]:
    return canonical_data(content.data)


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events: int
    head_hash: str
    broken_id: int | None = None
    reason: str = ""


def _content(ev: AuditEvent) -> EventContent:
    return EventContent(
        occurred_at=ev.occurred_at,
        actor_id=ev.actor_id,
        actor_label=ev.actor_label,
        action=ev.action,
        object_type=ev.object_type,
        object_id=ev.object_id,
        case_id=ev.case_id,
        data=ev.data,
    )


def verify_chain(session: Session | None = None) -> ChainReport:
    """Walk every event in order; stop at the first one whose links or hash do not hold.

    Events are streamed in batches, so memory stays flat however long the chain is.
    """
    session = session or db.session
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    result = session.scalars(stmt)
    try:
        return _walk(result)
    finally:
        result.close()  # releases the server-side cursor when the walk stops early


def _walk(events: Iterable[AuditEvent]) -> ChainReport:
    head = GENESIS
    case_heads: dict[int, str] = {}
    count = 0
    for ev in events:
        count += 1
        if ev.prev_hash != head:
            return ChainReport(False, count, head, ev.id, "previous-hash link broken")
        if ev.case_id is not None and ev.case_prev_hash != case_heads.get(ev.case_id, GENESIS):
            return ChainReport(False, count, head, ev.id, "case chain link broken")
        if event_hash(_content(ev), ev.prev_hash, ev.case_prev_hash) != ev.hash:
            return ChainReport(False, count, head, ev.id, "content does not match its hash")
        head = ev.hash
        if ev.case_id is not None:
            case_heads[ev.case_id] = ev.hash
    return ChainReport(True, count, head)


def head_hash(session: Session | None = None) -> str:
    session = session or db.session
    value = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return value or GENESIS
