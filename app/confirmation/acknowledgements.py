"""The confirmability pre-checks of a case and the mediator's acknowledgement of their
warnings (民诉法解释 Arts. 354, 355, 358; the rules are :mod:`app.rules.confirmability`).

A block stops the release until it is fixed; a warning needs the mediator's recorded
acknowledgement. Acknowledgements live in the audit log: each
``case:confirmation:acknowledge`` event holds the warning codes; a release reads those
recorded since the last release, remediation or agreement taking effect, so an
acknowledgement never outlives the situation it was for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.confirmation.common import require_mediator
from app.confirmation.errors import ConfirmationInvalid, ConfirmationRefused
from app.confirmation.facts import facts_for
from app.core import clock
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.claims import Finding, Severity
from app.rules.confirmability import check_confirmability

# After any of these, earlier acknowledgements no longer count.
ACKNOWLEDGEMENT_RESETS = (
    AuditAction.CASE_CONFIRMATION_RELEASE,
    AuditAction.CASE_CONFIRMATION_REMEDIATE,
    AuditAction.CASE_AGREEMENT_IN_FORCE,
)


def run_checks(case: Case, court: str | None) -> list[Finding]:
    """The confirmability pre-checks for this case addressed to ``court``, blocks first."""
    return check_confirmability(facts_for(case, court))


def events_since_reset(case: Case, action: AuditAction) -> list[AuditEvent]:
    """This case's ``action`` events since the last release, remediation or agreement
    taking effect (:data:`ACKNOWLEDGEMENT_RESETS`), oldest first."""
    reset = db.session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.case_id == case.id, AuditEvent.action.in_(ACKNOWLEDGEMENT_RESETS))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.case_id == case.id,
                AuditEvent.action == action,
                AuditEvent.id > (reset or 0),
            )
            .order_by(AuditEvent.id)
        )
    )


def pending_acknowledgements(case: Case) -> list[dict[str, Any]]:
    """The warnings the mediator acknowledged since the last release, remediation or
    agreement taking effect: ``{"code", "by", "at"}``, one per code (the latest)."""
    latest: dict[str, dict[str, Any]] = {}
    for event in events_since_reset(case, AuditAction.CASE_CONFIRMATION_ACKNOWLEDGE):
        for code in event.data.get("codes", []):
            at = event.occurred_at.astimezone(UTC).isoformat()
            latest[code] = {"code": code, "by": event.actor_id, "at": at}
    return list(latest.values())


@use_case
def acknowledge(mediator: User, case: Case, codes: Iterable[str]) -> list[str]:
    """The mediator acknowledges warnings they have read; the acknowledgement is recorded.
    Only codes of warnings the checks find now are accepted (``not_a_warning``, detail =
    the code); a block cannot be waved away."""
    require_mediator(mediator, case)
    if case.state != CaseState.IN_FORCE:
        raise ConfirmationRefused("wrong_state")
    wanted = sorted({code.strip() for code in codes if code.strip()})
    if not wanted:
        raise ConfirmationInvalid("nothing_to_acknowledge", "code")
    warnings = {f.code for f in run_checks(case, None) if f.severity is Severity.WARN}
    for code in wanted:
        if code not in warnings:
            raise ConfirmationRefused("not_a_warning", "code", detail=code)
    claim(case)
    case.last_activity_at = clock.now()
    audit.record(
        AuditAction.CASE_CONFIRMATION_ACKNOWLEDGE,
        actor=mediator,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"codes": wanted},
    )
    return wanted
