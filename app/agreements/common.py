"""What drafting and signing the agreement share: the refusals, the queries, whose
signature block a user fills, and the notices."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.core.errors import Blocked, InvalidInput, Refused
from app.core.transaction import use_case
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import Role, User
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.negotiation import agreement_notice

ROLES = ("debtor", "creditor", "mediator")


class AgreementRefused(Refused):
    """The case or the agreement's version does not allow this now."""

    messages = {
        "wrong_state": _l("The agreement cannot be drafted at this stage of the case."),
        "no_accepted_proposal": _l("No proposal has been accepted yet."),
        "superseded": _l("This version was replaced by a newer one. Review the new version."),
        "not_signable": _l("This version is not open for signing."),
        "not_failed": _l("This version is not waiting for another try."),
        "not_a_signer": _l("You do not sign this agreement."),
        "already_signed": _l("You have already signed this version."),
        "parties_first": _l("The mediator signs after both parties."),
        "document_changed": _l(
            "The document changed since you opened it. Review it again before signing."
        ),
    }


class AgreementInvalid(InvalidInput):
    """A receiving account the agreement cannot print; ``field`` names the input. The
    drafting form is shown again (422)."""

    status = 422
    messages = {
        "account_name": _l("Enter the account holder's name."),
        "account_bank": _l("Enter the bank and branch."),
        "account_number": _l("An account number has 8 to 32 digits (spaces allowed)."),
    }


class AgreementBlocked(Blocked):
    """The terms cannot make an unambiguous agreement (民诉法解释 Art. 358(5)); the blocking
    findings travel with the refusal."""

    default_code = "invalid"
    messages = {"invalid": _l("The terms cannot make an unambiguous agreement; see below.")}


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


def extra_signers(case: Case) -> frozenset[str]:
    """The signature blocks of the additional parties (guarantors, co-borrowers): each must
    sign before the mediator, and the agreement is in force only with all of them
    (:mod:`app.rules.agreement_signing`)."""
    return frozenset(p.signer_role for p in case.extra_parties)


def role_on(user: User, case: Case) -> str | None:
    """Which signature block is this user's: the debtor, an additional party's own
    (``party-<id>``), the creditor (any of its staff, signing for the organisation) or the
    case's mediator."""
    if user.role == Role.DEBTOR and case.debtor_user_id == user.id:
        return "debtor"
    if user.role == Role.DEBTOR:
        for party in case.extra_parties:
            if party.user_id == user.id:
                return party.signer_role  # a guarantor or co-borrower: their own block
    if user.role == Role.CREDITOR and user.creditor_org_id == case.creditor_org_id:
        return "creditor"
    if user.role == Role.MEDIATOR and case.mediator_id == user.id:
        return "mediator"
    return None


@use_case
def record_download(actor: User, case: Case, agreement: Agreement, sha256: str) -> None:
    """Every download of the agreement is in the audit log."""
    audit.record(
        AuditAction.CASE_AGREEMENT_DOWNLOAD,
        actor=actor,
        object_type="agreement",
        object_id=agreement.id,
        case_id=case.id,
        data={"version": agreement.version, "sha256": sha256},
    )


def notify(case: Case, event: str, *, roles: set[str]) -> None:
    """Tell the parties (and the mediator) through the outbox, under the contact rules."""
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: agreement_notice(event, org, ref, link, channel=channel),
        roles=roles,
    )
