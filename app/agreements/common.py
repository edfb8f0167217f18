"""What drafting and signing the agreement share: the refusals, the queries, whose
signature block a user fills, and the notices (BRIEF §2 journey 5)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import Role, User
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.negotiation import agreement_notice
from app.rules.claims import Finding

ROLES = ("debtor", "creditor", "mediator")


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


def notify(case: Case, event: str, *, roles: set[str]) -> None:
    """Tell the parties (and the mediator) through the outbox, under the contact rules."""
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: agreement_notice(event, org, ref, link, channel=channel),
        roles=roles,
    )
