"""What the confirmability pre-checks judge, read from the database (BRIEF §5, §5.2).

The domain (``app.rules.confirmability``) judges plain values; this module gathers them
for one case: the agreement in force and who signed it, the 30-day window (from
``confirmation_clock``), the competent courts, the documents the package will hold, the
parties with their phones and devices, the agreed principal, the assignment, the claim
check, open objections, the contact log and how fast the agreement came.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.cases.lifecycle import claim_findings, today
from app.confirmation.deadline import confirmation_deadline_for, effective_on, in_force_agreement
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature, AgreementStatus
from app.models.auth import UserSession
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageSignature
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.negotiation import Objection, ObjectionStatus
from app.models.notifications import OutboundMessage, OutboxStatus
from app.models.organisations import LicenceType
from app.models.users import Role
from app.rules.agreements import terms_from_json
from app.rules.confirmability import (
    REQUIRED_DOCUMENTS,
    AgentFacts,
    ConfirmabilityFacts,
    PartyFacts,
    SubjectMatter,
    flags_from_claim_findings,
)
from app.rules.contact_rules import DEFAULT_POLICY, is_quiet
from app.rules.courts import CompetentCourts, CourtDirectory, Domicile, competent_courts
from app.rules.proposals import Side

# Sections the package generates itself (BRIEF §5.1): present whenever it is built.
GENERATED_DOCUMENTS = frozenset(REQUIRED_DOCUMENTS) - {"evidence", "identity"}
# The debt is proven by the contract and the proof the money was paid out (民法典 Art. 679:
# a natural persons' loan exists once the money is provided); statements are extra.
EVIDENCE_OF_DEBT = frozenset({EvidenceCategory.CONTRACT, EvidenceCategory.DISBURSEMENT})
# Messages the debtor asked for (a sign-in or signing code) may go out at any hour
# (app.notifications.outbox.queue_message): they are not unsolicited contact.
REQUESTED_TEMPLATES = frozenset({"one_time_code", "signing_code"})


@cache
def court_directory() -> CourtDirectory:
    return CourtDirectory.default()


def competent_courts_for(case: Case) -> CompetentCourts:
    """The courts the application may go to (CPL Art. 205): the debtor's domicile (the
    division in a resident ID, and the address given), the creditor's main office, the
    organisation's location. The case records no separate subject-matter location (a debt
    has none apart from the parties) and no inviting court (cases come from creditors)."""
    debtor_id = case.debtor_id_number if case.debtor_id_type == "resident_id" else None
    return competent_courts(
        party_domiciles=(
            Domicile("debtor", id_number=debtor_id, address=case.debtor_address),
            Domicile("creditor", address=case.creditor_org.address),
        ),
        subject_matter_address=None,
        organisation_address=case.mediation_org.address,
        inviting_court=None,
        directory=court_directory(),
    )


def facts_for(case: Case, package_court: str | None) -> ConfirmabilityFacts:
    """Everything the pre-checks judge for this case, with ``package_court`` as the court
    the mediator means to address (None: not chosen yet)."""
    agreement = in_force_agreement(case) or _current_agreement(case)
    in_force = agreement is not None and agreement.status == AgreementStatus.IN_FORCE
    deadline = confirmation_deadline_for(case) if in_force else None
    signatures = _signatures_of(agreement)
    claim = flags_from_claim_findings(claim_findings(case))
    evidence = _current_evidence(case)
    return ConfirmabilityFacts(
        agreement_in_force=in_force,
        signed_roles=frozenset(s.role for s in signatures),
        effective_on=effective_on(agreement) if in_force and agreement else None,
        window_end=deadline.end if deadline else None,
        window_certain=deadline.calendar_certain if deadline else True,
        today=today(),
        chosen_court=package_court,
        competent_courts=tuple(c.court.name for c in competent_courts_for(case)),
        documents_present=_documents_present(case, evidence),
        parties=(_debtor(case), _creditor(case, signatures, evidence)),
        agreed_principal=_agreed_principal(agreement),
        documented_outstanding_principal=case.outstanding_principal or Decimal("0"),
        is_assignee=case.is_assignee,
        has_assignment_chain=_has(evidence, EvidenceCategory.ASSIGNMENT),
        debtor_notified_of_assignment=bool(case.debtor_notified)
        and _has(evidence, EvidenceCategory.NOTICE),
        interest_over_private_cap=claim.interest_over_private_cap,
        institution_cost_over_line=claim.institution_cost_over_line,
        penalty_over_30pct=claim.penalty_over_30pct,
        subject_matter=SubjectMatter.DEBT,
        open_objections=_open_objections(case),
        contact_violations=contact_violations(case),
        agreement_concluded_in=_concluded_in(case, agreement if in_force else None),
    )


def _current_agreement(case: Case) -> Agreement | None:
    return db.session.scalar(
        select(Agreement)
        .where(Agreement.case_id == case.id)
        .order_by(Agreement.version.desc())
        .limit(1)
    )


def _signatures_of(agreement: Agreement | None) -> list[AgreementSignature]:
    if agreement is None:
        return []
    return [s for s in agreement.signatures if s.version == agreement.version]


def _current_evidence(case: Case) -> list[EvidenceFile]:
    """The case's evidence without the files a correction replaced."""
    files = list(db.session.scalars(select(EvidenceFile).where(EvidenceFile.case_id == case.id)))
    replaced = {f.supersedes_id for f in files if f.supersedes_id is not None}
    return [f for f in files if f.id not in replaced]


