"""Signing the agreement (电子签名法 Arts. 13–14; 在线调解规则 Art. 19): each party, then the
mediator with the organisation's seal, re-authenticates and signs the exact file of the
current version; the last signature puts the agreement in force."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.agreements.common import (
    ROLES,
    AgreementConflict,
    AgreementError,
    current_agreement,
    notify,
    role_on,
)
from app.cases.lifecycle import CaseRuleError, transition_case
from app.core import clock
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature, AgreementStatus, DocumentKind
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.users import User
from app.rules import agreements as rules
from app.rules.cases import CaseEvent
from app.signing import reauth
from app.signing.flow import (
    ROLE_ZH,
    SignatureInput,
    apply_signature,
    mark_problem,
    revisions,
    send_code,
)


def signed_roles(agreement: Agreement) -> set[str]:
    return {s.role for s in agreement.signatures if s.version == agreement.version}


def may_sign(user: User, case: Case, agreement: Agreement | None) -> bool:
    if agreement is None or agreement.status != AgreementStatus.SIGNING:
        return False
    role = role_on(user, case)
    return role is not None and role in rules.who_may_sign_next(signed_roles(agreement))


def signing_purpose(agreement: Agreement) -> str:
    return f"sign:agreement:{agreement.id}"


def send_signing_code(
    actor: User, case: Case, agreement: Agreement, channel: Channel | None
) -> Channel:
    """The one-time code for signing this version, to the signer's own phone or email."""
    _require_signer(actor, case, agreement, agreement.version)
    return send_code(
        actor,
        case,
        signing_purpose(agreement),
        channel,
        audit_action="case:agreement:code",
        object_type="agreement",
        object_id=agreement.id,
        data={"version": agreement.version},
    )


def _require_signer(actor: User, case: Case, agreement: Agreement, version: int) -> str:
    current = current_agreement(case)
    if current is None or current.id != agreement.id or agreement.version != version:
        raise AgreementError("superseded")
    if agreement.status != AgreementStatus.SIGNING:
        raise AgreementError("not_signable")
    role = role_on(actor, case)
    if role is None:
        raise AgreementError("not_a_signer")
    signed = signed_roles(agreement)
    if role in signed:
        raise AgreementError("already_signed")
    if role not in rules.who_may_sign_next(signed):
        raise AgreementError("parties_first")
    return role


def sign_agreement(
    actor: User, case: Case, agreement: Agreement, given: SignatureInput
) -> AgreementSignature:
    """The signer re-authenticates (password + one-time code) and signs the version they
    were shown. The signature goes into their field of the PDF (PAdES, the organisation's
    certificate, a visible block naming them and the time); the mediator's comes last and
    carries the seal, and the agreement takes effect (在线调解规则 Art. 19)."""
    role = _require_signer(actor, case, agreement, given.version)
    if given.seen_sha256 not in revisions_of(agreement):
        raise AgreementError("document_changed")
    problem = mark_problem(given)
    if problem is not None:
        raise AgreementError(problem)
    reauth.check(actor, signing_purpose(agreement), given.password, given.code)
    now = clock.now()
    signed_pdf = apply_signature(
        documents.read_pdf(agreement.current_sha256 or ""),
        case=case,
        role=role,
        signer_name=actor.name,
        given=given,
        now=now,
        reason=f"{ROLE_ZH[role]}签署调解协议书（案件 {case.reference}，第{agreement.version}版）",
    )
    try:
        signature, in_force = _record_signature(
            actor, case, agreement, role, given, signed_pdf, now
        )
    except (StaleDataError, IntegrityError, CaseRuleError) as err:
        db.session.rollback()
        raise AgreementConflict() from err
    _audit_signature(actor, case, agreement, signature, in_force)
    if in_force:
        notify(case, "agreement_in_force", roles=set(ROLES))
    db.session.commit()
    return signature


def _record_signature(
    actor: User,
    case: Case,
    agreement: Agreement,
    role: str,
    given: SignatureInput,
    signed_pdf: bytes,
    now: datetime,
) -> tuple[AgreementSignature, bool]:
    """Store the signed file and the signature record; the last signature puts the
    agreement in force and starts the 30-day clock (CPL Art. 205). Flushed, not committed:
    a concurrent signature on the same file fails the agreement's version check here."""
    case.last_activity_at = now
    db.session.flush()  # the case row first (lock order)
    sha = documents.store_pdf(
        signed_pdf,
        kind=DocumentKind.AGREEMENT,
        case=case,
        version=agreement.version,
        stage=f"signed:{role}",
        agreement=agreement,
    )
    signature = AgreementSignature(
        agreement_id=agreement.id,
        version=agreement.version,
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
    agreement.current_sha256 = sha
    in_force = rules.is_in_force(signed_roles(agreement) | {role})
    if in_force:
        from app.confirmation.release import on_agreement_in_force

        agreement.status = AgreementStatus.IN_FORCE
        agreement.effective_at = now
        transition_case(case, CaseEvent.TAKE_EFFECT)
        on_agreement_in_force(case, agreement)
    db.session.flush()
    return signature, in_force


def _audit_signature(
    actor: User, case: Case, agreement: Agreement, signature: AgreementSignature, in_force: bool
) -> None:
    audit.record(
        "case:agreement:sign",
        actor=actor,
        object_type="agreement",
        object_id=agreement.id,
        case_id=case.id,
        data={
            "version": agreement.version,
            "role": signature.role,
            "method": signature.method.value,
            "document_sha256": signature.document_sha256,
            "result_sha256": signature.result_sha256,
            "ip": signature.ip,
        },
    )
    if in_force:
        audit.record(
            "case:agreement:in_force",
            actor=actor,
            object_type="agreement",
            object_id=agreement.id,
            case_id=case.id,
            data={"version": agreement.version, "sha256": signature.result_sha256},
        )


def revisions_of(agreement: Agreement) -> set[str]:
    """Every file of this version a signer may have been shown."""
    return revisions(
        agreement.base_sha256,
        (s.result_sha256 for s in agreement.signatures if s.version == agreement.version),
    )
