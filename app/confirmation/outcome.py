"""After the package is signed: the mediator records the filing with the court (which stops
the 30-day clock of CPL Art. 205), the court's ruling (CPL Art. 206) and, after a
rejection, sends the case back to negotiation (人民调解法 Art. 33: the parties may change
the agreement or reach a new one)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from app import audit
from app.audit import AuditAction
from app.cases.transitions import transition_case
from app.confirmation.common import (
    PACKAGE_OBJECT,
    current_package,
    notify_parties,
    require_mediator,
)
from app.confirmation.errors import ConfirmationInvalid, ConfirmationRefused
from app.core import clock
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.confirmation import (
    ConfirmationPackage,
    DeadlineReminder,
    PackageStatus,
    Ruling,
)
from app.models.negotiation import Proposal
from app.models.users import User
from app.notifications.recipients import EXTRA_PARTIES
from app.rules.cases import CaseEvent, CaseState
from app.rules.proposals import ProposalState

MAX_COURT_CASE_NUMBER = 64
MAX_REASON = 2000
# The applicants: the debtor, the creditor and each guarantor or co-borrower who joined
# (they sign the application too, 民诉法解释 Art. 353).
PARTIES = ("debtor", "creditor", EXTRA_PARTIES)


@use_case
def record_filing(
    mediator: User, case: Case, filed_on: date, court_case_number: str
) -> ConfirmationPackage:
    """The joint application reached the court on ``filed_on`` under the court's case
    number (e.g. "(2026)京0105民特123号"). Only a signed package (``not_ready``); the date
    not in the future (``date_in_future``) nor before the release
    (``date_before_release``); the number 1–64 characters (``case_number_invalid``). The
    30-day clock stops: the case is filed."""
    require_mediator(mediator, case)
    if case.state != CaseState.IN_FORCE:
        raise ConfirmationRefused("wrong_state")
    package = current_package(case)
    if package is None or package.status != PackageStatus.READY:
        raise ConfirmationRefused("not_ready")
    number = " ".join(court_case_number.split())
    if not 1 <= len(number) <= MAX_COURT_CASE_NUMBER:
        raise ConfirmationInvalid("case_number_invalid", "court_case_number")
    if filed_on > clock.today():
        raise ConfirmationInvalid("date_in_future", "filed_on")
    if filed_on < clock.day_of(package.released_at):
        raise ConfirmationInvalid("date_before_release", "filed_on")
    late_after = case.next_deadline
    claim(case)
    package.filed_on = filed_on
    package.court_case_number = number
    transition_case(case, CaseEvent.FILE)
    case.next_deadline = None
    audit.record(
        AuditAction.CASE_CONFIRMATION_FILE,
        actor=mediator,
        object_type=PACKAGE_OBJECT,
        object_id=package.id,
        case_id=case.id,
        data={
            "number": package.number,
            "court": package.court_name,
            "filed_on": filed_on.isoformat(),
            "court_case_number": number,
            "after_deadline": late_after is not None and filed_on > late_after,
        },
    )
    notify_parties(case, "application_filed", roles=PARTIES)
    return package


@use_case
def record_ruling(
    mediator: User, case: Case, ruling: Ruling, ruling_on: date, reason: str | None
) -> ConfirmationPackage:
    """The court's ruling on the filed application: confirmed (the agreement becomes
    enforceable, CPL Art. 206) or rejected, with the court's reason (``reason_required``,
    ``reason_too_long``). The date is neither in the future (``date_in_future``) nor before
    the filing (``date_before_filing``)."""
    require_mediator(mediator, case)
    if case.state != CaseState.FILED:
        raise ConfirmationRefused("wrong_state")
    package = current_package(case)
    if package is None or package.filed_on is None:
        raise ConfirmationRefused("not_filed")
    text = (reason or "").strip()
    if ruling == Ruling.REJECTED and not text:
        raise ConfirmationInvalid("reason_required", "reason")
    if len(text) > MAX_REASON:
        raise ConfirmationInvalid("reason_too_long", "reason")
    if ruling_on > clock.today():
        raise ConfirmationInvalid("date_in_future", "ruling_on")
    if ruling_on < package.filed_on:
        raise ConfirmationInvalid("date_before_filing", "ruling_on")
    confirmed = ruling == Ruling.CONFIRMED
    claim(case)
    package.ruling = ruling
    package.ruling_on = ruling_on
    package.ruling_reason = text or None
    transition_case(case, CaseEvent.CONFIRM if confirmed else CaseEvent.REJECT_CONFIRMATION)
    audit.record(
        AuditAction.CASE_CONFIRMATION_RULING,
        actor=mediator,
        object_type=PACKAGE_OBJECT,
        object_id=package.id,
        case_id=case.id,
        data={
            "number": package.number,
            "ruling": ruling.value,
            "ruling_on": ruling_on.isoformat(),
            "court_case_number": package.court_case_number,
            "reason": text or None,
        },
    )
    notify_parties(case, "ruling_confirmed" if confirmed else "ruling_rejected", roles=PARTIES)
    return package


@use_case
def remediate(mediator: User, case: Case) -> None:
    """After the court refused to confirm, mediate again: the accepted proposal is closed
    and every agreement version superseded, so the parties negotiate new terms and a new
    agreement (a new version number) can be drafted and confirmed."""
    require_mediator(mediator, case)
    if case.state != CaseState.CONFIRMATION_REJECTED:
        raise ConfirmationRefused("wrong_state")
    claim(case)
    proposals = list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.case_id == case.id, Proposal.state == ProposalState.ACCEPTED
            )
        )
    )
    agreements = list(
        db.session.scalars(
            select(Agreement).where(
                Agreement.case_id == case.id, Agreement.status != AgreementStatus.SUPERSEDED
            )
        )
    )
    for proposal in proposals:
        proposal.state = ProposalState.CLOSED
    for agreement in agreements:
        agreement.status = AgreementStatus.SUPERSEDED
    transition_case(case, CaseEvent.REMEDIATE)
    case.next_deadline = None
    # The day-20/27 reminders were for the old window; a new agreement opens a new one
    # (the audit log keeps the reminders sent).
    db.session.execute(delete(DeadlineReminder).where(DeadlineReminder.case_id == case.id))
    audit.record(
        AuditAction.CASE_CONFIRMATION_REMEDIATE,
        actor=mediator,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={
            "closed_proposals": [p.id for p in proposals],
            "superseded_versions": sorted(a.version for a in agreements),
        },
    )
    notify_parties(case, "remediation_started", roles=PARTIES)
