"""The hash that links one audit event to the one before it.

Each event's hash covers its own content and the previous event's hash, so changing,
removing or reordering any event changes every hash after it. The payload is encoded
as canonical JSON (sorted keys, no whitespace, UTF-8) so the hash is reproducible on
any machine and database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def canonical_data(value: Any) -> Any:
    """Return ``value`` as JSON-safe data whose encoding round-trips exactly.

    Floats are refused (their text form is not stable across databases); money and
    other decimals become strings; datetimes must be aware and become ISO strings.
    """
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not allowed in audit data; use Decimal or str")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetime in audit data")
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): canonical_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_data(v) for v in value]
    raise TypeError(f"cannot put {type(value).__name__} in audit data")


@dataclass(frozen=True)
class EventContent:
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    case_id: int | None
    data: Mapping[str, Any]


def event_hash(content: EventContent, prev_hash: str, case_prev_hash: str | None) -> str:
    payload = {
        "prev": prev_hash,
        "case_prev": case_prev_hash,
        "at": content.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": content.actor_id,
        "actor": content.actor_label,
        "action": content.action,
        "object_type": content.object_type,
        "object_id": content.object_id,
        "case_id": content.case_id,
        "data": canonical_data(content.data),
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
