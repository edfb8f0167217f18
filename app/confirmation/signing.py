"""The parties sign the package: the joint application, their address-for-service
confirmation and their commitment letter (民诉法解释 Art. 355: the parties apply jointly),
exactly as they signed the agreement (电子签名法 Arts. 13–14): re-authenticated with
password and one-time code, on the exact file they were shown, into their own field
``sig-<role>`` of the certified PDF. When every party has signed (guarantors and
co-borrowers too), the package is ready to file."""

from __future__ import annotations

from datetime import datetime

from app import audit
from app.accounts.auth import verify_password
from app.agreements.common import role_on
from app.audit import AuditAction
from app.confirmation.common import PACKAGE_OBJECT, current_package, notify_parties
from app.confirmation.errors import ConfirmationError, ConfirmationRefused
from app.confirmation.package.parties import creditor_agent
from app.core import clock
from app.core.transaction import claim, conflict_on, use_case
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement, DocumentKind
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageSignature, PackageStatus
from app.models.notifications import Channel
from app.models.users import User
from app.notifications.recipients import EXTRA_PARTIES
from app.rules.cases import CaseState
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

PACKAGE_SIGNERS = ("debtor", "creditor")


def package_signers(case: Case) -> tuple[str, ...]:
    """Who signs the application: the debtor, the creditor and every guarantor or
    co-borrower, since all the parties to the agreement apply jointly (民诉法解释 Arts.
    353, 354; :mod:`app.rules.case_parties`)."""
    return PACKAGE_SIGNERS + tuple(p.signer_role for p in case.extra_parties)


# One signature per role and package: the same signer's two tabs at the same moment
# (``migrations/versions/0005_confirmation.py``).
conflict_on("uq_package_signatures_package_id")


def package_signed_roles(package: ConfirmationPackage) -> set[str]:
    return {s.role for s in package.signatures}


def package_purpose(package: ConfirmationPackage) -> str:
    return f"sign:package:{package.id}"


def may_sign_package(user: User, case: Case, package: ConfirmationPackage | None) -> bool:
    """Whether ``user`` may sign this package now (for the page to offer the button)."""
    try:
        _require_signer(user, case, package, package.number if package else 0)
    except ConfirmationError:
        return False
    return True


def _require_signer(
    actor: User, case: Case, package: ConfirmationPackage | None, number: int
) -> str:
    current = current_package(case)
    if package is None or current is None or current.id != package.id or package.number != number:
        raise ConfirmationRefused("superseded")
    if package.status != PackageStatus.SIGNING or case.state != CaseState.IN_FORCE:
        raise ConfirmationRefused("not_signable")
    role = role_on(actor, case)
    if role not in package_signers(case):
        raise ConfirmationRefused("not_a_signer")
    if role in package_signed_roles(package):
        raise ConfirmationRefused("already_signed")
    if role == "creditor":
        # The application names the employee who signed the agreement as the creditor's
        # agent (CPL Art. 62); the same person signs the application.
        agent = creditor_agent(package_agreement(package))
        if agent is not None and agent.id != actor.id:
            raise ConfirmationRefused("not_the_agent", detail=agent.name)
    return role


def package_agreement(package: ConfirmationPackage) -> Agreement:
    agreement = db.session.get(Agreement, package.agreement_id)
    assert agreement is not None
    return agreement


@use_case
def send_package_code(
    actor: User, case: Case, package: ConfirmationPackage, channel: Channel | None
) -> Channel:
    """The one-time code for signing this package, to the signer's own phone or email."""
    _require_signer(actor, case, package, package.number)
    return send_code(
        actor,
        case,
        package_purpose(package),
        channel,
        audit_action=AuditAction.CASE_CONFIRMATION_CODE,
        object_type=PACKAGE_OBJECT,
        object_id=package.id,
        data={"number": package.number},
    )


