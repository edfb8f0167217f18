"""Evidence blobs: outside the web root, named by the SHA-256 of their content, checked
for type by their bytes (never by name or declared type) and for size while streaming."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput

CHUNK = 64 * 1024

# Magic numbers of the only types accepted as evidence.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class StorageRefused(InvalidInput):
    """The file is refused; ``code`` is ``file_type``, ``file_too_large`` (with ``mb``, the
    limit) or ``file_empty``."""

    messages = {
        "file_type": _l("Only PDF, JPEG and PNG files are accepted (checked by their content)."),
        "file_too_large": _l("The file is larger than the limit of %(mb)s MB."),
        "file_empty": _l("The file is empty."),
        "unknown_evidence": _l("Choose a file of this case to correct."),
    }


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    media_type: str


def sniff(head: bytes) -> str | None:
    """The media type named by the file's first bytes, if it is one we accept."""
    for magic, media_type in _SIGNATURES:
        if head.startswith(magic):
            return media_type
    return None


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        """Copy ``stream`` to the store in chunks (memory does not grow with the file),
        refusing it as soon as it is too large or its first bytes are not PDF/JPEG/PNG."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        media_type: str | None = None
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    if media_type is None:
                        media_type = sniff(chunk)
                        if media_type is None:
                            raise StorageRefused("file_type")
                    size += len(chunk)
                    if size > max_bytes:
                        limit_mb = max(1, max_bytes // (1024 * 1024))
                        raise StorageRefused("file_too_large", mb=limit_mb)
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0 or media_type is None:
                raise StorageRefused("file_empty")
            target = self.path_for(digest.hexdigest())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, target)  # same content, same name: idempotent
            target.chmod(0o440)
            return StoredBlob(digest.hexdigest(), size, media_type)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def verify(self, sha256: str) -> bool:
        """Whether the stored bytes still hash to their name."""
        digest = hashlib.sha256()
        with self.open(sha256) as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == sha256


def blob_store() -> BlobStore:
    """The application's store (``STORAGE_PATH``)."""
    return BlobStore(current_app.config["SETTINGS"].storage_path)


def max_upload_bytes() -> int:
    return int(current_app.config["SETTINGS"].max_upload_mb) * 1024 * 1024
