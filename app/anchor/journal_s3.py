"""The checkpoint journal in the S3 file store's bucket (``STORAGE_BACKEND=s3``): one object
per line, ``<S3_PREFIX>audit-checkpoints/<seq>-<sha256 of the line>.json``, written once,
encrypted at rest like every stored file. Several machines append without a shared lock:
two writers of the same line write the same object, and two different checkpoints with
one number are two objects, which the verification reports."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from app.anchor.lines import Line, parse
from app.config import Settings
from app.core.storage.s3 import s3_store

OBJECT_FOLDER = "audit-checkpoints/"


@dataclass(frozen=True)
class S3Journal:
    """The journal as objects in the file store's bucket (one per line)."""

    client: Any
    bucket: str
    prefix: str
    encryption: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def exists(self) -> bool:
        try:
            reply = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
        except (BotoCoreError, ClientError) as exc:
            raise OSError(f"cannot list {self}: {exc}") from exc
        return bool(reply.get("KeyCount"))

    def key_of(self, line: Line) -> str:
        text = line.encode()
        try:
            seq = int(json.loads(line.payload)["seq"])
        except (ValueError, KeyError, TypeError):
            seq = 0
        return f"{self.prefix}{seq:012d}-{hashlib.sha256(text.encode()).hexdigest()}.json"

    def append(self, lines: Iterable[Line]) -> None:
        for line in lines:
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.key_of(line),
                    Body=(line.encode() + "\n").encode("utf-8"),
                    ContentType="application/json",
                    **dict(self.encryption),
                )
            except (BotoCoreError, ClientError) as exc:
                raise OSError(f"cannot write to {self}: {exc}") from exc

    def keys(self) -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        return sorted(
            item["Key"]
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix)
            for item in page.get("Contents", [])
        )

    def lacking(self, lines: list[Line]) -> list[Line]:
        present = set(self.keys())
        return [line for line in lines if self.key_of(line) not in present]

    def read(self) -> Iterator[tuple[int, Line | None]]:
        for number, key in enumerate(self.keys(), start=1):
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            with body:
                raw = body.read().decode("utf-8", errors="replace")
            yield number, parse(raw) if raw.strip() else None


def s3_journal(settings: Settings) -> S3Journal:
    store = s3_store(settings)
    return S3Journal(
        store.client,
        store.bucket,
        store.prefix + OBJECT_FOLDER,
        tuple(sorted(store.encryption.items())),
    )
