"""A checkpoint as the journal stores it: one JSON object per line (the file, or one
object per line in the bucket)."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """A checkpoint as stored: its signed bytes (as text), signature and certificate."""

    payload: str
    signature: str
    certificate: str

    def encode(self) -> str:
        record = {"payload": self.payload, "signature": self.signature, "cert": self.certificate}
        return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def parse(raw: str) -> Line | None:
    try:
        record = json.loads(raw)
        line = Line(record["payload"], record["signature"], record["cert"])
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(v, str) for v in (line.payload, line.signature, line.certificate)):
        return None
    return line
