"""Signing the supplementary agreement exactly as the agreement is signed
(:mod:`app.agreements.signing`; 电子签名法 Arts. 13–14; cf. 在线调解规则 Art. 19): each party
(the debtor, the creditor and every guarantor or co-borrower who signed the agreement: a
change binds only those who agree to it, 民法典 Arts. 543, 695), then the mediator with
the organisation's seal, re-authenticates (password + one-time code) and signs the exact
file of the current version into their own PAdES field. The mediator's signature puts it
in force: the request is completed and the repayment plan follows the new schedule from
then on (:func:`app.repayments.common.plan_of`)."""

from __future__ import annotations

from datetime import datetime

from app import audit
from app.accounts.auth import verify_password
from app.agreements.common import AgreementRefused, extra_signers, role_on
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import claim, conflict_on, use_case
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement, DocumentKind
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.restructuring import (
    RequestStatus,
    RestructuringRequest,
    SupplementaryAgreement,
    SupplementarySignature,
    SupplementaryStatus,
)
from app.models.users import User
from app.notifications.recipients import EXTRA_PARTIES
from app.restructuring.common import current_supplement, notify
from app.rules import agreements as rules
from app.rules.cases import PERFORMANCE_STATES
from app.signing import reauth
from app.signing.flow import (
    SignatureInput,
    apply_signature,
    check_mark,
    revisions,
    send_code,
    signer_label,
)
from app.signing.reauth import ReauthError

conflict_on("uq_supplementary_signatures_supplementary_id")


def signed_roles(supplement: SupplementaryAgreement) -> set[str]:
    return {s.role for s in supplement.signatures}


def purpose(supplement: SupplementaryAgreement) -> str:
    return f"sign:supplementary:{supplement.id}"


def revisions_of(supplement: SupplementaryAgreement) -> set[str]:
    return revisions(supplement.base_sha256, (s.result_sha256 for s in supplement.signatures))


def _require_signer(
    actor: User, case: Case, supplement: SupplementaryAgreement, version: int
) -> str:
    request = db.session.get(RestructuringRequest, supplement.request_id)
    current = current_supplement(request) if request is not None else None
    if current is None or current.id != supplement.id or supplement.version != version:
        raise AgreementRefused("superseded")
    if supplement.status != SupplementaryStatus.SIGNING or case.state not in PERFORMANCE_STATES:
        raise AgreementRefused("not_signable")
    role = role_on(actor, case)
    if role is None:
        raise AgreementRefused("not_a_signer")
    signed = signed_roles(supplement)
    if role in signed:
        raise AgreementRefused("already_signed")
    if role not in rules.who_may_sign_next(signed, extra_signers(case)):
        raise AgreementRefused("parties_first")
    return role


def may_sign(user: User, case: Case, supplement: SupplementaryAgreement | None) -> bool:
    if supplement is None:
        return False
    try:
        _require_signer(user, case, supplement, supplement.version)
    except AgreementRefused:
        return False
    return True


@use_case
def send_signing_code(
    actor: User, case: Case, supplement: SupplementaryAgreement, channel: Channel | None
) -> Channel:
    _require_signer(actor, case, supplement, supplement.version)
    return send_code(
        actor,
        case,
        purpose(supplement),
        channel,
        audit_action=AuditAction.CASE_SUPPLEMENTARY_CODE,
        object_type="supplementary",
        object_id=supplement.id,
        data={"version": supplement.version},
    )


def sign_supplementary(
    actor: User, case: Case, supplement: SupplementaryAgreement, given: SignatureInput
) -> SupplementarySignature:
    """As :func:`app.agreements.signing.sign_agreement`: a wrong password or code is
    refused (``ReauthError``) after the try it counts is committed."""
    signed = _sign(actor, case, supplement, given, verify_password(actor, given.password))
    if isinstance(signed, ReauthError):
        raise signed
    return signed


@use_case
def _sign(
    actor: User,
    case: Case,
    supplement: SupplementaryAgreement,
    given: SignatureInput,
    password_ok: bool,
) -> SupplementarySignature | ReauthError:
    role = _require_signer(actor, case, supplement, given.version)
    if given.seen_sha256 not in revisions_of(supplement):
        raise AgreementRefused("document_changed")
    check_mark(given)
    refused = reauth.attempt(actor, purpose(supplement), given.code, password_ok=password_ok)
    if refused is not None:
        return refused
    now = clock.now()
    signed_pdf = apply_signature(
        documents.read_pdf(supplement.current_sha256 or ""),
        case=case,
        role=role,
        signer_name=actor.name,
        given=given,
        now=now,
        reason=(
            f"{signer_label(case, role)}签署补充协议"
            f"（案件 {case.reference}，第{supplement.version}版）"
        ),
    )
    signature, in_force = _record(actor, case, supplement, role, given, signed_pdf, now)
    audit.record(
        AuditAction.CASE_SUPPLEMENTARY_SIGN,
        actor=actor,
        object_type="supplementary",
        object_id=supplement.id,
        case_id=case.id,
        data={
            "version": supplement.version,
            "role": role,
            "method": signature.method.value,
            "document_sha256": signature.document_sha256,
            "result_sha256": signature.result_sha256,
            "ip": signature.ip,
        },
    )
    if in_force:
        audit.record(
            AuditAction.CASE_SUPPLEMENTARY_IN_FORCE,
            actor=actor,
            object_type="supplementary",
            object_id=supplement.id,
            case_id=case.id,
            data={
                "version": supplement.version,
                "sha256": signature.result_sha256,
                "remaining": supplement.terms["basis"]["remaining"],
            },
        )
        notify(
            case,
            "supplementary_in_force",
            roles={"debtor", "creditor", "mediator", EXTRA_PARTIES},
        )
    return signature


def _record(
    actor: User,
    case: Case,
    supplement: SupplementaryAgreement,
    role: str,
    given: SignatureInput,
    signed_pdf: bytes,
    now: datetime,
) -> tuple[SupplementarySignature, bool]:
    claim(case)
    case.last_activity_at = now
    sha = documents.store_pdf(
        signed_pdf,
        kind=DocumentKind.SUPPLEMENTARY,
        case=case,
        version=supplement.version,
        stage=f"signed:{role}",
        agreement=db.session.get(Agreement, supplement.agreement_id),
    )
    signature = SupplementarySignature(
        supplementary_id=supplement.id,
        version=supplement.version,
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
    supplement.current_sha256 = sha
    in_force = rules.is_in_force(signed_roles(supplement) | {role}, extra_signers(case))
    if in_force:
        supplement.status = SupplementaryStatus.IN_FORCE
        supplement.effective_at = now
        request = db.session.get(RestructuringRequest, supplement.request_id)
        assert request is not None
        request.status = RequestStatus.COMPLETED
        request.open_case_id = None
    db.session.flush()
    return signature, in_force


@use_case
def record_download(actor: User, case: Case, s: SupplementaryAgreement, sha256: str) -> None:
    """Every download of a supplementary agreement is in the audit log."""
    audit.record(
        AuditAction.CASE_SUPPLEMENTARY_DOWNLOAD,
        actor=actor,
        object_type="supplementary",
        object_id=s.id,
        case_id=case.id,
        data={"version": s.version, "sha256": sha256},
    )
