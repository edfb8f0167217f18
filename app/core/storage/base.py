"""What both backends share: the refusals, the checks made while a file streams in (type by
its first bytes, size), the name of a stored file (its SHA-256) and the interface."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput

CHUNK = 64 * 1024

# Magic numbers of the only types accepted as evidence.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


# Recordings of calls and sessions: the common audio and video containers, by their
# first bytes (MP4/M4A/3GP/MOV carry "ftyp" at offset 4, WAV a RIFF header).
def sniff_recording(head: bytes) -> str | None:
    """The media type of an audio or video file named by its first bytes, if any."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"M4A"):
            return "audio/mp4"
        if brand.startswith(b"3gp"):
            return "video/3gpp"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    return None


Sniffer = Callable[[bytes], "str | None"]


class StorageRefused(InvalidInput):
    """The file is refused; ``code`` is ``file_type``, ``file_too_large`` (with ``mb``, the
    limit) or ``file_empty``."""

    messages = {
        "file_type": _l("Only PDF, JPEG and PNG files are accepted (checked by their content)."),
        "file_too_large": _l("The file is larger than the limit of %(mb)s MB."),
        "file_empty": _l("The file is empty."),
        "recording_type": _l(
            "Only audio and video recordings are accepted (checked by their content)."
        ),
        "unknown_evidence": _l("Choose a file of this case to correct."),
    }


class BlobMissing(FileNotFoundError):
    """No stored file has this SHA-256 (an ``OSError``, as a missing local file is)."""


class BlobDeletionRefused(PermissionError):
    """Stored files are never deleted by the application: evidence and issued documents are
    kept as the case record (the same bytes may back several rows, and the audit log and
    every signed PDF name them by hash)."""


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


def blob_name(sha256: str) -> str:
    """``ab/cd/<sha256>``: the file's place in either backend (refuses anything that is not
    a lower-case SHA-256 hex digest, so no name can climb out of the store)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def copy_checked(
    stream: BinaryIO,
    out: BinaryIO,
    max_bytes: int,
    sniffer: Sniffer | None = None,
    type_refusal: str = "file_type",
) -> StoredBlob:
    """Copy ``stream`` to ``out`` in chunks (memory does not grow with the file), hashing
    it, refusing it as soon as it is too large or its first bytes are not of a type
    ``sniffer`` accepts (by default PDF/JPEG/PNG; :func:`sniff_recording` for recordings)."""
    sniffer = sniffer or sniff
    digest = hashlib.sha256()
    size = 0
    media_type: str | None = None
    while chunk := stream.read(CHUNK):
        if media_type is None:
            media_type = sniffer(chunk)
            if media_type is None:
                raise StorageRefused(type_refusal)
        size += len(chunk)
        if size > max_bytes:
            raise StorageRefused("file_too_large", mb=max(1, max_bytes // (1024 * 1024)))
        digest.update(chunk)
        out.write(chunk)
    if size == 0 or media_type is None:
        raise StorageRefused("file_empty")
    return StoredBlob(digest.hexdigest(), size, media_type)


class BlobStorage(Protocol):
    """What every backend offers. Writes are idempotent (same bytes, same name)."""

    def put(
        self,
        stream: BinaryIO,
        max_bytes: int,
        sniffer: Sniffer | None = None,
        type_refusal: str = "file_type",
    ) -> StoredBlob: ...

    def open(self, sha256: str) -> BinaryIO:
        """A stream of the stored bytes (read it in chunks); ``BlobMissing`` if absent."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int: ...

    def verify(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def check(self) -> None:
        """Raise unless the store can be reached (``/readyz``): cheap, reads no file."""
        ...


def verify_stream(stream: BinaryIO, sha256: str) -> bool:
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == sha256
