"""Evidence files: recognised by content, size-limited while streaming, stored by hash
outside the web root, never replaced, downloaded only by people on the case."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Case, EvidenceFile
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_user
from tests.helpers import Browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100


@pytest.fixture
def creditor(browser: Browser) -> User:
    user = make_user(Role.CREDITOR)
    browser.login(user.email, PASSWORD)
    return user


@pytest.fixture
def case(creditor: User) -> Case:
    return make_case(creditor=creditor, state=CaseState.DRAFT)


def upload(browser: Browser, case: Case, content: bytes, name: str, **extra: str):
    return browser.upload(
        f"/cases/{case.id}/evidence",
        {"file": (content, name), "category": "contract", "description": "借款合同", **extra},
        page=f"/cases/{case.id}",
    )


def _files() -> list[EvidenceFile]:
    db.session.expire_all()
    return list(db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))


@pytest.mark.parametrize(
    ("content", "media_type"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_accepted_types_are_stored_by_hash(
    app: Flask, browser: Browser, case: Case, content: bytes, media_type: str
) -> None:
    assert upload(browser, case, content, "欠条.pdf").status_code == 302
    (stored,) = _files()
    digest = hashlib.sha256(content).hexdigest()
    assert stored.sha256 == digest and stored.size == len(content)
    assert stored.media_type == media_type
    assert stored.original_name == "欠条.pdf"
    root = Path(app.config["SETTINGS"].storage_path)
    path = root / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == content
    assert not str(root).startswith(str(Path(app.static_folder or "")))


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"GIF89a....",
        b"",
    ],
)
def test_other_content_named_pdf_is_refused(browser: Browser, case: Case, content: bytes) -> None:
    response = upload(browser, case, content, "contract.pdf")
    assert response.status_code == 400
    assert "PDF" in response.get_data(as_text=True) or "空" in response.get_data(as_text=True)
    assert _files() == []


def test_a_path_in_the_name_is_only_a_name(app: Flask, browser: Browser, case: Case) -> None:
    assert upload(browser, case, PDF, "../../etc/passwd.pdf").status_code == 302
    (stored,) = _files()
    assert stored.original_name == "../../etc/passwd.pdf"
    root = Path(app.config["SETTINGS"].storage_path)
    assert all(root in p.parents for p in root.rglob("*") if p.is_file())
    download = browser.get(f"/cases/{case.id}/evidence/{stored.id}")
    assert download.data == PDF
    assert "passwd.pdf" in download.headers["Content-Disposition"]
    assert "/" not in download.headers["Content-Disposition"].split("filename", 1)[1]


def test_a_file_over_the_limit_is_refused_without_a_trace(
    app: Flask, browser: Browser, case: Case
) -> None:
    app.config["SETTINGS"] = _with_limit(app, 1)
    big = PDF + b"\0" * (1024 * 1024 + 10)
    response = upload(browser, case, big, "big.pdf")
    assert response.status_code == 400
    assert "1 MB" in response.get_data(as_text=True)
    assert _files() == []
    root = Path(app.config["SETTINGS"].storage_path)
    assert [p for p in root.rglob("*") if p.is_file()] == []


def _with_limit(app: Flask, mb: int):
    import dataclasses

    return dataclasses.replace(app.config["SETTINGS"], max_upload_mb=mb)


def test_25_mb_request_is_refused_by_the_body_limit(
    app: Flask, browser: Browser, case: Case
) -> None:
    big = PDF + b"\0" * (25 * 1024 * 1024)
    response = upload(browser, case, big, "big.pdf")
    assert response.status_code == 413
    assert "20 MB" in response.get_data(as_text=True)
    assert _files() == []


def test_a_correction_is_a_new_file_and_the_old_one_stays(browser: Browser, case: Case) -> None:
    upload(browser, case, PDF, "v1.pdf")
    (first,) = _files()
    assert (
        upload(browser, case, PDF + b"%fix", "v2.pdf", supersedes_id=str(first.id)).status_code
        == 302
    )
    old, new = _files()
    assert old.id == first.id and old.sha256 == first.sha256
    assert new.supersedes_id == old.id


@pytest.mark.parametrize("supersedes", ["abc", "0", str(2**31), str(2**64 + 1)])
def test_a_correction_of_no_possible_file_is_refused(
    browser: Browser, case: Case, supersedes: str
) -> None:
    response = upload(browser, case, PDF, "v2.pdf", supersedes_id=supersedes)
    assert response.status_code == 400
    assert _files() == []


def test_uploads_and_downloads_are_in_the_audit_log(browser: Browser, case: Case) -> None:
    upload(browser, case, PDF, "a.pdf")
    (stored,) = _files()
    browser.get(f"/cases/{case.id}/evidence/{stored.id}")
    actions = list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
        )
    )
    assert actions[-2:] == ["case:evidence:upload", "case:evidence:download"]


def test_people_off_the_case_cannot_download(app: Flask, browser: Browser, case: Case) -> None:
    upload(browser, case, PDF, "a.pdf")
    (stored,) = _files()
    case.state = CaseState.SUBMITTED
    db.session.commit()
    url = f"/cases/{case.id}/evidence/{stored.id}"
    for role in Role:
        outsider = make_user(role)
        other = Browser(app.test_client())
        other.login(outsider.email, PASSWORD)
        assert other.get(url).status_code == 404, role


def test_evidence_of_another_case_through_this_cases_url_is_404(
    browser: Browser, creditor: User
) -> None:
    mine = make_case(creditor=creditor, state=CaseState.DRAFT)
    other = make_case(creditor=creditor, state=CaseState.DRAFT)
    upload(browser, other, PDF, "a.pdf")
    (stored,) = _files()
    assert browser.get(f"/cases/{mine.id}/evidence/{stored.id}").status_code == 404


def test_upload_to_a_closed_case_is_refused(browser: Browser, creditor: User) -> None:
    closed = make_case(creditor=creditor, state=CaseState.CLOSED_NOT_MEDIATED)
    assert upload(browser, closed, PDF, "a.pdf").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
