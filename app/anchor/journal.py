"""The checkpoint file: one JSON object per line, only ever appended to.

It is the copy of the checkpoints that lives outside the database (``STORAGE_PATH``), so
someone who can rewrite the database still cannot make the log's last checkpoint vanish
unnoticed. Writers take an exclusive ``flock``; lines are written whole, with one
``write`` each, and flushed to disk before the lock is released.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

FILE_NAME = "audit-checkpoints.jsonl"


@dataclass(frozen=True)
class Line:
    """A checkpoint as stored: its signed bytes (as text), signature and certificate."""

    payload: str
    signature: str
    certificate: str

    def encode(self) -> str:
        record = {"payload": self.payload, "signature": self.signature, "cert": self.certificate}
        return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def journal_path() -> Path:
    return Path(current_app.config["SETTINGS"].storage_path) / FILE_NAME


def append(path: Path, lines: Iterable[Line]) -> None:
    encoded = "".join(line.encode() + "\n" for line in lines)
    if not encoded:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, encoded.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock


def read(path: Path) -> Iterator[tuple[int, Line | None]]:
    """Each line's number (from 1) and content; ``None`` for a line that cannot be read."""
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            yield number, _parse(raw)


def _parse(raw: str) -> Line | None:
    try:
        record = json.loads(raw)
        line = Line(record["payload"], record["signature"], record["cert"])
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(v, str) for v in (line.payload, line.signature, line.certificate)):
        return None
    return line
