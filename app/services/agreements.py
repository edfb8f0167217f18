"""The agreement (调解协议书, BRIEF §2 journey 5, §3, §6): drafted by the mediator from the
accepted proposal, rendered and certified by the worker, signed by each party and last by
the mediator with the organisation's seal, at which moment it takes effect.

Versions: the terms of a version are frozen; any change is a new version, and every
signature given on an older one lapses (the old version is marked superseded). A
signature is accepted only on the current version and on a file of that version the
signer was shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.domain import agreements as rules
from app.domain.cases import CaseEvent, CaseState
from app.domain.claims import Finding, Severity
from app.domain.identity import InvalidInput
from app.extensions import db
from app.models.agreements import (
    Agreement,
    AgreementSignature,
    AgreementStatus,
    DocumentKind,
)
from app.models.cases import LEGAL_TZ, Case
from app.models.negotiation import Proposal
from app.models.notifications import Channel
from app.models.types import utcnow
from app.models.users import Role, User
from app.notifications.negotiation_messages import agreement_notice
from app.services import documents, reauth
from app.services.agreement_content import agreement_context, build_draft, snapshot_terms
from app.services.cases import CaseRuleError, transition_case
from app.services.signing_flow import (
    ROLE_ZH,
    SignatureInput,
    apply_signature,
    case_link,
    mark_problem,
    notify_case,
    revisions,
)

ROLES = ("debtor", "creditor", "mediator")
MAX_DRAWN_PNG = 200 * 1024


class AgreementError(Exception):
    """Refused; ``code`` says why, ``findings`` what blocks the draft."""

    def __init__(self, code: str, findings: list[Finding] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.findings = findings or []


class AgreementConflict(Exception):
    """Somebody else changed the agreement at the same moment: nothing was saved."""


@dataclass(frozen=True)
class DraftInput:
    account_name: str
    bank: str
    account_number: str


def agreements_of(case: Case) -> list[Agreement]:
    return list(
        db.session.scalars(
            select(Agreement).where(Agreement.case_id == case.id).order_by(Agreement.version)
        )
    )


def current_agreement(case: Case) -> Agreement | None:
    return db.session.scalar(
        select(Agreement)
        .where(Agreement.case_id == case.id)
        .order_by(Agreement.version.desc())
        .limit(1)
    )


def accepted_proposal(case: Case) -> Proposal | None:
    return db.session.scalar(
        select(Proposal).where(Proposal.case_id == case.id, Proposal.state == "accepted")
    )


def role_on(user: User, case: Case) -> str | None:
    """Which signature block is this user's: the debtor, the creditor (any of its staff,
    signing for the organisation) or the case's mediator."""
    if user.role == Role.DEBTOR and case.debtor_user_id == user.id:
        return "debtor"
    if user.role == Role.CREDITOR and user.creditor_org_id == case.creditor_org_id:
        return "creditor"
    if user.role == Role.MEDIATOR and case.mediator_id == user.id:
        return "mediator"
    return None


# --- drafting ---------------------------------------------------------------------------


def draft_agreement(actor: User, case: Case, data: DraftInput) -> Agreement:
    """A new version from the accepted proposal plus the receiving account; the previous
    version (if any) is superseded and its signatures lapse. Refused (code ``invalid``
    with the findings) before anything is written when the terms could not make an
    unambiguous agreement (民诉法解释 Art. 358(5)); rendering is queued after the commit."""
    if case.state not in (CaseState.AGREEMENT_DRAFTING, CaseState.SIGNING):
        raise AgreementError("wrong_state")
    proposal = accepted_proposal(case)
    if proposal is None:
        raise AgreementError("no_accepted_proposal")
    try:
        snapshot = snapshot_terms(case, proposal, data)
    except InvalidInput as err:
        raise AgreementError(err.code) from None
    previous = current_agreement(case)
    version = rules.next_version(previous.version) if previous else rules.FIRST_VERSION
    draft = build_draft(case, snapshot, version, utcnow().astimezone(LEGAL_TZ).date())
    blocking = [f for f in _findings(draft) if f.severity == Severity.BLOCK]
    if blocking:
        raise AgreementError("invalid", blocking)
    try:
        case.last_activity_at = utcnow()
        db.session.flush()  # hold the case row first (lock order: case, then the rest)
        if previous is not None and previous.status != AgreementStatus.SUPERSEDED:
            previous.status = AgreementStatus.SUPERSEDED
        agreement = Agreement(
            case_id=case.id,
            version=version,
            proposal_id=proposal.id,
            status=AgreementStatus.RENDERING,
            terms=snapshot,
            drafted_by_id=actor.id,
        )
        db.session.add(agreement)
        transition_case(case, CaseEvent.ISSUE_AGREEMENT)
        db.session.flush()
    except (StaleDataError, CaseRuleError) as err:
        db.session.rollback()
        raise AgreementConflict() from err
    audit.record(
        "case:agreement:draft",
        actor=actor,
        object_type="agreement",
        object_id=agreement.id,
        case_id=case.id,
        data={
            "version": agreement.version,
            "proposal": proposal.id,
            "supersedes": previous.version if previous else None,
        },
    )
    db.session.commit()
    from app.queue import render_agreement_task

    render_agreement_task(agreement.id)
    return agreement


