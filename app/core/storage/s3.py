"""The S3-compatible backend of the file store (``STORAGE_BACKEND=s3``): AWS S3, or any
service speaking its API (MinIO, Ceph RGW, 阿里云 OSS / 腾讯云 COS in S3 mode) through
``S3_ENDPOINT_URL``.

Objects are named ``<S3_PREFIX><ab>/<cd>/<sha256>`` (the local folder's layout), written
once, each encrypted at rest by the server: ``SSE-S3`` (``AES256``) by default, ``SSE-KMS``
with ``S3_KMS_KEY_ID``. An upload is first copied to a temporary file while it is checked
and hashed (its name is its hash, known only at the end), then sent with boto3's managed
transfer, in parts above ``MULTIPART_THRESHOLD``; a read is the object's body, streamed.
"""

from __future__ import annotations

import tempfile
from functools import cache
from typing import Any, BinaryIO

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.config import Settings
from app.core.errors import StorageUnavailable
from app.core.storage.base import (
    BlobDeletionRefused,
    BlobMissing,
    Sniffer,
    StoredBlob,
    blob_name,
    copy_checked,
    verify_stream,
)

MULTIPART_THRESHOLD = 8 * 1024 * 1024
PART_SIZE = 8 * 1024 * 1024
# Parts in flight at once: each is held in memory while it is sent (2 × 8 MB at most).
PARTS_AT_ONCE = 2
_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3BlobStore:
    def __init__(self, client: Any, bucket: str, prefix: str, encryption: dict[str, str]) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.encryption = encryption
        self.transfer = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD,
            multipart_chunksize=PART_SIZE,
            max_concurrency=PARTS_AT_ONCE,
        )

    def key_for(self, sha256: str) -> str:
        return self.prefix + blob_name(sha256)

    def path_for(self, sha256: str) -> None:
        """Objects have no local path: answer a download with ``send_blob``, read with
        ``open`` (the local backend's ``path_for`` is not part of the interface)."""
        raise NotImplementedError(
            "an S3 object has no local path: use app.core.storage.send_blob or open()"
        )

    def put(
        self,
        stream: BinaryIO,
        max_bytes: int,
        sniffer: Sniffer | None = None,
        type_refusal: str = "file_type",
    ) -> StoredBlob:
        with tempfile.TemporaryFile(prefix="concord-upload-") as spool:
            blob = copy_checked(stream, spool, max_bytes, sniffer, type_refusal)
            if not self.exists(blob.sha256):  # same content, same name: idempotent
                spool.seek(0)
                extra = {"ContentType": blob.media_type, **self.encryption}
                try:
                    self.client.upload_fileobj(
                        spool, self.bucket, self.key_for(blob.sha256), ExtraArgs=extra,
                        Config=self.transfer,
                    )  # fmt: skip
                except (S3UploadFailedError, BotoCoreError, ClientError) as exc:
                    raise StorageUnavailable() from exc
        return blob

    def open(self, sha256: str) -> BinaryIO:
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self.key_for(sha256))
        except (BotoCoreError, ClientError) as exc:
            raise _missing_or(exc, sha256) from exc
        return reply["Body"]  # botocore's StreamingBody: read(n), close()

    def _head(self, sha256: str) -> dict[str, Any]:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.key_for(sha256))
        except (BotoCoreError, ClientError) as exc:
            raise _missing_or(exc, sha256) from exc

    def exists(self, sha256: str) -> bool:
        try:
            self._head(sha256)
        except BlobMissing:
            return False
        return True

    def size(self, sha256: str) -> int:
        return int(self._head(sha256)["ContentLength"])

    def verify(self, sha256: str) -> bool:
        """Whether the stored bytes still hash to their name (read back, streamed)."""
        return verify_stream(self.open(sha256), sha256)

    def delete(self, sha256: str) -> None:
        raise BlobDeletionRefused(sha256)

    def check(self) -> None:
        """The bucket exists and these credentials may use it (one HEAD request)."""
        self.client.head_bucket(Bucket=self.bucket)


def _missing_or(exc: BotoCoreError | ClientError, sha256: str) -> Exception:
    """A missing object, the store out of reach (no connection, a 5xx answer: the request
    may be retried later), or another refusal (credentials, permissions) as it came."""
    if isinstance(exc, BotoCoreError):
        return StorageUnavailable()
    code = str(exc.response.get("Error", {}).get("Code", ""))
    if code in _MISSING:
        return BlobMissing(sha256)
    if int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0) >= 500:
        return StorageUnavailable()
    return exc


def encryption_args(settings: Settings) -> dict[str, str]:
    """Server-side encryption of every object: SSE-KMS with the configured key, else SSE-S3."""
    if settings.s3_kms_key_id:
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": settings.s3_kms_key_id}
    return {"ServerSideEncryption": "AES256"}


def s3_store(settings: Settings) -> S3BlobStore:
    prefix = settings.s3_prefix.strip("/")
    return S3BlobStore(
        _client(
            settings.s3_endpoint_url,
            settings.s3_region,
            settings.s3_access_key_id,
            settings.s3_secret_access_key,
            settings.s3_addressing_style,
        ),
        settings.s3_bucket,
        prefix + "/" if prefix else "",
        encryption_args(settings),
    )


@cache
def _client(
    endpoint_url: str, region: str, access_key_id: str, secret: str, addressing_style: str
) -> Any:
    """One client per configuration and process (boto3 clients are thread-safe, and cost
    tens of milliseconds to make). Without keys, boto3's own chain is used (environment,
    instance role)."""
    keys = {"aws_access_key_id": access_key_id, "aws_secret_access_key": secret}
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region or None,
        config=Config(
            s3={"addressing_style": addressing_style or "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        ),
        **(keys if access_key_id else {}),
    )
