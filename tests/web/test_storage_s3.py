"""Features end to end with the file store in S3 (a bucket on the loopback moto server):
evidence uploaded and downloaded through the case page, an issued PDF (the enforcement
application) generated and downloaded; nothing lands in the local folder."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from pypdf import PdfReader

from app import create_app
from app.cases.evidence import evidence_of
from app.core.errors import StorageUnavailable
from app.core.storage import blob_name
from app.enforcement.common import applications_of
from app.extensions import db
from app.models.users import Role
from app.rules.cases import CaseState
from tests.conftest import IsolatedClient, make_settings
from tests.enforcement_support import breached_case
from tests.factories import PASSWORD, make_case, make_user
from tests.helpers import Browser
from tests.storage_support import object_keys, s3_client, use_s3

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + b"% padding\n" * 5000 + b"trailer<<>>\n%%EOF\n"


def _local_files(app: Flask) -> list[Path]:
    root = Path(app.config["SETTINGS"].storage_path)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_evidence_goes_to_the_bucket_and_comes_back_whole(
    s3_app: Flask, s3_endpoint: str, s3_bucket: str
) -> None:
    creditor = make_user(Role.CREDITOR)
    case = make_case(creditor=creditor, state=CaseState.DRAFT)
    browser = Browser(s3_app.test_client())
    browser.login(creditor.email, PASSWORD)
    response = browser.upload(
        f"/cases/{case.id}/evidence",
        {"file": (PDF, "借款合同.pdf"), "category": "contract", "description": "借款合同"},
        page=f"/cases/{case.id}",
    )
    assert response.status_code == 302
    digest = hashlib.sha256(PDF).hexdigest()
    key = "concord/" + blob_name(digest)
    assert object_keys(s3_endpoint, s3_bucket) == [key]
    head = s3_client(s3_endpoint).head_object(Bucket=s3_bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256" and head["ContentLength"] == len(PDF)
    assert _local_files(s3_app) == []

    (evidence,) = evidence_of(case)
    download = browser.get(f"/cases/{case.id}/evidence/{evidence.id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Length"] == str(len(PDF))
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "%E5%80%9F%E6%AC%BE%E5%90%88%E5%90%8C.pdf" in download.headers["Content-Disposition"]


def test_an_issued_pdf_is_stored_in_the_bucket_and_downloaded_from_it(
    app: Flask, frozen_clock: Any, s3_endpoint: str, s3_bucket: str
) -> None:
    who, case, _ = breached_case(frozen_clock)
    use_s3(app, s3_endpoint, s3_bucket)
    browser = Browser(app.test_client())
    assert browser.login(who["creditor"].email, PASSWORD).status_code == 302
    response = browser.submit(f"/cases/{case.id}/enforcement/application", page="/account/")
    assert response.status_code == 302
    (doc,) = applications_of(case)
    keys = object_keys(s3_endpoint, s3_bucket)
    checkpoints = [k for k in keys if k.startswith("concord/audit-checkpoints/")]
    # Issuing a document anchors the audit log: its checkpoint goes to the bucket too.
    assert len(checkpoints) == 1
    assert sorted(set(keys) - set(checkpoints)) == ["concord/" + blob_name(doc.sha256)]

    pdf = browser.get(response.headers["Location"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == doc.sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "申请执行人" in text and case.reference in text


@pytest.mark.commits
def test_a_file_uploaded_on_one_server_is_downloaded_from_another(
    app: Flask, database_url: str, tmp_path: Path, s3_endpoint: str, s3_bucket: str
) -> None:
    """Two web servers: one database, one bucket, nothing else in common (each its own
    instance folder)."""
    use_s3(app, s3_endpoint, s3_bucket)
    creditor = make_user(Role.CREDITOR)
    case = make_case(creditor=creditor, state=CaseState.DRAFT)
    db.session.commit()
    first = Browser(app.test_client())
    first.login(creditor.email, PASSWORD)
    upload = first.upload(
        f"/cases/{case.id}/evidence",
        {"file": (PDF, "借条.pdf"), "category": "contract", "description": "借条"},
        page=f"/cases/{case.id}",
    )
    assert upload.status_code == 302
    (evidence,) = evidence_of(case)

    other = create_app(make_settings(tmp_path / "server-2", database_url))
    other.test_client_class = IsolatedClient
    use_s3(other, s3_endpoint, s3_bucket)
    try:
        second = Browser(other.test_client())
        second.login(creditor.email, PASSWORD)
        download = second.get(f"/cases/{case.id}/evidence/{evidence.id}")
        assert download.status_code == 200 and download.data == PDF
    finally:
        with other.app_context():
            db.engine.dispose()
    assert _local_files(other) == [] and _local_files(app) == []


def test_an_unreachable_bucket_is_a_503_with_nothing_saved(app: Flask, s3_bucket: str) -> None:
    """No S3 server answers (a closed port): the upload is refused as "try again later",
    the case records no evidence."""
    use_s3(app, "http://127.0.0.1:9", s3_bucket)
    creditor = make_user(Role.CREDITOR)
    case = make_case(creditor=creditor, state=CaseState.DRAFT)
    browser = Browser(app.test_client())
    browser.login(creditor.email, PASSWORD)
    response = browser.upload(
        f"/cases/{case.id}/evidence",
        {"file": (PDF, "借条.pdf"), "category": "contract", "description": "借条"},
        page=f"/cases/{case.id}",
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    with force_locale("zh_Hans_CN"):
        said = StorageUnavailable().message
    assert said == "文件存储暂时无法连接，未保存任何内容。请稍后再试。"
    assert said in response.get_data(as_text=True)
    assert evidence_of(case) == []
