"""What the case pages show, read for one viewer (presentation only, nothing written)."""

from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import select

from app.access import Permission, can
from app.extensions import db
from app.models.cases import Case
from app.models.organisations import MediationOrganisation
from app.models.users import Role, User
from app.rules.cases import CaseState
from app.rules.claims import Finding


def finding_view(finding: Finding) -> dict[str, str]:
    """A finding of the claim check in the reader's language."""
    english = str(get_locale()) == "en"
    return {
        "severity": finding.severity.value,
        "message": finding.message_en if english else finding.message_zh,
        "source": finding.source,
        "code": finding.code,
    }


def case_actions(case: Case, viewer: User) -> dict[str, bool]:
    """What the viewer may do, and see, on the case page."""
    return {
        "edit": can(viewer, Permission.CASE_EDIT, case),
        "submit": can(viewer, Permission.CASE_SUBMIT, case),
        "upload": can(viewer, Permission.EVIDENCE_UPLOAD, case),
        "accept": can(viewer, Permission.CASE_ACCEPT, case),
        "reassign": can(viewer, Permission.CASE_REASSIGN, case),
        "see_findings": viewer.role != Role.DEBTOR,
        "see_hashes": viewer.role != Role.DEBTOR,
        "debtor_guide": viewer.role == Role.DEBTOR and case.state == CaseState.NEGOTIATING,
    }


def mediators_for(case: Case) -> list[User]:
    """The unlocked mediators of the case's organisation (to reassign it to)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.MEDIATOR,
                User.mediation_org_id == case.mediation_org_id,
                User.is_locked.is_(False),
            )
            .order_by(User.name)
        )
    )


def mediation_orgs() -> list[MediationOrganisation]:
    """The mediation organisations a creditor may send a case to."""
    return list(
        db.session.scalars(select(MediationOrganisation).order_by(MediationOrganisation.id))
    )
