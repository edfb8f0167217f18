"""Evidence: uploaded by the creditor, kept forever, downloaded only by people on the case."""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.errors import InvalidInput
from app.core.storage import StorageRefused, blob_store, max_upload_bytes
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case, CaseParty
from app.models.evidence import PARTY_ID_CATEGORIES, EvidenceCategory, EvidenceFile
from app.models.users import Role, User

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
    case_party_id: int | None = None,
) -> EvidenceFile:
    """Store one file (PDF, JPEG or PNG by content, within the size limit) and record it.
    A guarantor's or co-borrower's ID copy names whose it is (``case_party_id``); no
    other file does.

    A file is never replaced: a correction is a new file that names the one it corrects,
    and both stay on the record.
    """
    if (category in PARTY_ID_CATEGORIES) != (case_party_id is not None):
        raise InvalidInput("choice", "category")
    if supersedes_id is not None:
        previous = db.session.get(EvidenceFile, supersedes_id)
        # A party's ID copy is corrected by that party's alone.
        if (
            previous is None
            or previous.case_id != case.id
            or previous.case_party_id != case_party_id
        ):
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
        case_party_id=case_party_id,
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
            **({"party": case_party_id} if case_party_id is not None else {}),
        },
    )
    return evidence


def evidence_of(case: Case) -> list[EvidenceFile]:
    return list(
        db.session.scalars(
            select(EvidenceFile).where(EvidenceFile.case_id == case.id).order_by(EvidenceFile.id)
        )
    )


def court_evidence(case: Case) -> list[EvidenceFile]:
    """The files the court package carries, in upload order: every evidence file of the
    case but the ID copies of a guarantor or co-borrower taken off the case, who is no
    party to the agreement (PIPL Art. 6: no more personal information than the purpose
    needs)."""
    parties = {p.id for p in case.extra_parties}
    return [
        e
        for e in evidence_of(case)
        if e.category not in PARTY_ID_CATEGORIES or e.case_party_id in parties
    ]


def own_party(user: User, case: Case) -> CaseParty | None:
    """The guarantor or co-borrower on this case who is ``user`` (None: someone else)."""
    return next((p for p in case.extra_parties if p.user_id == user.id), None)


def is_anothers_id_copy(viewer: User, case: Case, evidence: EvidenceFile) -> bool:
    """An ID copy of a natural person on the debtor's side that ``viewer``, also on that
    side, may not see: the debtor's to a guarantor or co-borrower, and theirs to the debtor
    and to each other (PIPL Arts. 6, 28: an ID number is sensitive personal information,
    shown only to whom needs it). The mediator, the creditor and the court see them all."""
    if viewer.role != Role.DEBTOR:
        return False
    if evidence.category in (EvidenceCategory.ID_FRONT, EvidenceCategory.ID_BACK):
        return case.debtor_user_id != viewer.id
    if evidence.category in PARTY_ID_CATEGORIES:
        party = own_party(viewer, case)
        return party is None or evidence.case_party_id != party.id
    return False


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
