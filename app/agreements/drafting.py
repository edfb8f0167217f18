"""Drafting the agreement (调解协议书; 人民调解法 Art. 29): the mediator makes a version from
the accepted proposal and the receiving account; the worker renders and certifies it
(:mod:`app.agreements.rendering`), the parties and the mediator sign it
(:mod:`app.agreements.signing`).

Versions: the terms of a version are frozen; any change is a new version, and every
signature given on an older one lapses (the old version is marked superseded). A
signature is accepted only on the current version and on a file of that version the
signer was shown.
"""

from __future__ import annotations

from typing import Any

from app import audit
from app.agreements.common import (
    AgreementBlocked,
    AgreementInvalid,
    AgreementRefused,
    DraftInput,
    accepted_proposal,
    current_agreement,
)
from app.agreements.content import build_draft, snapshot_terms
from app.audit import AuditAction
from app.cases.transitions import transition_case
from app.core import clock, jobs
from app.core.errors import InvalidInput
from app.core.transaction import claim, conflict_on, use_case
from app.documents.fonts import missing_glyphs
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import User
from app.rules import agreements as rules
from app.rules.cases import CaseEvent, CaseState
from app.rules.claims import Finding, Severity

# Two versions with the same number: two mediators drafted at the same moment.
conflict_on("uq_agreements_case_id")


@use_case
def draft_agreement(actor: User, case: Case, data: DraftInput) -> Agreement:
    """A new version from the accepted proposal plus the receiving account; the previous
    version (if any) is superseded and its signatures lapse. Refused before anything is
    written (:func:`_checked_snapshot`); rendering is queued for after the commit."""
    proposal, snapshot, previous, version = _checked_snapshot(case, data)
    claim(case)  # the case row first (lock order: the case, then the rest)
    if previous is not None and previous.status != AgreementStatus.SUPERSEDED:
        previous.status = AgreementStatus.SUPERSEDED
    agreement = Agreement(
        case_id=case.id,
        version=version,
        proposal_id=proposal.id,
        status=AgreementStatus.RENDERING,
        terms=snapshot,
        drafted_by_id=actor.id,
        render_attempts=1,
        render_requested_at=clock.now(),
    )
    db.session.add(agreement)
    transition_case(case, CaseEvent.ISSUE_AGREEMENT)
    db.session.flush()
    audit.record(
        AuditAction.CASE_AGREEMENT_DRAFT,
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
    jobs.enqueue("render_agreement_task", agreement.id)
    return agreement


def _checked_snapshot(
    case: Case, data: DraftInput
) -> tuple[Proposal, dict[str, Any], Agreement | None, int]:
    """The accepted proposal, the new version's terms snapshot, the version it replaces
    and its number. Refused at the wrong stage or without an accepted proposal
    (:class:`AgreementRefused`), for a receiving account the agreement cannot print
    (:class:`AgreementInvalid`), and (:class:`AgreementBlocked`, with the findings) when
    the terms could not make an unambiguous agreement (民诉法解释 Art. 358(5))."""
    if case.state not in (CaseState.AGREEMENT_DRAFTING, CaseState.SIGNING):
        raise AgreementRefused("wrong_state")
    proposal = accepted_proposal(case)
    if proposal is None:
        raise AgreementRefused("no_accepted_proposal")
    try:
        snapshot = snapshot_terms(case, proposal, data)
    except InvalidInput as err:  # the receiving account, refused by the rules
        raise AgreementInvalid(err.code, err.field) from None
    previous = current_agreement(case)
    version = rules.next_version(previous.version) if previous else rules.FIRST_VERSION
    draft = build_draft(case, snapshot, version, clock.today())
    blocking = [f for f in _findings(draft) if f.severity == Severity.BLOCK]
    if blocking:
        raise AgreementBlocked(findings=blocking)
    return proposal, snapshot, previous, version


def _findings(draft: rules.AgreementDraft) -> list[Finding]:
    return rules.validate_for_rendering(draft, missing_glyphs=missing_glyphs)


def drafting_warnings(case: Case, agreement: Agreement) -> list[Finding]:
    """What the mediator should know about a drafted version without it blocking: e.g. a
    name with a character our fonts lack (it prints in a fallback face, or as a box)."""
    drafted_on = clock.day_of(agreement.drafted_at)
    draft = build_draft(case, agreement.terms, agreement.version, drafted_on)
    return [f for f in _findings(draft) if f.severity == Severity.WARN]
