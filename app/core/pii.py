"""Sensitive personal data (ID and bank account numbers) encrypted at rest (PIPL Arts. 28, 51).

Columns typed :class:`EncryptedString` hold Fernet tokens (AES-128-CBC + HMAC-SHA256) made
with the key from ``PII_KEY``; the application sees plain text, the database never does.
A keyed hash (:func:`blind_index`) lets the application find equal values without
decrypting every row.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_keys: dict[str, Any] = {}


def configure(key: str) -> None:
    """Install the key (or comma-separated keys, newest first, for rotation)."""
    fernets = [Fernet(k.strip().encode()) for k in key.split(",") if k.strip()]
    _keys["fernet"] = MultiFernet(fernets)
    _keys["index"] = hashlib.sha256(b"concord-blind-index:" + key.split(",")[0].encode()).digest()


def _fernet() -> MultiFernet:
    try:
        return _keys["fernet"]
    except KeyError:
        raise RuntimeError("PII key not configured: create_app() installs it") from None


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def blind_index(value: str) -> str:
    return hmac.new(_keys["index"], value.encode(), hashlib.sha256).hexdigest()


class EncryptedString(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)
