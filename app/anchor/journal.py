"""The checkpoint file: one JSON object per line, only ever appended to.

It is the copy of the checkpoints that lives outside the database (``STORAGE_PATH``), so
someone who can rewrite the database still cannot make the log's last checkpoint vanish
unnoticed. Writers take an exclusive ``flock``; lines are written whole, with one
``write`` each, and flushed to disk before the lock is released.

With the S3 file store (``STORAGE_BACKEND=s3``) the web servers and workers of several
machines share no disk, so the journal is the bucket instead (:mod:`app.anchor.journal_s3`): one
object per line, ``<S3_PREFIX>audit-checkpoints/<seq>-<sha256 of the line>.json``, written
once and never overwritten (an object cannot be appended to; named by its content, two
writers of the same line write the same object).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from flask import current_app

from app.anchor.lines import Line, parse

FILE_NAME = "audit-checkpoints.jsonl"


class ObjectJournal(Protocol):
    """A journal kept elsewhere than a local file (:class:`app.anchor.journal_s3.S3Journal`)."""

    def exists(self) -> bool: ...

    def append(self, lines: Iterable[Line]) -> None: ...

    def read(self) -> Iterator[tuple[int, Line | None]]: ...

    def lacking(self, lines: list[Line]) -> list[Line]:
        """Those of ``lines`` the journal does not hold."""
        ...


Journal = Path | ObjectJournal


def journal_path() -> Journal:
    """Where this installation keeps its journal: the file under ``STORAGE_PATH``, or the
    bucket when the file store is S3."""
    settings = current_app.config["SETTINGS"]
    if settings.storage_backend == "s3":
        from app.anchor.journal_s3 import s3_journal  # boto3 only where it is configured

        return s3_journal(settings)
    return Path(settings.storage_path) / FILE_NAME


def append(path: Journal, lines: Iterable[Line]) -> None:
    if not isinstance(path, Path):
        path.append(lines)
        return
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


def read(path: Journal) -> Iterator[tuple[int, Line | None]]:
    """Each line's number (from 1) and content; ``None`` for a line that cannot be read."""
    if not isinstance(path, Path):
        yield from path.read()
        return
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            yield number, parse(raw)
