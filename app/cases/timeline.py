"""A case's timeline, read from its audit chain; each role sees what it may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.audit import AuditAction
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.users import Role, User

# Internal to the mediation organisation: who declined, who was reassigned, conflicts.
STAFF_ONLY = frozenset(
    {
        AuditAction.CASE_DECLINE,
        AuditAction.CASE_REASSIGN,
        AuditAction.INVITATION_REVOKE,
        AuditAction.CASE_CONFIRMATION_ACKNOWLEDGE,
        AuditAction.CASE_PACKAGE_FAIL,
        AuditAction.CASE_CONTACT_REVEAL,
    }
)
# The debtor's statement and consents: whether a statement exists is itself the debtor's
# business until they share it (the shared figures are shown in their own panel).
DEBTOR_PRIVATE = frozenset(
    {
        AuditAction.CASE_STATEMENT_SUBMIT,
        AuditAction.CASE_CONSENT_GIVE,
        AuditAction.CASE_CONSENT_WITHDRAW,
    }
)
# The creditor's own preparation, which the debtor has no part in.
CREDITOR_ONLY = frozenset({AuditAction.CASE_CREATE, AuditAction.CASE_DRAFT_UPDATE})
# Downloads and sign-ins are in the log but are not events of the case's story.
NOT_IN_STORY: frozenset[str] = frozenset(
    {
        AuditAction.CASE_EVIDENCE_DOWNLOAD,
        AuditAction.CONTACT_SENT,
        AuditAction.CASE_MESSAGE_POST,
        AuditAction.CASE_AGREEMENT_DOWNLOAD,
        AuditAction.CASE_AGREEMENT_CODE,
        AuditAction.CASE_CONFIRMATION_CODE,
        AuditAction.CASE_CONFIRMATION_REMINDER,
        AuditAction.CASE_PACKAGE_DOWNLOAD,
        # Sessions have their own section and history; a caucus must not show up on the
        # other side's timeline (人民调解法 Art. 15(4)).
        AuditAction.CASE_SESSION_SCHEDULE,
        AuditAction.CASE_SESSION_RESCHEDULE,
        AuditAction.CASE_SESSION_CANCEL,
        AuditAction.CASE_SESSION_RESPOND,
        AuditAction.CASE_SESSION_HELD,
        AuditAction.CASE_SESSION_REMINDER,
    }
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    actor_role: str | None


def _hidden_for(viewer: User) -> frozenset[str]:
    hidden = NOT_IN_STORY
    if viewer.role in (Role.CREDITOR, Role.DEBTOR):
        hidden |= STAFF_ONLY
    if viewer.role == Role.DEBTOR:
        hidden |= CREDITOR_ONLY
    if viewer.role == Role.CREDITOR:
        hidden |= DEBTOR_PRIVATE
    return hidden


def timeline_for(case: Case, viewer: User) -> list[TimelineEntry]:
    events = db.session.execute(
        select(AuditEvent.occurred_at, AuditEvent.action, AuditEvent.actor_label)
        .where(AuditEvent.case_id == case.id, AuditEvent.action.not_in(_hidden_for(viewer)))
        .order_by(AuditEvent.id)
    )
    return [
        TimelineEntry(at, action, label.split(":", 1)[0] if label != "system" else None)
        for at, action, label in events
    ]
