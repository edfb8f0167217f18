"""Writing checkpoints: the chain's length and head hash, signed, in the table and the file.

A checkpoint is written in the caller's transaction (an issued PDF's, or the hourly task's
own), under the chain's lock, so the events it counts and the head it names are one
consistent state. Its line reaches the file only once that transaction has committed: a
rolled-back checkpoint never appears in the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app import audit
from app.anchor import journal
from app.anchor.signature import organisation_key
from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.checkpoints import AuditCheckpoint
from app.rules.hashchain import GENESIS

FORMAT = 1
HOURLY = "hourly"
_PENDING = "concord.audit_checkpoint_lines"

log = logging.getLogger(__name__)


def canonical(payload: dict[str, Any]) -> str:
    """The text whose UTF-8 bytes are signed: sorted keys, no whitespace."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(payload_text: str) -> str:
    return hashlib.sha256(payload_text.encode("utf-8")).hexdigest()


def document_reason(sha256: str) -> str:
    return f"document:{sha256}"


def write_checkpoint(reason: str, session: Session | None = None) -> AuditCheckpoint:
    """Sign and add a checkpoint of the chain as this transaction sees it; its line is
    appended to the file when the transaction commits."""
    session = session or db.session
    audit.lock_chain(session)
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    events = session.scalar(select(func.count(AuditEvent.id))) if last else 0
    previous = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))
    key = organisation_key()
    at = clock.now()
    payload = {
        "v": FORMAT,
        "seq": previous.seq + 1 if previous else 1,
        "events": events or 0,
        "head": last.hash if last else GENESIS,
        "at": at.isoformat(timespec="microseconds"),
        "reason": reason,
        "prev": digest(previous.payload) if previous else GENESIS,
        "signer": key.fingerprint,
    }
    text = canonical(payload)
    row = AuditCheckpoint(
        seq=payload["seq"],
        created_at=at,
        events=payload["events"],
        head_hash=payload["head"],
        reason=reason,
        payload=text,
        signature=key.sign(text.encode("utf-8")),
        certificate=key.certificate_b64,
    )
    session.add(row)
    session.flush()
    pending = session.info.setdefault(_PENDING, [])
    pending.append((journal.journal_path(), line_of(row)))
    return row


def line_of(row: AuditCheckpoint) -> journal.Line:
    return journal.Line(row.payload, row.signature, row.certificate)


@use_case
def take_checkpoint(reason: str = HOURLY) -> AuditCheckpoint:
    """A checkpoint on its own (the hourly task, ``flask audit checkpoint``)."""
    return write_checkpoint(reason)


def append_missing_lines(session: Session | None = None) -> int:
    """Append to the file the committed checkpoints it lacks (a process that stopped between
    its commit and its append); returns how many."""
    session = session or db.session
    path = journal.journal_path()
    rows = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq))
    if not isinstance(path, Path):  # objects named by their line: a listing suffices
        missing = path.lacking([line_of(r) for r in rows])
    else:
        present: set[str] = set()
        if path.exists():
            present = {line.encode() for _, line in journal.read(path) if line is not None}
        missing = [line_of(r) for r in rows if line_of(r).encode() not in present]
    journal.append(path, missing)
    return len(missing)


def payload_time(payload: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(payload["at"]))


@event.listens_for(Session, "after_commit")
def _append_committed(session: Session) -> None:
    pending: list[tuple[journal.Journal, journal.Line]] = session.info.pop(_PENDING, [])
    by_path: dict[journal.Journal, list[journal.Line]] = {}
    for path, line in pending:
        by_path.setdefault(path, []).append(line)
    for path, lines in by_path.items():
        try:
            journal.append(path, lines)
        except OSError:  # committed all the same: the next hourly run appends it
            log.exception("cannot append checkpoints to %s", path)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)
