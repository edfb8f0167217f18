"""Evidence: uploaded by the creditor, kept forever, downloaded only by people on the case."""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.storage import StorageRefused, blob_store, max_upload_bytes
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.users import User

MAX_DESCRIPTION = 300


@use_case
def add_evidence(
    actor: User,
    case: Case,
    stream: BinaryIO,
    original_name: str,
    category: EvidenceCategory,
    description: str,
    supersedes_id: int | None = None,
) -> EvidenceFile:
    """Store one file (PDF, JPEG or PNG by content, within the size limit) and record it.

    A file is never replaced: a correction is a new file that names the one it corrects,
    and both stay on the record.
    """
    if supersedes_id is not None:
        previous = db.session.get(EvidenceFile, supersedes_id)
        if previous is None or previous.case_id != case.id:
            raise StorageRefused("unknown_evidence")
    blob = blob_store().put(stream, max_upload_bytes())
    evidence = EvidenceFile(
        case_id=case.id,
        category=category,
        description=description.strip()[:MAX_DESCRIPTION],
        original_name=(original_name or "evidence").strip()[:255],
        media_type=blob.media_type,
        size=blob.size,
        sha256=blob.sha256,
        supersedes_id=supersedes_id,
        uploaded_by_id=actor.id,
    )
    db.session.add(evidence)
    case.last_activity_at = clock.now()
    db.session.flush()
    audit.record(
        AuditAction.CASE_EVIDENCE_UPLOAD,
        actor=actor,
        object_type="evidence",
        object_id=evidence.id,
        case_id=case.id,
        data={
            "sha256": blob.sha256,
            "size": blob.size,
            "category": category.value,
            "name": evidence.original_name,
            "supersedes": supersedes_id,
        },
    )
    return evidence


def evidence_of(case: Case) -> list[EvidenceFile]:
    return list(
        db.session.scalars(
            select(EvidenceFile).where(EvidenceFile.case_id == case.id).order_by(EvidenceFile.id)
        )
    )


@use_case
def record_download(actor: User, evidence: EvidenceFile) -> None:
    audit.record(
        AuditAction.CASE_EVIDENCE_DOWNLOAD,
        actor=actor,
        object_type="evidence",
        object_id=evidence.id,
        case_id=evidence.case_id,
        data={"sha256": evidence.sha256},
    )
