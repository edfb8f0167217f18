"""Signing the agreement (电子签名法 Arts. 13–14; cf. 在线调解规则 Art. 19): each party, then the
mediator with the organisation's seal, re-authenticates and signs the exact file of the
current version; the last signature puts the agreement in force and starts the 30 days to
apply for judicial confirmation (CPL Art. 205)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app import audit
from app.accounts.auth import verify_password
from app.agreements.common import (
    ROLES,
    AgreementRefused,
    current_agreement,
    extra_signers,
    notify,
    role_on,
)
from app.audit import AuditAction
from app.cases.transitions import transition_case
from app.core import clock
from app.core.transaction import claim, conflict_on, use_case
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature, AgreementStatus, DocumentKind
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.users import User
from app.notifications.recipients import EXTRA_PARTIES
from app.rules import agreements as rules
from app.rules.cases import CaseEvent
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

# One signature per role and agreement: the same signer's two tabs at the same moment.
conflict_on("uq_agreement_signatures_agreement_id")

# What else happens, in the same transaction, when an agreement takes effect (its last
# signature): later stages subscribe from app.features (the 30-day confirmation clock,
# CPL Art. 205), since this stage comes before them and cannot call them itself.
InForceListener = Callable[[Case, Agreement], object]
_IN_FORCE_LISTENERS: list[InForceListener] = []


def on_agreement_in_force(listener: InForceListener) -> None:
    """Call ``listener(case, agreement)`` whenever an agreement takes effect."""
    if listener not in _IN_FORCE_LISTENERS:
        _IN_FORCE_LISTENERS.append(listener)


def signed_roles(agreement: Agreement) -> set[str]:
    return {s.role for s in agreement.signatures if s.version == agreement.version}


def may_sign(user: User, case: Case, agreement: Agreement | None) -> bool:
    if agreement is None or agreement.status != AgreementStatus.SIGNING:
        return False
    role = role_on(user, case)
    return role is not None and role in rules.who_may_sign_next(
        signed_roles(agreement), extra_signers(case)
    )


def signing_purpose(agreement: Agreement) -> str:
    return f"sign:agreement:{agreement.id}"


def revisions_of(agreement: Agreement) -> set[str]:
    """Every file of this version a signer may have been shown."""
    return revisions(
        agreement.base_sha256,
        (s.result_sha256 for s in agreement.signatures if s.version == agreement.version),
    )


@use_case
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
        audit_action=AuditAction.CASE_AGREEMENT_CODE,
        object_type="agreement",
        object_id=agreement.id,
        data={"version": agreement.version},
    )


def _require_signer(actor: User, case: Case, agreement: Agreement, version: int) -> str:
    current = current_agreement(case)
    if current is None or current.id != agreement.id or agreement.version != version:
        raise AgreementRefused("superseded")
    if agreement.status != AgreementStatus.SIGNING:
        raise AgreementRefused("not_signable")
    role = role_on(actor, case)
    if role is None:
        raise AgreementRefused("not_a_signer")
    signed = signed_roles(agreement)
    if role in signed:
        raise AgreementRefused("already_signed")
    if role not in rules.who_may_sign_next(signed, extra_signers(case)):
        raise AgreementRefused("parties_first")
    return role


def sign_agreement(
    actor: User, case: Case, agreement: Agreement, given: SignatureInput
) -> AgreementSignature:
    """The signer re-authenticates (password + one-time code) and signs the version they
    were shown. The signature goes into their field of the PDF (PAdES, the organisation's
    certificate, a visible block naming them and the time); the mediator's comes last and
    carries the seal, and the agreement takes effect (cf. 在线调解规则 Art. 19).

    A wrong password or code is refused (``ReauthError``) after the use case has
    committed the try it counts (:func:`app.signing.reauth.attempt`)."""
    signed = _sign(actor, case, agreement, given, verify_password(actor, given.password))
    if isinstance(signed, ReauthError):
        raise signed
    return signed


@use_case
def _sign(
    actor: User, case: Case, agreement: Agreement, given: SignatureInput, password_ok: bool
) -> AgreementSignature | ReauthError:
    role = _require_signer(actor, case, agreement, given.version)
    if given.seen_sha256 not in revisions_of(agreement):
        raise AgreementRefused("document_changed")
    check_mark(given)
    refused = reauth.attempt(actor, signing_purpose(agreement), given.code, password_ok=password_ok)
    if refused is not None:
        return refused  # committed with the try it counted, then raised by the caller
    now = clock.now()
    signed_pdf = apply_signature(
        documents.read_pdf(agreement.current_sha256 or ""),
        case=case,
        role=role,
        signer_name=actor.name,
        given=given,
        now=now,
        reason=(
            f"{signer_label(case, role)}签署调解协议书"
            f"（案件 {case.reference}，第{agreement.version}版）"
        ),
    )
    signature, in_force = _record_signature(actor, case, agreement, role, given, signed_pdf, now)
    _audit_signature(actor, case, agreement, signature, in_force)
    if in_force:
        notify(case, "agreement_in_force", roles={*ROLES, EXTRA_PARTIES})
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
    agreement in force. The case is claimed first: of two signatures on the same file,
    the later one fails here (``Conflict``) and nothing of it is kept."""
    claim(case)
    case.last_activity_at = now
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
    in_force = rules.is_in_force(signed_roles(agreement) | {role}, extra_signers(case))
    if in_force:
        agreement.status = AgreementStatus.IN_FORCE
        agreement.effective_at = now
        transition_case(case, CaseEvent.TAKE_EFFECT)
        for listener in _IN_FORCE_LISTENERS:
            listener(case, agreement)
    db.session.flush()
    return signature, in_force


def _audit_signature(
    actor: User, case: Case, agreement: Agreement, signature: AgreementSignature, in_force: bool
) -> None:
    audit.record(
        AuditAction.CASE_AGREEMENT_SIGN,
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
            AuditAction.CASE_AGREEMENT_IN_FORCE,
            actor=actor,
            object_type="agreement",
            object_id=agreement.id,
            case_id=case.id,
            data={"version": agreement.version, "sha256": signature.result_sha256},
        )
