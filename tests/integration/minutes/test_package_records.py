"""The confirmed mediation records (调解笔录) in the judicial-confirmation package, as the
proof that the organisation presided (人民调解法 Art. 27; 民诉法解释 Art. 354): each
embedded byte for byte as its sealed file, listed in section 3 and on the cover, carried
into the ZIP with its title and hash; a record not yet confirmed stays out."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from app.confirmation.package import build as service
from app.confirmation.package.archive import package_zip
from app.confirmation.package.integrity import attachments_of
from app.documents import issued as documents
from app.extensions import db
from app.models.confirmation import PackageStatus
from tests import agreement_support as support
from tests import minutes_support as ms
from tests import package_support as ps

ARTIFACTS = Path(__file__).resolve().parents[3] / "build" / "minutes"


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


def _squeezed(data: bytes) -> str:
    return "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_the_package_carries_the_confirmed_records_and_not_the_others(who) -> None:
    case, agreement = ps.agreement_in_force(who)
    ps.give_e_service_consent(case, who["debtor"])
    ps.standard_evidence(who, case)
    confirmed = ms.confirmed_record(who, case)
    draft = ms.written_record(who, case)  # a second session, its record still a draft
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error

    pdf = documents.read_pdf(package.current_sha256 or "")
    embedded = attachments_of(pdf)
    names = [n for n in embedded if "-record-" in n]
    assert names == [f"{len(embedded):02d}-record-{confirmed.id}-v1.pdf"]  # the last file
    record_pdf = embedded[names[0]]
    assert hashlib.sha256(record_pdf).hexdigest() == confirmed.current_sha256
    assert not [n for n in embedded if f"-record-{draft.id}-" in n]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # for a look: pdftoppm -r 60 -png
    (ARTIFACTS / "package-with-record.pdf").write_bytes(pdf)
    (ARTIFACTS / "record-confirmed.pdf").write_bytes(record_pdf)
    text = _squeezed(pdf)
    assert "调解笔录" in text and names[0] in text
    assert (confirmed.current_sha256 or "") in text
    assert "调解笔录经各方签名确认" in text  # the timeline of presiding

    archive = zipfile.ZipFile(io.BytesIO(package_zip(package)))
    assert archive.read(names[0]) == record_pdf
    manifest = json.loads(archive.read("manifest.json"))
    entry = next(f for f in manifest["files"] if f["name"] == names[0])
    assert entry["title"].startswith("调解笔录（") and entry["sha256"] == confirmed.current_sha256


def test_a_case_without_a_confirmed_record_says_so(who) -> None:
    case, agreement = ps.agreement_in_force(who)
    ps.give_e_service_consent(case, who["debtor"])
    ps.standard_evidence(who, case)
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    pdf = documents.read_pdf(package.current_sha256 or "")
    assert not [n for n in attachments_of(pdf) if "-record-" in n]
    assert "本案无经各方签名确认的调解笔录" in _squeezed(pdf)
