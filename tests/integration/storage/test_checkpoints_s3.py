"""With the S3 file store, the audit checkpoints' journal is kept in the bucket (one object
per line), so every machine writes to and verifies against the same journal."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from app import anchor, audit
from app.anchor import journal
from app.extensions import db
from app.worker import write_audit_checkpoint_hourly
from tests.storage_support import object_keys, s3_client

FOLDER = "concord/audit-checkpoints/"


def _record(n: int) -> None:
    for i in range(n):
        audit.record("test:event", actor=None, object_type="thing", object_id=i, data={"i": i})
    db.session.commit()


def test_checkpoints_are_written_to_the_bucket_and_verified_from_it(
    s3_app: Flask, s3_endpoint: str, s3_bucket: str
) -> None:
    _record(2)
    first = anchor.take_checkpoint()
    second = anchor.take_checkpoint()
    keys = object_keys(s3_endpoint, s3_bucket)
    assert [k.removeprefix(FOLDER)[:12] for k in keys] == ["000000000001", "000000000002"]
    body = s3_client(s3_endpoint).get_object(Bucket=s3_bucket, Key=keys[0])
    assert body["ServerSideEncryption"] == "AES256"
    stored = json.loads(body["Body"].read())
    assert stored == {
        "payload": first.payload,
        "signature": first.signature,
        "cert": first.certificate,
    }
    assert second.seq == 2
    report = anchor.verify_anchors()
    assert report.ok, report.problems
    assert report.checkpoints == 2
    assert not (Path(s3_app.config["SETTINGS"].storage_path) / journal.FILE_NAME).exists()


def test_a_line_missing_from_the_bucket_is_found_and_put_back(
    s3_app: Flask, s3_endpoint: str, s3_bucket: str
) -> None:
    _record(1)
    anchor.take_checkpoint()
    (key,) = object_keys(s3_endpoint, s3_bucket)
    s3_client(s3_endpoint).delete_object(Bucket=s3_bucket, Key=key)
    report = anchor.verify_anchors()
    where = f"s3://{s3_bucket}/{FOLDER}"
    assert report.problems == (f"the checkpoint file {where} is missing (1 in the table)",)
    write_audit_checkpoint_hourly.call_local()  # appends what is missing, then checkpoints
    assert len(object_keys(s3_endpoint, s3_bucket)) == 2
    assert anchor.verify_anchors().ok


def test_appending_the_same_line_twice_leaves_one_object(
    s3_app: Flask, s3_endpoint: str, s3_bucket: str
) -> None:
    row = anchor.take_checkpoint()
    line = anchor.checkpoints.line_of(row)
    journal.append(journal.journal_path(), [line, line])
    assert len(object_keys(s3_endpoint, s3_bucket)) == 1
