"""Read models for home pages: what a person did recently, who works with them."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case, CaseParty
from app.models.organisations import CreditorOrganisation
from app.models.users import Role, User


def recent_activity(user: User, limit: int = 10) -> list[AuditEvent]:
    """The person's own latest actions, newest first (from the audit log)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == user.id)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )


def colleagues(user: User) -> list[User]:
    """People of the same organisation, the user excluded."""
    if user.role == Role.CREDITOR:
        where = User.creditor_org_id == user.creditor_org_id
    elif user.role in (Role.MEDIATOR, Role.ADMIN):
        where = User.mediation_org_id == user.mediation_org_id
    else:
        return []
    return list(
        db.session.scalars(select(User).where(where, User.id != user.id).order_by(User.name))
    )


def cases_of(user: User, limit: int = 20) -> list[Case]:
    """The cases on a creditor's or debtor's home page, most recently active first."""
    if user.role == Role.CREDITOR:
        where = Case.creditor_org_id == user.creditor_org_id
    elif user.role == Role.DEBTOR:
        # Their own cases, and those they guarantee or co-borrow in (app.cases.parties).
        where = or_(
            Case.debtor_user_id == user.id,
            Case.id.in_(select(CaseParty.case_id).where(CaseParty.user_id == user.id)),
        )
    else:
        return []
    stmt = (
        select(Case)
        .options(joinedload(Case.creditor_org))
        .where(where)
        .order_by(Case.last_activity_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def is_party_only(user: User) -> bool:
    """A guarantor or co-borrower on some case (app.cases.parties) and nobody's debtor."""
    if user.role != Role.DEBTOR:
        return False
    own = select(Case.id).where(Case.debtor_user_id == user.id).limit(1)
    party = select(CaseParty.id).where(CaseParty.user_id == user.id).limit(1)
    return db.session.scalar(party) is not None and db.session.scalar(own) is None


def mediation_staff(org_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.mediation_org_id == org_id).order_by(User.role, User.name)
        )
    )


def creditor_orgs_with_users() -> list[tuple[CreditorOrganisation, list[User]]]:
    orgs = db.session.scalars(
        select(CreditorOrganisation).order_by(CreditorOrganisation.name)
    ).all()
    users = db.session.scalars(
        select(User).where(User.role == Role.CREDITOR).order_by(User.name)
    ).all()
    by_org: dict[int, list[User]] = {}
    for u in users:
        by_org.setdefault(u.creditor_org_id or 0, []).append(u)
    return [(o, by_org.get(o.id, [])) for o in orgs]
