"""Machine faults for tests: a disk that fills up in the middle of a write, a database
that refuses every write."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from app import create_app
from app.core.storage import local as storage
from tests.conftest import make_settings


class _FillingFile:
    """A file on a disk that fills up: half of the first write lands, then ENOSPC."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __enter__(self) -> _FillingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()

    def write(self, data: bytes) -> int:
        self.real.write(data[: len(data) // 2])
        self.real.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FullDiskOs:
    """The ``os`` module as the blob store sees it, on a full disk."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def fdopen(self, fd: int, *args: Any, **kwargs: Any) -> _FillingFile:
        return _FillingFile(os.fdopen(fd, *args, **kwargs))


def fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every blob store write from now on fails with ENOSPC half-way through."""
    monkeypatch.setattr(storage, "os", _FullDiskOs())


def read_only_app(instance_path: Path, database_url: str) -> Flask:
    """The same database, opened so that it refuses every write: SQLite opened read-only
    (``mode=ro``; root ignores file permissions), PostgreSQL with
    ``default_transaction_read_only``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        ro = f"sqlite:///file:{url.database}?mode=ro&uri=true"
        return create_app(make_settings(instance_path, ro))
    options = {"pool_pre_ping": True}
    options["connect_args"] = {"options": "-c default_transaction_read_only=on"}  # type: ignore[assignment]
    return create_app(make_settings(instance_path, database_url, SQLALCHEMY_ENGINE_OPTIONS=options))
