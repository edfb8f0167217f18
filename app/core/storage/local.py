"""The local folder backend of the file store (``STORAGE_BACKEND=local``, the default):
``<STORAGE_PATH>/ab/cd/<sha256>``, read-only files, written through a temporary file in the
same folder and renamed into place. Shared by several machines only on a shared file
system; otherwise use the S3 backend (:mod:`app.core.storage.s3`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from app.core.storage.base import (
    BlobDeletionRefused,
    BlobMissing,
    Sniffer,
    StoredBlob,
    blob_name,
    copy_checked,
    verify_stream,
)


class BlobStore:
    """The local folder backend (``STORAGE_BACKEND=local``, ``STORAGE_PATH``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / blob_name(sha256)

    def put(
        self,
        stream: BinaryIO,
        max_bytes: int,
        sniffer: Sniffer | None = None,
        type_refusal: str = "file_type",
    ) -> StoredBlob:
        """Write to a temporary file beside the store, then rename it into place."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                blob = copy_checked(stream, out, max_bytes, sniffer, type_refusal)
            target = self.path_for(blob.sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, target)  # same content, same name: idempotent
            target.chmod(0o440)
            return blob
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError:
            raise BlobMissing(sha256) from None

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def size(self, sha256: str) -> int:
        try:
            return self.path_for(sha256).stat().st_size
        except FileNotFoundError:
            raise BlobMissing(sha256) from None

    def verify(self, sha256: str) -> bool:
        """Whether the stored bytes still hash to their name."""
        return verify_stream(self.open(sha256), sha256)

    def delete(self, sha256: str) -> None:
        raise BlobDeletionRefused(sha256)

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError(f"{self.root} is not writable")
