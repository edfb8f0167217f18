"""Confirming the mediation record by signing it, as the agreement is signed
(:mod:`app.agreements.signing`; 电子签名法 Arts. 13–14): each party, then the mediator
with the organisation's seal, re-authenticates (password + one-time code) and signs the
exact file of the current version into their own PAdES field. The mediator's signature
confirms the record: the final file is the registered, sealed record (人民调解法 Art. 27)."""

from __future__ import annotations

from datetime import datetime

from app import audit
from app.accounts.auth import verify_password
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import claim, conflict_on, use_case
from app.documents import issued as documents
from app.extensions import db
from app.minutes.common import OBJECT_TYPE, ROLE_ZH, RecordRefused, role_on, signed_roles
from app.minutes.writing import tell_parties
from app.models.agreements import DocumentKind
from app.models.cases import Case
from app.models.minutes import MediationRecord, MediationRecordSignature, RecordStatus
from app.models.notifications import Channel
from app.models.users import User
from app.rules.minutes import is_confirmed, next_signers
from app.signing import reauth
from app.signing.flow import SignatureInput, apply_signature, check_mark, revisions, send_code
from app.signing.reauth import ReauthError

# One signature per role and version: the same signer's two tabs at the same moment.
conflict_on("uq_mediation_record_signatures_record_id")


def purpose(record: MediationRecord) -> str:
    return f"sign:record:{record.id}:{record.version}"  # String(32)


def revisions_of(record: MediationRecord) -> set[str]:
    """Every file of this version a signer may have been shown."""
    return revisions(
        record.base_sha256,
        (s.result_sha256 for s in record.signatures if s.version == record.version),
    )


def all_files(record: MediationRecord) -> set[str]:
    """Every file the record ever had (earlier versions too), for the PDF and page links."""
    files = {s.result_sha256 for s in record.signatures}
    files |= {h["sha256"] for h in record.history if h.get("sha256")}
    files |= {sha for sha in (record.base_sha256, record.current_sha256) if sha}
    return files


def _require_signer(actor: User, case: Case, record: MediationRecord, version: int) -> str:
    if record.version != version:
        raise RecordRefused("superseded")
    if record.status != RecordStatus.AWAITING:
        raise RecordRefused("not_signable")
    role = role_on(actor, case)
    if role is None:
        raise RecordRefused("not_a_signer")
    signed = signed_roles(record)
    if role in signed:
        raise RecordRefused("already_signed")
    if role not in next_signers(signed):
        raise RecordRefused("parties_first")
    return role


def may_sign(user: User, case: Case, record: MediationRecord) -> bool:
    try:
        _require_signer(user, case, record, record.version)
    except RecordRefused:
        return False
    return True


@use_case
def send_signing_code(
    actor: User, case: Case, record: MediationRecord, channel: Channel | None
) -> Channel:
    """The one-time code for signing this version, to the signer's own phone or email."""
    _require_signer(actor, case, record, record.version)
    return send_code(
        actor,
        case,
        purpose(record),
        channel,
        audit_action=AuditAction.CASE_RECORD_CODE,
        object_type=OBJECT_TYPE,
        object_id=record.id,
        data={"version": record.version},
    )


def sign_record(
    actor: User, case: Case, record: MediationRecord, given: SignatureInput
) -> MediationRecordSignature:
    """As :func:`app.agreements.signing.sign_agreement`: a wrong password or code is
    refused (``ReauthError``) after the try it counts is committed."""
    signed = _sign(actor, case, record, given, verify_password(actor, given.password))
    if isinstance(signed, ReauthError):
        raise signed
    return signed


@use_case
def _sign(
    actor: User, case: Case, record: MediationRecord, given: SignatureInput, password_ok: bool
) -> MediationRecordSignature | ReauthError:
    role = _require_signer(actor, case, record, given.version)
    if given.seen_sha256 not in revisions_of(record):
        raise RecordRefused("document_changed")
    check_mark(given)
    refused = reauth.attempt(actor, purpose(record), given.code, password_ok=password_ok)
    if refused is not None:
        return refused  # committed with the try it counted, then raised by the caller
    now = clock.now()
    signed_pdf = apply_signature(
        documents.read_pdf(record.current_sha256 or ""),
        case=case,
        role=role,
        signer_name=actor.name,
        given=given,
        now=now,
        reason=f"{ROLE_ZH[role]}签名确认调解笔录（案件 {case.reference}，第{record.version}版）",
    )
    signature, confirmed = _record(actor, case, record, role, given, signed_pdf, now)
    audit.record(
        AuditAction.CASE_RECORD_SIGN,
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=record.id,
        case_id=case.id,
        data={
            "version": record.version,
            "role": role,
            "method": signature.method.value,
            "document_sha256": signature.document_sha256,
            "result_sha256": signature.result_sha256,
            "ip": signature.ip,
        },
    )
    if confirmed:
        audit.record(
            AuditAction.CASE_RECORD_CONFIRM,
            actor=actor,
            object_type=OBJECT_TYPE,
            object_id=record.id,
            case_id=case.id,
            data={"version": record.version, "sha256": signature.result_sha256},
        )
        tell_parties(case, record, "record_confirmed")
    return signature


def _record(
    actor: User,
    case: Case,
    record: MediationRecord,
    role: str,
    given: SignatureInput,
    signed_pdf: bytes,
    now: datetime,
) -> tuple[MediationRecordSignature, bool]:
    """Store the signed file (registered for /verify) and the signature; the last one
    confirms the record. The record is claimed first: of two signatures on the same file,
    the later one fails (``Conflict``) and nothing of it is kept."""
    claim(record)
    sha = documents.store_pdf(
        signed_pdf,
        kind=DocumentKind.MEDIATION_RECORD,
        case=case,
        version=record.version,
        stage=f"signed:{role}:record-{record.id}",
    )
    signature = MediationRecordSignature(
        record_id=record.id,
        version=record.version,
        role=role,
        user_id=actor.id,
        signed_at=now,
        ip=given.ip[:64],
        user_agent=given.user_agent[:400],
        method=given.method,
        typed_name=given.typed_name,
        drawn_png=given.drawn_png,
        document_sha256=given.seen_sha256,
        result_sha256=sha,
    )
    db.session.add(signature)
    record.current_sha256 = sha
    confirmed = is_confirmed(signed_roles(record) | {role})
    if confirmed:
        record.status = RecordStatus.CONFIRMED
        record.confirmed_at = now
    db.session.flush()
    return signature, confirmed


@use_case
def record_download(actor: User, case: Case, record: MediationRecord, sha256: str) -> None:
    """Every download of a mediation record is in the audit log."""
    audit.record(
        AuditAction.CASE_RECORD_DOWNLOAD,
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=record.id,
        case_id=case.id,
        data={"version": record.version, "sha256": sha256},
    )