def _findings(draft: rules.AgreementDraft) -> list[Finding]:
    from app.documents.fonts import missing_glyphs

    return rules.validate_for_rendering(draft, missing_glyphs=missing_glyphs)


def drafting_warnings(case: Case, agreement: Agreement) -> list[Finding]:
    """What the mediator should know about a drafted version without it blocking: e.g. a
    name with a character our fonts lack (it prints in a fallback face, or as a box)."""
    drafted_on = agreement.drafted_at.astimezone(LEGAL_TZ).date()
    draft = build_draft(case, agreement.terms, agreement.version, drafted_on)
    return [f for f in _findings(draft) if f.severity == Severity.WARN]


def render_agreement(agreement_id: int) -> None:
    """Worker: render the version, certify it with the organisation's key (creating the
    three signature fields), store it and open it for signing. A version superseded in
    the meantime is left alone."""
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or agreement.status != AgreementStatus.RENDERING:
        return
    case = db.session.get(Case, agreement.case_id)
    assert case is not None
    from app.documents.render import render_pdf
    from app.documents.signing import FieldSpec, certify

    try:
        rendered = render_pdf("agreement.html", agreement_context(case, agreement))
        fields = [
            FieldSpec(name=f"sig-{role}", page=a.page, box=(a.x1, a.y1, a.x2, a.y2))
            for role in ROLES
            if (a := rendered.anchors.get(f"sig-{role}")) is not None
        ]
        data = certify(
            rendered.data,
            signer=documents.organisation_signer(),
            fields=fields,
            title=f"调解协议书 {case.reference} 第{agreement.version}版",
            timestamper=documents.timestamper(),
        )
    except Exception as err:  # noqa: BLE001 - any failure is shown to the mediator
        current_app.logger.exception("agreement %s failed to render", agreement_id)
        agreement.status = AgreementStatus.FAILED
        agreement.render_error = type(err).__name__
        db.session.commit()
        return
    sha = documents.store_pdf(
        data,
        kind=DocumentKind.AGREEMENT,
        case=case,
        version=agreement.version,
        stage="certified",
        agreement=agreement,
    )
    agreement.base_sha256 = agreement.current_sha256 = sha
    agreement.status = AgreementStatus.SIGNING
    audit.record(
        "case:agreement:render",
        actor=None,
        object_type="agreement",
        object_id=agreement.id,
        case_id=case.id,
        data={"version": agreement.version, "sha256": sha, "bytes": len(data)},
    )
    event = "agreement_ready" if agreement.version == 1 else "agreement_revised"
    _notify(case, event, roles=set(ROLES) - {"mediator"})
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()  # superseded while rendering: the new version wins


# --- signing ----------------------------------------------------------------------------


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
    sent = reauth.send_code(actor, case, signing_purpose(agreement), channel)
    audit.record(
        "case:agreement:code",
        actor=actor,
        object_type="agreement",
        object_id=agreement.id,
        case_id=case.id,
        data={"version": agreement.version, "channel": sent.value},
    )
    db.session.commit()
    return sent


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
    now = utcnow()
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
        _notify(case, "agreement_in_force", roles=set(ROLES))
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
        from app.services.confirmation import on_agreement_in_force

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


# --- reading ----------------------------------------------------------------------------


def record_download(actor: User, case: Case, agreement: Agreement, sha256: str) -> None:
    """Every download of the agreement is in the audit log."""
    audit.record(
        "case:agreement:download",
        actor=actor,
        object_type="agreement",
        object_id=agreement.id,
        case_id=case.id,
        data={"version": agreement.version, "sha256": sha256},
    )
    db.session.commit()


def _notify(case: Case, event: str, *, roles: set[str]) -> None:
    """Tell the parties (and the mediator) through the outbox, under the contact rules."""
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: agreement_notice(event, org, ref, link, channel=channel),
        roles=roles,
    )
