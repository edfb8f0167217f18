"""The file store's contract, run against both backends: the local folder and an
S3-compatible bucket (moto's server on loopback). Same answers from each; the S3 objects
encrypted at rest, large files sent in parts."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.core.storage import (
    BlobDeletionRefused,
    BlobMissing,
    BlobStore,
    StorageRefused,
    blob_store,
    send_blob,
    sniff_recording,
)
from app.core.storage.s3 import S3BlobStore
from tests.storage_support import object_keys, s3_client, use_s3

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 300
ABSENT = "0" * 64


class Chunked(io.RawIOBase):
    """A stream that hands out at most ``size`` bytes per read, as a request body does."""

    def __init__(self, data: bytes, size: int = 1000) -> None:
        self.data, self.at, self.size = data, 0, size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.size if n < 0 else min(n, self.size)
        chunk = self.data[self.at : self.at + n]
        self.at += len(chunk)
        return chunk


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, app: Flask) -> Iterator[Any]:
    if request.param == "s3":
        use_s3(app, request.getfixturevalue("s3_endpoint"), request.getfixturevalue("s3_bucket"))
    yield blob_store()


def _read_all(stream: Any) -> bytes:
    with stream:
        parts = []
        while chunk := stream.read(4096):
            parts.append(chunk)
    return b"".join(parts)


def test_the_backend_is_the_configured_one(app: Flask, store: Any) -> None:
    backend = app.config["SETTINGS"].storage_backend
    assert isinstance(store, BlobStore if backend == "local" else S3BlobStore)


def test_a_file_put_comes_back_streamed_with_its_size_and_hash(store: Any) -> None:
    blob = store.put(Chunked(PDF), 1024 * 1024)
    assert blob.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (blob.size, blob.media_type) == (len(PDF), "application/pdf")
    assert store.exists(blob.sha256) and store.size(blob.sha256) == len(PDF)
    stream = store.open(blob.sha256)
    assert len(stream.read(100)) == 100  # a stream read in pieces, not a bytes object
    assert stream.read() == PDF[100:]
    stream.close()
    assert _read_all(store.open(blob.sha256)) == PDF
    assert store.verify(blob.sha256)


def test_the_same_bytes_twice_are_one_file(store: Any) -> None:
    first = store.put(io.BytesIO(PNG), 1024 * 1024)
    second = store.put(io.BytesIO(PNG), 1024 * 1024)
    assert first == second and _read_all(store.open(first.sha256)) == PNG


def test_a_missing_file_is_an_error_of_its_own(store: Any) -> None:
    assert not store.exists(ABSENT)
    with pytest.raises(BlobMissing):
        store.open(ABSENT)
    with pytest.raises(BlobMissing):
        store.size(ABSENT)
    with pytest.raises(FileNotFoundError):  # callers catching OSError keep working
        store.verify(ABSENT)


def test_names_that_are_not_a_hash_are_refused(store: Any) -> None:
    for name in ("../../etc/passwd", "ABCDEF" * 11, "a" * 63):
        with pytest.raises(ValueError):
            store.open(name)


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"<html>not evidence</html>", "file_type"), (b"", "file_empty"), (PDF, "file_too_large")],
)
def test_refused_content_leaves_nothing_behind(store: Any, content: bytes, code: str) -> None:
    with pytest.raises(StorageRefused) as refused:
        store.put(io.BytesIO(content), 1000)
    assert refused.value.code == code
    assert not store.exists(hashlib.sha256(content).hexdigest())


def test_stored_files_are_never_deleted(store: Any) -> None:
    blob = store.put(io.BytesIO(PDF), 1024 * 1024)
    with pytest.raises(BlobDeletionRefused):
        store.delete(blob.sha256)
    assert store.verify(blob.sha256)


def test_the_store_answers_its_readiness_check(store: Any) -> None:
    store.check()


def test_local_files_keep_todays_layout(app: Flask) -> None:
    """Existing instances keep their files where they are: ``<STORAGE_PATH>/ab/cd/<sha>``."""
    blob = blob_store().put(io.BytesIO(PDF), 1024 * 1024)
    root = Path(app.config["SETTINGS"].storage_path)
    path = root / blob.sha256[:2] / blob.sha256[2:4] / blob.sha256
    assert path.read_bytes() == PDF


def test_objects_use_the_same_names_under_the_prefix_encrypted_at_rest(
    app: Flask, s3_endpoint: str, s3_bucket: str
) -> None:
    use_s3(app, s3_endpoint, s3_bucket, prefix="tenant-a/files")
    blob = blob_store().put(io.BytesIO(PNG), 1024 * 1024)
    key = f"tenant-a/files/{blob.sha256[:2]}/{blob.sha256[2:4]}/{blob.sha256}"
    assert object_keys(s3_endpoint, s3_bucket) == [key]
    head = s3_client(s3_endpoint).head_object(Bucket=s3_bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "image/png"


def test_a_kms_key_asks_for_sse_kms(app: Flask, s3_endpoint: str, s3_bucket: str) -> None:
    key_id = s3_client(s3_endpoint, "kms").create_key()["KeyMetadata"]["KeyId"]
    use_s3(app, s3_endpoint, s3_bucket, s3_kms_key_id=key_id)
    blob = blob_store().put(io.BytesIO(PDF), 1024 * 1024)
    (key,) = object_keys(s3_endpoint, s3_bucket)
    head = s3_client(s3_endpoint).head_object(Bucket=s3_bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert key_id in head["SSEKMSKeyId"]
    assert blob_store().verify(blob.sha256)


def test_a_large_file_goes_up_in_parts(app: Flask, s3_endpoint: str, s3_bucket: str) -> None:
    use_s3(app, s3_endpoint, s3_bucket)
    data = b"%PDF-1.7\n" + hashlib.sha256(b"seed").digest() * (600 * 1024)  # ~19 MB
    blob = blob_store().put(Chunked(data, 64 * 1024), 64 * 1024 * 1024)
    (key,) = object_keys(s3_endpoint, s3_bucket)
    head = s3_client(s3_endpoint).head_object(Bucket=s3_bucket, Key=key)
    assert head["ETag"].strip('"').endswith("-3")  # 8 MB + 8 MB + the rest
    assert head["ServerSideEncryption"] == "AES256"
    assert blob_store().size(blob.sha256) == len(data)
    assert blob_store().verify(blob.sha256)


def test_a_missing_bucket_fails_the_readiness_check(app: Flask, s3_endpoint: str) -> None:
    use_s3(app, s3_endpoint, "no-such-bucket")
    with pytest.raises(Exception, match="404|Not Found|NoSuchBucket"):
        blob_store().check()


def test_a_download_is_streamed_from_the_store(app: Flask, store: Any) -> None:
    blob = store.put(io.BytesIO(PDF), 1024 * 1024)
    with app.test_request_context():
        response = send_blob(blob.sha256, mimetype="application/pdf", download_name="合同.pdf")
        assert response.is_streamed  # a file wrapper read in chunks, not bytes in memory
        assert response.content_length == len(PDF)
        assert b"".join(response.response) == PDF
        response.close()
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_download_of_a_missing_file_raises(app: Flask, store: Any) -> None:
    with app.test_request_context(), pytest.raises(BlobMissing):
        send_blob(ABSENT, mimetype="application/pdf", download_name="x.pdf")


def test_recordings_are_checked_by_their_own_sniffer(store: Any) -> None:
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\0" * 500
    blob = store.put(io.BytesIO(wav), 1024 * 1024, sniff_recording, "recording_type")
    assert blob.media_type == "audio/wav" and _read_all(store.open(blob.sha256)) == wav
    with pytest.raises(StorageRefused) as refused:
        store.put(io.BytesIO(PDF), 1024 * 1024, sniff_recording, "recording_type")
    assert refused.value.code == "recording_type"
