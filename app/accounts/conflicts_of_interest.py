"""A mediator's declared conflicts of interest: no case of such a creditor is assigned to
them (人民调解法 Art. 15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app import audit
from app.accounts.errors import AccountInvalid
from app.audit import AuditAction
from app.core.transaction import conflict_on, use_case
from app.extensions import db
from app.models.cases import MediatorConflict
from app.models.organisations import CreditorOrganisation
from app.models.users import User

MAX_REASON = 300

# The same declaration sent twice at the same moment (``migrations/versions/0002_cases.py``).
conflict_on("uq_mediator_conflicts_mediator_id", "changed_meanwhile")


def declared_conflicts(mediator: User) -> list[tuple[str, str, datetime]]:
    """The creditor's name, the reason and the time of each of the mediator's declarations."""
    rows = db.session.execute(
        select(CreditorOrganisation.name, MediatorConflict.reason, MediatorConflict.declared_at)
        .join(MediatorConflict, MediatorConflict.creditor_org_id == CreditorOrganisation.id)
        .where(MediatorConflict.mediator_id == mediator.id)
    )
    return [(name, reason, at) for name, reason, at in rows]


def creditors() -> list[CreditorOrganisation]:
    """The creditors a mediator may declare a conflict with, by name."""
    return list(
        db.session.scalars(select(CreditorOrganisation).order_by(CreditorOrganisation.name))
    )


@use_case
def declare_conflict(mediator: User, creditor_org_id: int | None, reason: str) -> str:
    """Record that ``mediator`` has a conflict of interest with the creditor (once: a
    second declaration changes nothing); returns the creditor's name."""
    creditor = db.session.get(CreditorOrganisation, creditor_org_id) if creditor_org_id else None
    reason = reason.strip()
    if creditor is None or not reason:
        raise AccountInvalid("conflict_incomplete", "reason" if creditor else "creditor_org_id")
    if len(reason) > MAX_REASON:
        raise AccountInvalid("too_long", "reason")
    exists = db.session.scalar(
        select(MediatorConflict.id).where(
            MediatorConflict.mediator_id == mediator.id,
            MediatorConflict.creditor_org_id == creditor.id,
        )
    )
    if exists:
        return creditor.name
    conflict = MediatorConflict(mediator_id=mediator.id, creditor_org_id=creditor.id, reason=reason)
    db.session.add(conflict)
    db.session.flush()
    audit.record(
        AuditAction.MEDIATOR_CONFLICT_DECLARE,
        actor=mediator,
        object_type="mediator_conflict",
        object_id=conflict.id,
        data={"creditor_org_id": creditor.id, "reason": reason},
    )
    return creditor.name
