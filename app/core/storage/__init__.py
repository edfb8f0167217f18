"""Stored files (evidence, issued PDFs, payment proofs, recordings, creditors' papers):
named by the SHA-256 of their content, checked for type by their bytes (never by name or
declared type) and for size while streaming, written once, never changed or deleted.

One interface (:class:`BlobStorage`), two backends chosen by ``STORAGE_BACKEND``:

- ``local`` (the default): a folder, ``<STORAGE_PATH>/ab/cd/<sha256>`` (:mod:`.local`);
- ``s3``: an S3-compatible bucket, the same names under ``S3_PREFIX``, encrypted at rest
  by the server (:mod:`.s3`), so several web servers and workers share one store.

Callers use :func:`blob_store` (``put``, ``open``, ``exists``, ``size``, ``verify``) and
:func:`send_blob` to answer a download; none of them needs to know which backend is set.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, send_file

from app.core.storage.base import (
    CHUNK,
    BlobDeletionRefused,
    BlobMissing,
    BlobStorage,
    StorageRefused,
    StoredBlob,
    blob_name,
    sniff,
    sniff_recording,
)
from app.core.storage.local import BlobStore

__all__ = [
    "CHUNK",
    "BlobDeletionRefused",
    "BlobMissing",
    "BlobStorage",
    "BlobStore",
    "StorageRefused",
    "StoredBlob",
    "blob_name",
    "blob_store",
    "max_upload_bytes",
    "send_blob",
    "sniff",
    "sniff_recording",
]


def blob_store() -> BlobStorage:
    """The application's store: the local folder or the S3 bucket the settings name."""
    settings = current_app.config["SETTINGS"]
    if settings.storage_backend == "s3":
        from app.core.storage.s3 import s3_store  # boto3 is imported only where it is used

        return s3_store(settings)
    return BlobStore(settings.storage_path)


def send_blob(
    sha256: str, *, mimetype: str | None, download_name: str, as_attachment: bool = True
) -> Response:
    """A download of a stored file, whichever backend holds it, never loaded whole in
    memory: a local file is sent by the server, an object's body streamed in chunks."""
    store = blob_store()
    source: Any
    size: int | None = None
    if isinstance(store, BlobStore):
        source = store.path_for(sha256)
        if not source.is_file():
            raise BlobMissing(sha256)
    else:
        size = store.size(sha256)
        source = store.open(sha256)  # read and closed by the server's file wrapper
    response = send_file(
        source, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
        max_age=0,
    )  # fmt: skip
    if size is not None:
        response.content_length = size
    return response


def max_upload_bytes() -> int:
    return int(current_app.config["SETTINGS"].max_upload_mb) * 1024 * 1024
