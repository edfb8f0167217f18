"""Case use cases: draft, submit, assign, accept or decline, reassign.

A mediator's declared conflicts of interest (which keep cases away from them) and the LPR
history are kept by :mod:`app.accounts`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app import audit
from app.accounts.lpr import lpr_history
from app.audit import AuditAction
from app.cases.assignment import choose_mediator
from app.cases.errors import CaseInputError, CaseRuleError, ClaimBlocked
from app.cases.intake import ACCOUNT_FIELDS, ParsedCase, claim_total
from app.cases.invitations import create_invitation
from app.cases.transitions import transition_case
from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case, MediatorConflict
from app.models.users import Role, User
from app.rules.cases import CaseEvent, CaseState
from app.rules.claims import ClaimFacts, Finding, LenderKind, Severity, check_claim
from app.rules.identity import mask_id

# Later stages use lpr_history, CaseRuleError and transition_case through this module.
__all__ = [
    "EDITABLE",
    "CaseRuleError",
    "ClaimBlocked",
    "accept_case",
    "claim_facts",
    "claim_findings",
    "decline_case",
    "lpr_history",
    "reassign_case",
    "save_draft",
    "submit_case",
    "today",
    "transition_case",
]

EDITABLE = (
    "debtor_name",
    "debtor_id_type",
    "debtor_id_number",
    "debtor_phone",
    "debtor_email",
    "debtor_address",
    "contract_number",
    "contract_date",
    "principal_lent",
    "annual_rate",
    "term_months",
    "outstanding_principal",
    "interest",
    "penalty",
    "fees",
    "overdue_since",
    "is_assignee",
    "original_lender",
    "assignment_date",
    "debtor_notified",
)


def today() -> date:
    """Today on the legal clock (the zone of ``Settings.timezone``, see :mod:`app.core.clock`)."""
    return clock.today()


def _apply(case: Case, values: Mapping[str, Any]) -> None:
    for name in (*EDITABLE, *ACCOUNT_FIELDS):
        setattr(case, name, values.get(name))
    case.debtor_id_type = values.get("debtor_id_type") or "resident_id"
    case.debtor_id_masked = mask_id(case.debtor_id_number or "")
    case.claim_total = claim_total(values)
    case.last_activity_at = clock.now()


@use_case
def save_draft(actor: User, parsed: ParsedCase, mediation_org_id: int, case: Case | None) -> Case:
    """Create or update a draft; the claim stays editable until submission."""
    if case is not None and case.state != CaseState.DRAFT:
        raise CaseRuleError("claim_locked")
    creating = case is None
    if case is None:
        assert actor.creditor_org is not None
        case = Case(
            creditor_org_id=actor.creditor_org_id,
            created_by_id=actor.id,
            lender_kind=actor.creditor_org.licence_type,
            mediation_org_id=mediation_org_id,
        )
        db.session.add(case)
    else:
        case.mediation_org_id = mediation_org_id
    _apply(case, parsed.values)
    db.session.flush()
    audit.record(
        AuditAction.CASE_CREATE if creating else AuditAction.CASE_DRAFT_UPDATE,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={
            "claim_total": case.claim_total,
            "fields": sorted(k for k, v in parsed.values.items() if v is not None),
        },
    )
    return case


def claim_facts(case: Case) -> ClaimFacts | None:
    """The claim as the domain checks it, or ``None`` while the draft is incomplete."""
    needed = (
        case.contract_date,
        case.principal_lent,
        case.annual_rate,
        case.term_months,
        case.outstanding_principal,
        case.interest,
        case.penalty,
        case.fees,
        case.overdue_since,
    )
    if any(v is None for v in needed):
        return None
    return ClaimFacts(
        lender=LenderKind(case.lender_kind.value),
        contract_date=case.contract_date,  # type: ignore[arg-type]
        principal_lent=case.principal_lent,  # type: ignore[arg-type]
        annual_rate=case.annual_rate,  # type: ignore[arg-type]
        term_months=case.term_months,  # type: ignore[arg-type]
        outstanding_principal=case.outstanding_principal,  # type: ignore[arg-type]
        interest=case.interest,  # type: ignore[arg-type]
        penalty=case.penalty,  # type: ignore[arg-type]
        fees=case.fees,  # type: ignore[arg-type]
        overdue_since=case.overdue_since,  # type: ignore[arg-type]
        is_assignee=case.is_assignee,
        assignment_date=case.assignment_date,
        debtor_notified=case.debtor_notified,
        last_demand_date=None,
    )


def claim_findings(case: Case) -> list[Finding]:
    """The checks of :mod:`app.rules.claims` on the claim as it stands (rate caps, LPR,
    limitation, assignment notice); empty while the draft is incomplete."""
    facts = claim_facts(case)
    return [] if facts is None else check_claim(facts, today(), lpr_history())


@use_case
def submit_case(actor: User, case: Case) -> list[Finding]:
    """Lock the claim and send it to a mediator. Refused while any finding blocks it: a
    claim above the legal cap cannot go to mediation as it stands (民间借贷规定 Arts. 25,
    28, 29; :mod:`app.rules.claims`)."""
    findings = claim_findings(case)
    blocking = [f for f in findings if f.severity == Severity.BLOCK]
    if blocking:
        # 400: the creditor's form is shown again with the findings, like its other refusals.
        raise ClaimBlocked(findings=blocking, status=400)
    transition_case(case, CaseEvent.SUBMIT)
    case.submitted_at = clock.now()
    chosen = choose_mediator(case)
    case.mediator_id = chosen.mediator.id if chosen.mediator else None
    audit.record(
        AuditAction.CASE_SUBMIT,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={
            "claim_total": case.claim_total,
            "findings": [f.code for f in findings],
            "assigned_to": case.mediator_id,
            "assignment": chosen.record(),
        },
    )
    return findings


@use_case
def accept_case(mediator: User, case: Case, now: datetime | None = None) -> str:
    """The assigned mediator takes the case; the debtor is invited. Returns the invitation
    token (only ever known in this request: the database keeps its hash)."""
    transition_case(case, CaseEvent.ACCEPT)
    case.accepted_at = clock.now()
    audit.record(
        AuditAction.CASE_ACCEPT,
        actor=mediator,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )
    return create_invitation(case, now)


@use_case
def decline_case(mediator: User, case: Case, reason: str) -> User | None:
    """The mediator declines with a reason; the case goes to the next mediator by load
    (:mod:`app.cases.assignment`; the event records who and why)."""
    if not reason.strip():
        raise CaseInputError("reason_required", "reason")
    transition_case(case, CaseEvent.DECLINE)
    chosen = choose_mediator(case, exclude=frozenset({mediator.id}))
    case.mediator_id = chosen.mediator.id if chosen.mediator else None
    audit.record(
        AuditAction.CASE_DECLINE,
        actor=mediator,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={
            "reason": reason.strip(),
            "assigned_to": case.mediator_id,
            "assignment": chosen.record(),
        },
    )
    return chosen.mediator


@use_case
def reassign_case(admin: User, case: Case, mediator: User | None) -> None:
    """The admin hands the case to another mediator of the same organisation (``None``:
    the one chosen does not exist)."""
    if (
        mediator is None
        or mediator.role != Role.MEDIATOR
        or mediator.mediation_org_id != case.mediation_org_id
    ):
        raise CaseRuleError("not_a_mediator_here", "mediator_id")
    if mediator.is_locked:
        raise CaseRuleError("mediator_locked", "mediator_id")
    conflict = db.session.scalar(
        select(MediatorConflict.id).where(
            MediatorConflict.mediator_id == mediator.id,
            MediatorConflict.creditor_org_id == case.creditor_org_id,
        )
    )
    if conflict:
        raise CaseRuleError("mediator_conflicted", "mediator_id")
    transition_case(case, CaseEvent.REASSIGN)
    previous = case.mediator_id
    case.mediator_id = mediator.id
    audit.record(
        AuditAction.CASE_REASSIGN,
        actor=admin,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"from": previous, "to": mediator.id},
    )
