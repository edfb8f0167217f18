"""The parties sign the package: the joint application, their address-for-service
confirmation and their commitment letter (BRIEF §5.1), exactly as they signed the
agreement (电子签名法 Arts. 13–14): re-authenticated with password and one-time code, on
the exact file they were shown, into their own field ``sig-<role>`` of the certified PDF.
When both parties have signed, the package is ready to file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.confirmation.common import (
    ConfirmationConflict,
    ConfirmationError,
    current_package,
    notify_parties,
    touch_case,
)
from app.core import clock
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement, DocumentKind
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageSignature, PackageStatus
from app.models.notifications import Channel
from app.models.users import User
from app.rules.cases import CaseState
from app.signing import reauth
from app.signing.flow import (
    ROLE_ZH,
    SignatureInput,
    apply_signature,
    mark_problem,
    revisions,
    send_code,
)

PACKAGE_SIGNERS = ("debtor", "creditor")


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
        raise ConfirmationError("superseded")
    if package.status != PackageStatus.SIGNING or case.state != CaseState.IN_FORCE:
        raise ConfirmationError("not_signable")
    from app.agreements.drafting import role_on  # not at import: agreements calls us

    role = role_on(actor, case)
    if role not in PACKAGE_SIGNERS:
        raise ConfirmationError("not_a_signer")
    if role in package_signed_roles(package):
        raise ConfirmationError("already_signed")
    if role == "creditor":
        # The application names the employee who signed the agreement as the creditor's
        # agent (BRIEF §5.1(4)); the same person signs the application.
        from app.confirmation.package.parties import creditor_agent

        agent = creditor_agent(package_agreement(package))
        if agent is not None and agent.id != actor.id:
            raise ConfirmationError("not_the_agent", detail=agent.name)
    return role


def package_agreement(package: ConfirmationPackage) -> Agreement:
    agreement = db.session.get(Agreement, package.agreement_id)
    assert agreement is not None
    return agreement


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
        audit_action="case:confirmation:code",
        object_type="confirmation_package",
        object_id=package.id,
        data={"number": package.number},
    )


def sign_package(
    actor: User, case: Case, package: ConfirmationPackage, given: SignatureInput
) -> PackageSignature:
    """The party re-authenticates and signs the package release they were shown
    (``given.version`` is the package number). Refused on a superseded package
    (``superseded``), a file that is not one of this package's revisions
    (``document_changed``), an unusable mark; re-authentication errors pass through as
    ``ReauthError``. The second party's signature makes the package ready to file."""
    role = _require_signer(actor, case, package, given.version)
    if given.seen_sha256 not in _revisions(package):
        raise ConfirmationError("document_changed")
    problem = mark_problem(given)
    if problem is not None:
        raise ConfirmationError(problem)
    reauth.check(actor, package_purpose(package), given.password, given.code)
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
    try:
        touch_case(case)
        signature, ready = _record(actor, case, package, role, given, signed_pdf, now)
    except Exception as err:
        db.session.rollback()
        if isinstance(err, StaleDataError) or "unique" in str(err).lower():
            raise ConfirmationConflict() from err
        raise
    _audit_signature(actor, case, package, signature, ready)
    if ready:
        notify_parties(case, "package_ready", roles=("debtor", "creditor", "mediator"))
    db.session.commit()
    return signature


def _reason(role: str, case: Case, package: ConfirmationPackage) -> str:
    return f"{ROLE_ZH[role]}签署司法确认申请材料（案件 {case.reference}，第{package.number}次提交）"


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
    sha = documents.store_pdf(
        signed_pdf,
        kind=DocumentKind.PACKAGE,
        case=case,
        version=package.number,
        stage=f"signed:{role}",
        agreement=db.session.get(Agreement, package.agreement_id),
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
    ready = package_signed_roles(package) >= set(PACKAGE_SIGNERS)
    if ready:
        package.status = PackageStatus.READY
    db.session.flush()
    return signature, ready


def _audit_signature(
    actor: User, case: Case, package: ConfirmationPackage, sig: PackageSignature, ready: bool
) -> None:
    audit.record(
        "case:confirmation:sign",
        actor=actor,
        object_type="confirmation_package",
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
            "case:confirmation:ready",
            actor=actor,
            object_type="confirmation_package",
            object_id=package.id,
            case_id=case.id,
            data={"number": package.number, "sha256": package.current_sha256},
        )
