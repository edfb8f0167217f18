"""The judicial-confirmation package as a ZIP: the package PDF (its newest
revision), exactly the files embedded in it, each checked against the hash on record, and
``manifest.json`` + ``MANIFEST.txt`` listing every file's name, size and SHA-256.
Deterministic, so two downloads of the same revision are byte-identical.

``write_package_zip`` writes to any binary stream (a spooled temporary file keeps memory
flat for large packages); ``package_zip`` returns the bytes."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from app.cases.evidence import evidence_of
from app.confirmation.errors import PackageError
from app.confirmation.package.integrity import attachments_of
from app.confirmation.package.papers import checked_paper_entry
from app.confirmation.package.records import checked_record_entry
from app.confirmation.package.report import AGREEMENT_TITLE, agreement_filename, evidence_title
from app.core import clock
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage
from app.models.evidence import EvidenceFile

_EVIDENCE_NAME = re.compile(r"(\d+)-evidence-[a-z_]+-(\d+)\.[a-z]+")
_ZIP_TIME_FLOOR = (1980, 1, 1, 0, 0, 0)  # the earliest time a ZIP entry can carry


@dataclass(frozen=True)
class ZipEntry:
    name: str
    title: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def package_filename(case: Case, package: ConfirmationPackage) -> str:
    return f"00-judicial-confirmation-{case.reference}-p{package.number}.pdf"


def zip_entries(package: ConfirmationPackage) -> list[ZipEntry]:
    """The package PDF (its newest revision) and exactly the files embedded in it, each
    checked against the hash on record (the evidence index, the agreement in force)."""
    if not package.current_sha256:
        raise PackageError("not_ready")
    case = db.session.get(Case, package.case_id)
    agreement = db.session.get(Agreement, package.agreement_id)
    assert case is not None and agreement is not None
    pdf = documents.read_pdf(package.current_sha256)
    title = f"司法确认申请材料（{case.reference}，第{package.number}次出具）"
    entries = [ZipEntry(package_filename(case, package), title, pdf)]
    by_id = {e.id: e for e in evidence_of(case)}
    embedded = attachments_of(pdf)
    for name in sorted(embedded, key=lambda n: (int(n.split("-", 1)[0]), n)):
        entry = _checked_entry(name, embedded[name], case, agreement, by_id)
        entries.append(entry)
    return entries


def _checked_entry(
    name: str, data: bytes, case: Case, agreement: Agreement, by_id: dict[int, EvidenceFile]
) -> ZipEntry:
    entry_sha = hashlib.sha256(data).hexdigest()
    if name == agreement_filename(case, agreement):
        if entry_sha != agreement.current_sha256:
            raise PackageError("agreement_changed", detail=name)
        return ZipEntry(name, AGREEMENT_TITLE, data)
    paper = checked_paper_entry(name, data, case) or checked_record_entry(name, data, case)
    if paper is not None:
        return ZipEntry(name, paper[0], data)
    match = _EVIDENCE_NAME.fullmatch(name)
    evidence = by_id.get(int(match.group(2))) if match else None
    if evidence is None or match is None:
        raise PackageError("unknown_attachment", detail=name)
    if entry_sha != evidence.sha256:
        raise PackageError("evidence_changed", detail=evidence.original_name)
    return ZipEntry(name, evidence_title(int(match.group(1)) - 1, evidence), data)


def package_zip(package: ConfirmationPackage) -> bytes:
    """The ZIP of the package; byte-identical on every download of the same revision."""
    buffer = io.BytesIO()
    write_package_zip(package, buffer)
    return buffer.getvalue()


def write_package_zip(package: ConfirmationPackage, out: BinaryIO) -> None:
    """Write the ZIP to ``out``. Deterministic: entries in a fixed order, each stamped
    with the package's release time (Beijing) and fixed permissions, so two downloads of
    the same revision are byte-identical."""
    entries = zip_entries(package)
    stamp = max(_ZIP_TIME_FLOOR, clock.local(package.released_at).timetuple()[:6])
    stamp = (*stamp[:5], stamp[5] - stamp[5] % 2)  # ZIP (DOS) times count seconds in twos
    manifest = _manifest(package, entries)
    with zipfile.ZipFile(out, "w") as archive:
        for entry in entries:  # PDFs and images are compressed already
            _write(archive, entry.name, entry.data, stamp, zipfile.ZIP_STORED)
        for name, text in manifest.items():
            _write(archive, name, text.encode("utf-8"), stamp, zipfile.ZIP_DEFLATED)


def _write(
    archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, ...], method: int
) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = method
    info.create_system = 3  # Unix, whatever the server runs on
    info.external_attr = 0o100644 << 16
    archive.writestr(info, data)


def _manifest(package: ConfirmationPackage, entries: list[ZipEntry]) -> dict[str, str]:
    """``manifest.json`` (for machines) and ``MANIFEST.txt`` (for people): every file's
    name, size and SHA-256, the package PDF first."""
    case = db.session.get(Case, package.case_id)
    assert case is not None
    files = [
        {"name": e.name, "title": e.title, "size": len(e.data), "sha256": e.sha256} for e in entries
    ]
    data = {
        "case": case.reference,
        "package": package.number,
        "court": package.court_name,
        "released_at": package.released_at.isoformat(),
        "package_pdf": files[0],
        "files": files,
    }
    lines = [
        f"司法确认申请材料 案号 {case.reference} 第{package.number}次出具",
        f"受理法院：{package.court_name}",
        "每个文件的 SHA-256、大小（字节）和文件名：",
        "",
        *(f"{f['sha256']}  {f['size']:>12}  {f['name']}  {f['title']}" for f in files),
        "",
    ]
    return {
        "manifest.json": json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        "MANIFEST.txt": "\n".join(lines),
    }
