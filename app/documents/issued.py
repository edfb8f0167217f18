"""Issued PDFs: stored by their SHA-256 (the exact bytes served), registered so that
``/verify`` and ``flask documents verify`` can say whether this platform issued a file,
and signed with the organisation's certificate from configuration."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from app import anchor
from app.core.storage import blob_store
from app.documents.pki import load_signer, load_trust_roots
from app.documents.signing import timestamper_for
from app.extensions import db
from app.models.agreements import Agreement, DocumentKind, IssuedDocument
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage
from app.models.minutes import MediationRecord
from app.models.restructuring import SupplementaryAgreement

MAX_PDF_BYTES = 200 * 1024 * 1024


def store_pdf(
    data: bytes,
    *,
    kind: DocumentKind,
    case: Case,
    version: int,
    stage: str,
    agreement: Agreement | None = None,
) -> str:
    """Write the PDF to the blob store (temporary file, then renamed into place) and
    register it, with a checkpoint of the audit log (``app.anchor``); returns its SHA-256.
    Same bytes twice: one file, one row."""
    blob = blob_store().put(io.BytesIO(data), MAX_PDF_BYTES)
    if db.session.scalar(select(IssuedDocument.id).where(IssuedDocument.sha256 == blob.sha256)):
        return blob.sha256
    db.session.add(
        IssuedDocument(
            sha256=blob.sha256,
            kind=kind,
            case_id=case.id,
            agreement_id=agreement.id if agreement else None,
            version=version,
            stage=stage,
            size=blob.size,
        )
    )
    # The log's head as it stood when this document was issued, signed and kept apart.
    anchor.write_checkpoint(anchor.document_reason(blob.sha256))
    return blob.sha256


def read_pdf(sha256: str) -> bytes:
    with blob_store().open(sha256) as f:
        return f.read()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class IssuedFacts:
    """What our records say about a file we issued."""

    kind: DocumentKind
    case_reference: str
    version: int
    stage: str
    issued_at: datetime
    is_latest: bool  # the newest revision of this version (later ones carry more signatures)
    superseded: bool  # a newer version of the agreement replaced this one
    in_force: bool
    signers: list[dict[str, Any]]


def lookup_issued(sha256: str) -> IssuedFacts | None:
    """Our record of the file with this hash, or ``None``: we never issued it."""
    doc = db.session.scalar(select(IssuedDocument).where(IssuedDocument.sha256 == sha256))
    if doc is None:
        return None
    case = db.session.get(Case, doc.case_id)
    holder: Any = None
    if doc.kind == DocumentKind.PACKAGE:
        holder = db.session.scalar(
            select(ConfirmationPackage).where(
                ConfirmationPackage.case_id == doc.case_id,
                ConfirmationPackage.number == doc.version,
            )
        )
    elif doc.kind == DocumentKind.SUPPLEMENTARY:
        holder = db.session.scalar(
            select(SupplementaryAgreement).where(
                SupplementaryAgreement.case_id == doc.case_id,
                SupplementaryAgreement.version == doc.version,
            )
        )
    elif doc.kind == DocumentKind.MEDIATION_RECORD:
        holder = _record_of(doc)
    elif doc.agreement_id:
        holder = db.session.get(Agreement, doc.agreement_id)
    complete = {"in_force", "ready", "confirmed"}
    # a record's file of an earlier version: the record was changed since
    earlier = isinstance(holder, MediationRecord) and holder.version != doc.version
    return IssuedFacts(
        kind=doc.kind,
        case_reference=case.reference if case else "?",
        version=doc.version,
        stage=doc.stage,
        issued_at=doc.created_at,
        is_latest=holder is None or holder.current_sha256 == sha256,
        superseded=(holder is not None and holder.status == "superseded") or earlier,
        in_force=holder is not None
        and holder.status in complete
        and holder.current_sha256 == sha256,
        signers=_signers_up_to(holder, sha256) if holder is not None else [],
    )


def _record_of(doc: IssuedDocument) -> MediationRecord | None:
    """The mediation record a file belongs to: its stage names it (``…:record-<id>``)."""
    _, _, record_id = doc.stage.rpartition(":record-")
    return db.session.get(MediationRecord, int(record_id)) if record_id.isdigit() else None


def _signers_up_to(
    holder: Agreement | ConfirmationPackage | SupplementaryAgreement | MediationRecord,
    sha256: str,
) -> list[dict[str, Any]]:
    """The signatures this revision carries: those given up to the one that produced it."""
    chain: list[dict[str, Any]] = []
    if holder.base_sha256 == sha256:
        return chain
    for sig in holder.signatures:
        if isinstance(holder, Agreement | MediationRecord) and sig.version != holder.version:
            continue
        chain.append({"role": sig.role, "name": sig.user.name, "signed_at": sig.signed_at})
        if sig.result_sha256 == sha256:
            break
    return chain


@cache
def _signer_for(p12_path: str, password: str) -> Any:
    return load_signer(Path(p12_path), password)


def organisation_signer() -> Any:
    """The organisation's signing key and certificate (PKCS#12 from configuration)."""
    settings = current_app.config["SETTINGS"]
    return _signer_for(str(settings.signing_p12_path), settings.signing_p12_password)


def timestamper() -> Any:
    return timestamper_for(current_app.config["SETTINGS"].tsa_url)


def trust_roots() -> list[Any]:
    return load_trust_roots(Path(current_app.config["SETTINGS"].signing_ca_path))