def sign_package(
    actor: User, case: Case, package: ConfirmationPackage, given: SignatureInput
) -> PackageSignature:
    """The party re-authenticates and signs the package release they were shown
    (``given.version`` is the package number). Refused on a superseded package
    (``superseded``), a file that is not one of this package's revisions
    (``document_changed``), an unusable mark (``MarkInvalid``); a wrong password or code
    is refused (``ReauthError``) after the use case has committed the try it counts
    (:func:`app.signing.reauth.attempt`). The second party's signature makes the package
    ready to file."""
    signed = _sign(actor, case, package, given, verify_password(actor, given.password))
    if isinstance(signed, ReauthError):
        raise signed
    return signed


@use_case
def _sign(
    actor: User,
    case: Case,
    package: ConfirmationPackage,
    given: SignatureInput,
    password_ok: bool,
) -> PackageSignature | ReauthError:
    role = _require_signer(actor, case, package, given.version)
    if given.seen_sha256 not in _revisions(package):
        raise ConfirmationRefused("document_changed")
    check_mark(given)
    refused = reauth.attempt(actor, package_purpose(package), given.code, password_ok=password_ok)
    if refused is not None:
        return refused  # committed with the try it counted, then raised by the caller
    now = clock.now()
    signed_pdf = apply_signature(
        documents.read_pdf(package.current_sha256 or ""),
        case=case,
        role=role,
        signer_name=actor.name,
        given=given,
        now=now,
        reason=_reason(role, case, package),
    )
    signature, ready = _record(actor, case, package, role, given, signed_pdf, now)
    _audit_signature(actor, case, package, signature, ready)
    if ready:
        notify_parties(
            case, "package_ready", roles=("debtor", "creditor", "mediator", EXTRA_PARTIES)
        )
    return signature


def _reason(role: str, case: Case, package: ConfirmationPackage) -> str:
    return (
        f"{signer_label(case, role)}签署司法确认申请材料"
        f"（案件 {case.reference}，第{package.number}次提交）"
    )


def _revisions(package: ConfirmationPackage) -> set[str]:
    return revisions(package.base_sha256, (s.result_sha256 for s in package.signatures))


def _record(
    actor: User,
    case: Case,
    package: ConfirmationPackage,
    role: str,
    given: SignatureInput,
    signed_pdf: bytes,
    now: datetime,
) -> tuple[PackageSignature, bool]:
    """Store the signed file and the signature record. The case is claimed first: of two
    signatures on the same file, the later one fails here (``Conflict``), nothing kept."""
    claim(case)
    case.last_activity_at = now
    sha = documents.store_pdf(
        signed_pdf,
        kind=DocumentKind.PACKAGE,
        case=case,
        version=package.number,
        stage=f"signed:{role}",
        agreement=package_agreement(package),
    )
    signature = PackageSignature(
        package=package,
        role=role,
        user_id=actor.id,
        signed_at=now,
        ip=given.ip[:64],
        user_agent=given.user_agent[:400],
        method=given.method.value,
        typed_name=given.typed_name,
        drawn_png=given.drawn_png,
        document_sha256=given.seen_sha256,
        result_sha256=sha,
    )
    db.session.add(signature)
    package.current_sha256 = sha
    ready = package_signed_roles(package) >= set(package_signers(case))
    if ready:
        package.status = PackageStatus.READY
    db.session.flush()
    return signature, ready


def _audit_signature(
    actor: User, case: Case, package: ConfirmationPackage, sig: PackageSignature, ready: bool
) -> None:
    audit.record(
        AuditAction.CASE_CONFIRMATION_SIGN,
        actor=actor,
        object_type=PACKAGE_OBJECT,
        object_id=package.id,
        case_id=case.id,
        data={
            "number": package.number,
            "role": sig.role,
            "method": sig.method,
            "document_sha256": sig.document_sha256,
            "result_sha256": sig.result_sha256,
            "ip": sig.ip,
        },
    )
    if ready:
        audit.record(
            AuditAction.CASE_CONFIRMATION_READY,
            actor=actor,
            object_type=PACKAGE_OBJECT,
            object_id=package.id,
            case_id=case.id,
            data={"number": package.number, "sha256": package.current_sha256},
        )
