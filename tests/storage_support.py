"""A local S3-compatible server for the S3 storage backend's tests: moto in server mode
(``ThreadedMotoServer``) on 127.0.0.1, a free port, for the whole session; a fresh bucket
per test. No network: boto3 talks HTTP to the loopback server with dummy keys."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint: str, service: str = "s3") -> Any:
    """A client of the loopback server (which answers KMS too)."""
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name=REGION, **KEYS
    )


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    name = f"concord-test-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


def use_s3(app: Flask, endpoint: str, bucket: str, **more: Any) -> None:
    """Point the running app's file store at ``bucket`` (the test's configuration is
    restored when it ends)."""
    app.config["SETTINGS"] = dataclasses.replace(
        app.config["SETTINGS"],
        storage_backend="s3",
        s3_bucket=bucket,
        s3_prefix=more.pop("prefix", "concord/"),
        s3_endpoint_url=endpoint,
        s3_region=REGION,
        s3_access_key_id=KEYS["aws_access_key_id"],
        s3_secret_access_key=KEYS["aws_secret_access_key"],
        s3_addressing_style="path",
        **more,
    )


@pytest.fixture
def s3_app(app: Flask, s3_endpoint: str, s3_bucket: str) -> Flask:
    """The test's app with its file store in a fresh bucket of the loopback S3 server."""
    use_s3(app, s3_endpoint, s3_bucket)
    return app


def object_keys(endpoint: str, bucket: str) -> list[str]:
    reply = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(o["Key"] for o in reply.get("Contents", []))
