"""The agreement (调解协议书, BRIEF §2 journey 5, §3, §6): drafted by the mediator from the
accepted proposal, rendered and certified by the worker, signed by each party and last by
the mediator with the organisation's seal, at which moment it takes effect.

Versions: the terms of a version are frozen; any change is a new version, and every
signature given on an older one lapses (the old version is marked superseded). A
signature is accepted only on the current version and on a file of that version the
signer was shown.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from app import audit

# The whole agreement API in one place for its callers (pages, demo, tests).
from app.agreements.common import (  # noqa: F401
    ROLES,
    AgreementConflict,
    AgreementError,
    DraftInput,
    accepted_proposal,
    agreements_of,
    current_agreement,
    notify,
    record_download,
    role_on,
)
from app.agreements.content import agreement_context, build_draft, snapshot_terms
from app.agreements.signing import (  # noqa: F401
    may_sign,
    revisions_of,
    send_signing_code,
    sign_agreement,
    signed_roles,
    signing_purpose,
)
from app.cases.lifecycle import CaseRuleError, transition_case
from app.core import clock
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus, DocumentKind
from app.models.cases import Case
from app.models.users import User
from app.rules import agreements as rules
from app.rules.cases import CaseEvent, CaseState
from app.rules.claims import Finding, Severity
from app.rules.errors import InvalidInput
from app.signing.flow import SignatureInput  # noqa: F401

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
    draft = build_draft(case, snapshot, version, clock.today())
    blocking = [f for f in _findings(draft) if f.severity == Severity.BLOCK]
    if blocking:
        raise AgreementError("invalid", blocking)
    try:
        case.last_activity_at = clock.now()
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
    # TRANSITION (until drafting is a use case): straight after the commit.
    from app.agreements.tasks import render_agreement_task

    render_agreement_task(agreement.id)
    return agreement


def _findings(draft: rules.AgreementDraft) -> list[Finding]:
    from app.documents.fonts import missing_glyphs

    return rules.validate_for_rendering(draft, missing_glyphs=missing_glyphs)


def drafting_warnings(case: Case, agreement: Agreement) -> list[Finding]:
    """What the mediator should know about a drafted version without it blocking: e.g. a
    name with a character our fonts lack (it prints in a fallback face, or as a box)."""
    drafted_on = clock.day_of(agreement.drafted_at)
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
    notify(case, event, roles=set(ROLES) - {"mediator"})
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()  # superseded while rendering: the new version wins
