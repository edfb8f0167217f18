"""Case use cases: draft, submit, assign, accept or decline, reassign, conflicts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app import audit
from app.cases.intake import ParsedCase, claim_total
from app.core import clock
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case, LprRate, MediatorConflict
from app.models.users import Role, User
from app.rules.cases import OPEN_STATES, CaseEvent, CaseState, InvalidTransition, next_state
from app.rules.claims import ClaimFacts, Finding, LenderKind, LprFixing, Severity, check_claim
from app.rules.identity import mask_id

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


class CaseRuleError(Exception):
    """A use case refused by a business rule; ``code`` names it for the message."""

    def __init__(self, code: str, findings: list[Finding] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.findings = findings or []


def today() -> date:
    """Today on the legal clock (Asia/Shanghai)."""
    return clock.today()


def _apply(case: Case, values: Mapping[str, Any]) -> None:
    for name in EDITABLE:
        setattr(case, name, values.get(name))
    case.debtor_id_type = values.get("debtor_id_type") or "resident_id"
    case.debtor_id_masked = mask_id(case.debtor_id_number or "")
    case.claim_total = claim_total(values)
    case.last_activity_at = clock.now()


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
        "case:create" if creating else "case:draft:update",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={
            "claim_total": case.claim_total,
            "fields": sorted(k for k, v in parsed.values.items() if v is not None),
        },
    )
    db.session.commit()
    return case


def lpr_history() -> list[LprFixing]:
    rows = db.session.scalars(select(LprRate).order_by(LprRate.effective))
    return [LprFixing(r.effective, r.rate) for r in rows]


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
    """BRIEF §4 checks of the claim as it stands (empty while the draft is incomplete)."""
    facts = claim_facts(case)
    return [] if facts is None else check_claim(facts, today(), lpr_history())


def submit_case(actor: User, case: Case) -> list[Finding]:
    """Lock the claim and send it to a mediator. Refused while any finding blocks it
    (BRIEF §4: a claim above the legal cap cannot go to mediation as it stands)."""
    findings = claim_findings(case)
    blocking = [f for f in findings if f.severity == Severity.BLOCK]
    if blocking:
        raise CaseRuleError("claim_blocked", blocking)
    transition_case(case, CaseEvent.SUBMIT)
    case.submitted_at = clock.now()
    mediator = pick_mediator(case)
    case.mediator_id = mediator.id if mediator else None
    audit.record(
        "case:submit",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={
            "claim_total": case.claim_total,
            "findings": [f.code for f in findings],
            "assigned_to": case.mediator_id,
        },
    )
    db.session.commit()
    return findings


def transition_case(case: Case, event: CaseEvent) -> None:
    try:
        case.state = next_state(case.state, event)
    except InvalidTransition:
        raise CaseRuleError("wrong_state") from None
    case.last_activity_at = clock.now()


def pick_mediator(case: Case, exclude: frozenset[int] = frozenset()) -> User | None:
    """The organisation's mediator with the fewest open cases, skipping anyone with a
    declared conflict with this creditor, anyone who declined this case, locked accounts."""
    declined = set(
        db.session.scalars(
            select(AuditEvent.actor_id).where(
                AuditEvent.case_id == case.id, AuditEvent.action == "case:decline"
            )
        )
    )
    conflicted = select(MediatorConflict.mediator_id).where(
        MediatorConflict.creditor_org_id == case.creditor_org_id
    )
    load = (
        select(func.count(Case.id))
        .where(Case.mediator_id == User.id, Case.state.in_(list(OPEN_STATES)))
        .correlate(User)
        .scalar_subquery()
    )
    stmt = (
        select(User)
        .where(
            User.role == Role.MEDIATOR,
            User.mediation_org_id == case.mediation_org_id,
            User.is_locked.is_(False),
            User.id.not_in(conflicted),
            User.id.not_in(declined | set(exclude) or {-1}),
        )
        .order_by(load, User.id)
        .limit(1)
    )
    return db.session.scalar(stmt)


def accept_case(mediator: User, case: Case, now: datetime | None = None) -> str:
    """The assigned mediator takes the case; the debtor is invited. Returns the invitation
    token (only ever known in this request: the database keeps its hash)."""
    from app.cases.invitations import create_invitation

    transition_case(case, CaseEvent.ACCEPT)
    case.accepted_at = clock.now()
    audit.record(
        "case:accept", actor=mediator, object_type="case", object_id=case.id, case_id=case.id
    )
    token = create_invitation(case, now)
    db.session.commit()
    return token


def decline_case(mediator: User, case: Case, reason: str) -> User | None:
    """The mediator declines with a reason; the case goes to the next mediator by load."""
    if not reason.strip():
        raise CaseRuleError("reason_required")
    transition_case(case, CaseEvent.DECLINE)
    audit.record(
        "case:decline",
        actor=mediator,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"reason": reason.strip()},
    )
    db.session.flush()
    successor = pick_mediator(case, exclude=frozenset({mediator.id}))
    case.mediator_id = successor.id if successor else None
    db.session.commit()
    return successor


def reassign_case(admin: User, case: Case, mediator: User) -> None:
    """The admin hands the case to another mediator of the same organisation."""
    if mediator.role != Role.MEDIATOR or mediator.mediation_org_id != case.mediation_org_id:
        raise CaseRuleError("not_a_mediator_here")
    if mediator.is_locked:
        raise CaseRuleError("mediator_locked")
    conflict = db.session.scalar(
        select(MediatorConflict.id).where(
            MediatorConflict.mediator_id == mediator.id,
            MediatorConflict.creditor_org_id == case.creditor_org_id,
        )
    )
    if conflict:
        raise CaseRuleError("mediator_conflicted")
    transition_case(case, CaseEvent.REASSIGN)
    previous = case.mediator_id
    case.mediator_id = mediator.id
    audit.record(
        "case:reassign",
        actor=admin,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"from": previous, "to": mediator.id},
    )
    db.session.commit()


def declare_conflict(mediator: User, creditor_org_id: int, reason: str) -> None:
    """A mediator declares a conflict of interest with a creditor (人民调解法 Art. 15)."""
    if not reason.strip():
        raise CaseRuleError("reason_required")
    exists = db.session.scalar(
        select(MediatorConflict.id).where(
            MediatorConflict.mediator_id == mediator.id,
            MediatorConflict.creditor_org_id == creditor_org_id,
        )
    )
    if exists:
        return
    conflict = MediatorConflict(
        mediator_id=mediator.id, creditor_org_id=creditor_org_id, reason=reason.strip()
    )
    db.session.add(conflict)
    db.session.flush()
    audit.record(
        "mediator:conflict:declare",
        actor=mediator,
        object_type="mediator_conflict",
        object_id=conflict.id,
        data={"creditor_org_id": creditor_org_id, "reason": reason.strip()},
    )
    db.session.commit()


def set_lpr(admin: User, effective: date, rate: Decimal) -> None:
    """Record (or correct) a one-year LPR fixing; the claim check reads this history."""
    if not Decimal("0") < rate < Decimal("20"):
        raise CaseRuleError("lpr_range")
    row = db.session.scalar(select(LprRate).where(LprRate.effective == effective))
    before = row.rate if row else None
    if row is None:
        row = LprRate(effective=effective, rate=rate)
        db.session.add(row)
    else:
        row.rate = rate
    db.session.flush()
    audit.record(
        "lpr:set",
        actor=admin,
        object_type="lpr_rate",
        object_id=row.id,
        data={"effective": effective.isoformat(), "rate": rate, "before": before},
    )
    db.session.commit()