def _has(evidence: list[EvidenceFile], category: EvidenceCategory) -> bool:
    return any(f.category == category for f in evidence)


def _documents_present(case: Case, evidence: list[EvidenceFile]) -> frozenset[str]:
    """The generated sections, plus "evidence" when the contract and the disbursement are
    on file, plus "identity" when the debtor's ID number is (the creditor's credit code is
    always recorded) (民诉法解释 Art. 354; BRIEF §5.1(4), (5))."""
    present = set(GENERATED_DOCUMENTS)
    if all(_has(evidence, category) for category in EVIDENCE_OF_DEBT):
        present.add("evidence")
    if (case.debtor_id_number or "").strip():
        present.add("identity")
    return frozenset(present)


def _debtor(case: Case) -> PartyFacts:
    user = case.debtor_user
    return PartyFacts(
        side=Side.DEBTOR,
        name=case.debtor_name,
        is_natural_person=True,
        id_number=case.debtor_id_number,
        birth_date=None,
        phone=case.debtor_phone or (user.phone if user else None),
        devices=_devices(case, "debtor", case.debtor_user_id),
        agent=None,
    )


def _creditor(
    case: Case, signatures: list[AgreementSignature], evidence: list[EvidenceFile]
) -> PartyFacts:
    """The creditor organisation, acting through the employee who signed for it: an agent,
    who needs a power of attorney (CPL Art. 62) and may not be platform staff."""
    signer = next((s.user for s in signatures if s.role == "creditor"), None)
    agent = None
    # A private lender signs in person: no one acts for them, no power of attorney.
    in_person = case.creditor_org.licence_type == LicenceType.PRIVATE_LENDER
    if signer is not None and not in_person:
        agent = AgentFacts(
            name=signer.name,
            has_power_of_attorney=_has(evidence, EvidenceCategory.ATTORNEY),
            is_platform_staff=signer.role in (Role.MEDIATOR, Role.ADMIN),
        )
    return PartyFacts(
        side=Side.CREDITOR,
        name=case.creditor_org.name,
        is_natural_person=False,
        id_number=case.creditor_org.credit_code,
        birth_date=None,
        phone=signer.phone if signer is not None else None,
        devices=_devices(case, "creditor", None),
        agent=agent,
    )


def _devices(case: Case, role: str, user_id: int | None) -> frozenset[str]:
    """The IP addresses this side signed from (agreement and package signatures), and for
    the debtor also the ones they signed in from. Loopback and unspecified addresses are
    left out: they name the platform's own host or reverse proxy, not a party's device."""
    found = set(
        db.session.scalars(
            select(AgreementSignature.ip)
            .join(Agreement, Agreement.id == AgreementSignature.agreement_id)
            .where(Agreement.case_id == case.id, AgreementSignature.role == role)
        )
    )
    found |= set(
        db.session.scalars(
            select(PackageSignature.ip)
            .join(ConfirmationPackage, ConfirmationPackage.id == PackageSignature.package_id)
            .where(ConfirmationPackage.case_id == case.id, PackageSignature.role == role)
        )
    )
    if user_id is not None:
        found |= set(
            db.session.scalars(select(UserSession.ip).where(UserSession.user_id == user_id))
        )
    return frozenset(ip for ip in found if _identifies_a_device(ip))


def _identifies_a_device(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    return not (address.is_loopback or address.is_unspecified)


def _agreed_principal(agreement: Agreement | None) -> Decimal:
    if agreement is None:
        return Decimal("0")
    return terms_from_json(agreement.terms["terms"]).principal


def _open_objections(case: Case) -> int:
    return (
        db.session.scalar(
            select(func.count(Objection.id)).where(
                Objection.case_id == case.id, Objection.status == ObjectionStatus.OPEN
            )
        )
        or 0
    )


def contact_violations(case: Case) -> int:
    """How many messages the debtor of this case received against the contact rules
    (BRIEF §6): unsolicited ones delivered in quiet hours, and those beyond three a local
    day. Messages the debtor asked for (a code) are not judged; queued ones not yet."""
    sent = db.session.scalars(
        select(OutboundMessage)
        .where(
            OutboundMessage.case_id == case.id,
            OutboundMessage.is_debtor.is_(True),
            OutboundMessage.status == OutboxStatus.SENT,
            OutboundMessage.template.not_in(REQUESTED_TEMPLATES),
        )
        .order_by(OutboundMessage.sent_at, OutboundMessage.id)
    )
    tz = ZoneInfo(DEFAULT_POLICY.tz)
    per_day: Counter[date] = Counter()
    violations = 0
    for message in sent:
        moment = message.sent_at or message.due_at
        per_day[moment.astimezone(tz).date()] += 1
        over_limit = per_day[moment.astimezone(tz).date()] > DEFAULT_POLICY.daily_limit
        if over_limit or is_quiet(moment, DEFAULT_POLICY):
            violations += 1
    return violations


def _concluded_in(case: Case, agreement: Agreement | None) -> timedelta | None:
    if agreement is None or agreement.effective_at is None or case.accepted_at is None:
        return None
    return agreement.effective_at - case.accepted_at


__all__ = [
    "GENERATED_DOCUMENTS",
    "competent_courts_for",
    "contact_violations",
    "court_directory",
    "facts_for",
]
