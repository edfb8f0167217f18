"""Checking the anchors: every checkpoint is signed by the organisation, the table and the
file hold the same checkpoints, none is missing from the sequence, and the audit chain is
at least as long as each of them with, at each one's position, the head it names.

What this catches that the hash chain cannot: removing the chain's last events leaves a
shorter chain that is still perfectly linked, but the checkpoints remember its length.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.anchor import journal
from app.anchor.checkpoints import FORMAT, digest, line_of, payload_time
from app.anchor.signature import CheckpointKeyError, certificate_fingerprint, check, trust_roots
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.checkpoints import AuditCheckpoint
from app.rules.hashchain import GENESIS


@dataclass(frozen=True)
class Anchor:
    """A checkpoint whose signature holds."""

    seq: int
    events: int
    head: str
    at: datetime
    reason: str
    prev: str
    digest: str

    def describe(self) -> str:
        return f"checkpoint #{self.seq} of {self.at.isoformat(timespec='seconds')}"


@dataclass(frozen=True)
class AnchorReport:
    problems: tuple[str, ...]
    checkpoints: int
    latest: Anchor | None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_anchors(session: Session | None = None) -> AnchorReport:
    session = session or db.session
    problems: list[str] = []
    try:
        roots = trust_roots()
    except CheckpointKeyError as exc:  # every signature will fail: say why, once
        roots = []
        problems.append(str(exc))
    anchors: dict[int, Anchor] = {}
    table = _table(session, roots, anchors, problems)
    _compare_file(table, roots, anchors, problems)
    if not table and not anchors and not journal.journal_path().exists():
        problems = []  # nothing to check yet (a new installation)
    problems.extend(_sequence_problems(anchors))
    problems.extend(_chain_problems(session, anchors))
    latest = anchors[max(anchors)] if anchors else None
    return AnchorReport(tuple(problems), len(anchors), latest)


def _key(line: journal.Line) -> str:
    return hashlib.sha256(line.encode().encode("utf-8")).hexdigest()


def _table(
    session: Session, roots: list[x509.Certificate], anchors: dict[int, Anchor], problems: list[str]
) -> dict[int, str]:
    """The table's checkpoints (seq → the hash of their stored form), checked one by one."""
    table: dict[int, str] = {}
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.seq).execution_options(yield_per=500)
    for row in session.scalars(stmt):
        line = line_of(row)
        table[row.seq] = _key(line)
        anchor, problem = _check(line, roots)
        if anchor is None:
            problems.append(f"checkpoint #{row.seq} in the table: {problem}")
            continue
        columns = (row.seq, row.events, row.head_hash, row.reason)
        if columns != (anchor.seq, anchor.events, anchor.head, anchor.reason):
            problems.append(
                f"checkpoint #{row.seq}: the table's columns differ from what was signed"
            )
        anchors[anchor.seq] = anchor
    return table


def _compare_file(
    table: dict[int, str],
    roots: list[x509.Certificate],
    anchors: dict[int, Anchor],
    problems: list[str],
) -> None:
    path = journal.journal_path()
    if not path.exists():
        if table:
            problems.append(f"the checkpoint file {path} is missing ({len(table)} in the table)")
        return
    in_file: dict[int, str] = {}
    for number, line in journal.read(path):
        if line is None:
            problems.append(f"{path} line {number}: not a checkpoint")
            continue
        anchor, problem = _check(line, roots)
        if anchor is None:
            problems.append(f"{path} line {number}: {problem}")
            continue
        key = _key(line)
        if in_file.setdefault(anchor.seq, key) != key:
            problems.append(f"{path} holds two different checkpoints #{anchor.seq}")
        if anchor.seq not in table:
            problems.append(
                f"{anchor.describe()} ({anchor.events} events) is in the file but not in the "
                f"table: it was removed from the database"
            )
            anchors.setdefault(anchor.seq, anchor)
        elif table[anchor.seq] != key:
            problems.append(f"checkpoint #{anchor.seq} differs between the table and the file")
    for seq in sorted(set(table) - set(in_file)):
        problems.append(f"checkpoint #{seq} is in the table but not in the file {path}")


def _check(line: journal.Line, roots: list[x509.Certificate]) -> tuple[Anchor | None, str]:
    """The checkpoint a stored line holds if its signature is the organisation's."""
    try:
        payload: Any = json.loads(line.payload)
        anchor = Anchor(
            seq=int(payload["seq"]),
            events=int(payload["events"]),
            head=str(payload["head"]),
            at=payload_time(payload),
            reason=str(payload["reason"]),
            prev=str(payload["prev"]),
            digest=digest(line.payload),
        )
        signer = payload["signer"]
        version = payload["v"]
    except (ValueError, KeyError, TypeError):
        return None, "the checkpoint is not readable"
    label = f"checkpoint #{anchor.seq}"
    if version != FORMAT or anchor.at.tzinfo is None:
        return None, f"{label}: unknown format"
    if signer != certificate_fingerprint(line.certificate):
        return None, f"{label}: signed for another certificate than the one it carries"
    problem = check(
        line.payload.encode("utf-8"),
        line.signature,
        line.certificate,
        signed_at=anchor.at,
        roots=roots,
    )
    if problem:
        return None, f"{label}: signature does not verify ({problem})"
    return anchor, ""


def _sequence_problems(anchors: dict[int, Anchor]) -> list[str]:
    """Checkpoints are numbered 1, 2, 3… and each names the one before it."""
    problems: list[str] = []
    expected_prev = GENESIS
    for seq in range(1, max(anchors, default=0) + 1):
        anchor = anchors.get(seq)
        if anchor is None:
            problems.append(f"checkpoint #{seq} is missing from both the table and the file")
            expected_prev = ""
            continue
        if expected_prev and anchor.prev != expected_prev:
            problems.append(f"checkpoint #{seq} does not follow checkpoint #{seq - 1}")
        expected_prev = anchor.digest
    return problems


def _chain_problems(session: Session, anchors: dict[int, Anchor]) -> list[str]:
    """Walk the chain's hashes once: each checkpoint's head must be the event at its
    position, and the chain must reach the longest checkpoint."""
    if not anchors:
        return []
    wanted: dict[int, list[Anchor]] = defaultdict(list)
    for anchor in anchors.values():
        wanted[anchor.events].append(anchor)
    problems = [_mismatch(a, 0, None, GENESIS) for a in wanted.pop(0, []) if a.head != GENESIS]
    length, last_id = 0, None
    stmt = select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id)
    result = session.execute(stmt.execution_options(yield_per=1000))
    try:
        for event_id, event_hash in result:
            length, last_id = length + 1, event_id
            for anchor in wanted.get(length, ()):
                if anchor.head != event_hash:
                    problems.append(_mismatch(anchor, length, event_id, event_hash))
    finally:
        result.close()
    longest = max(anchors.values(), key=lambda a: (a.events, a.seq))
    if longest.events > length:
        after = f" after event id {last_id}" if last_id is not None else ""
        problems.insert(
            0,
            f"the audit log is shorter than {longest.describe()}: that checkpoint anchors "
            f"{longest.events} events, the log has {length}; events {length + 1}"
            f"–{longest.events} are missing (removed{after})",
        )
    return problems


def _mismatch(anchor: Anchor, position: int, event_id: int | None, found: str) -> str:
    where = f"event {position} (id {event_id})" if event_id is not None else "the empty chain"
    return (
        f"{anchor.describe()} names head {anchor.head[:16]}… for {anchor.events} events, but "
        f"{where} has {found[:16]}…: the log was rewritten"
    )
