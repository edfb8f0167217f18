"""What the confirmability pre-checks judge, read from the database.

The rules (:mod:`app.rules.confirmability`; 民诉法解释 Arts. 354, 355, 358) judge plain
values; this module gathers them for one case: the agreement in force and who signed it,
the 30-day window (:mod:`app.confirmation.deadline`), the competent courts
(:mod:`app.confirmation.courts`), the documents the package will hold, the parties with
their phones and devices (:mod:`app.confirmation.party_facts`), the agreed principal, the
assignment, the claim check, open objections, the contact log and how fast the agreement
came.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.accounts.creditor_profile import current_papers, is_natural_person
from app.cases.lifecycle import claim_findings
from app.cases.papers import as_power_of_attorney, current_power_of_attorney
from app.confirmation.collusion import collusion_facts_for
from app.confirmation.courts import competent_courts_for
from app.confirmation.deadline import confirmation_deadline_for, effective_on, in_force_agreement
from app.confirmation.party_facts import creditor_facts, debtor_facts, extra_party_facts
from app.core import clock
from app.core.storage import blob_store
from app.documents.pdf_text import pdf_text
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature, AgreementStatus
from app.models.cases import Case, CaseParty
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.negotiation import Objection, ObjectionStatus
from app.models.notifications import OutboundMessage, OutboxStatus
from app.models.organisations import CreditorPaperKind
from app.notifications.outbox import contact_policy
from app.rules.agreements import terms_from_json
from app.rules.case_parties import ROLE_ZH as CASE_PARTY_ROLE_ZH
from app.rules.case_parties import PartyRole
from app.rules.confirmability import (
    REQUIRED_DOCUMENTS,
    ConfirmabilityFacts,
    SubjectMatter,
    flags_from_claim_findings,
)
from app.rules.contact_rules import is_quiet
from app.rules.contract_numbers import contract_numbers_in
from app.rules.identity_papers import Paper, PapersOnFile, PartyPapers
from app.rules.powers_of_attorney import PowerOfAttorney

# Sections the package generates itself (the joint application, the agreement, the proof
# the organisation presided, the service addresses, the commitments, the verification
# report; 民诉法解释 Art. 354): present whenever it is built.
# The identity section is generated too; the papers it must attach as files are judged
# one by one (app.rules.identity_papers, 法释〔2011〕5号 Art. 3).
GENERATED_DOCUMENTS = frozenset(REQUIRED_DOCUMENTS) - {"evidence"}
# The debt is proven by the contract and the proof the money was paid out (民法典 Art. 679:
# a natural persons' loan exists once the money is provided); statements are extra.
EVIDENCE_OF_DEBT = frozenset({EvidenceCategory.CONTRACT, EvidenceCategory.DISBURSEMENT})
# Messages the debtor asked for (a sign-in or signing code) may go out at any hour
# (app.notifications.outbox.queue_message): they are not unsolicited contact.
REQUESTED_TEMPLATES = frozenset({"one_time_code", "signing_code"})


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
        today=clock.today(),
        chosen_court=package_court,
        competent_courts=tuple(c.court.name for c in competent_courts_for(case)),
        documents_present=_documents_present(case, evidence),
        extra_signers=tuple(
            (p.signer_role, f"{CASE_PARTY_ROLE_ZH[PartyRole(p.role)]}{p.name}")
            for p in case.extra_parties
        ),
        parties=(
            debtor_facts(case),
            *extra_party_facts(case),
            creditor_facts(
                case,
                signatures,
                has_power_of_attorney=_has(evidence, EvidenceCategory.ATTORNEY),
                power_of_attorney=_power_of_attorney(case, evidence),
                settles_for_less=_settles_for_less(case, agreement),
            ),
        ),
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
        contract_number=case.contract_number,
        evidence_contract_numbers=_evidence_contract_numbers(evidence),
        collusion=collusion_facts_for(case),
        mediator_appointed=bool(
            case.mediator and case.mediator.appointment_number and case.mediator.appointed_on
        ),
        identity_papers=identity_papers_on_file(case, evidence),
    )


def _evidence_contract_numbers(
    evidence: list[EvidenceFile],
) -> tuple[tuple[str, frozenset[str]], ...]:
    """The contract numbers each contract file states, in its description or name or, for
    a PDF with a text layer, its first pages (:mod:`app.rules.contract_numbers`)."""
    found = []
    for e in evidence:
        if e.category != EvidenceCategory.CONTRACT:
            continue
        text = f"{e.description}\n{e.original_name}"
        if e.media_type == "application/pdf":
            with blob_store().open(e.sha256) as f:
                text += "\n" + pdf_text(f.read())
        numbers = contract_numbers_in(text)
        if numbers:
            found.append((e.original_name, numbers))
    return tuple(found)


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


def _power_of_attorney(case: Case, evidence: list[EvidenceFile]) -> PowerOfAttorney | None:
    """What the newest recorded power of attorney says, if its file is still on record
    (not replaced by a correction)."""
    record = current_power_of_attorney(case)
    if record is None or record.evidence_id not in {e.id for e in evidence}:
        return None
    return as_power_of_attorney(record)


def _settles_for_less(case: Case, agreement: Agreement | None) -> bool:
    """Whether the agreement gives up part of the claim (an item agreed below what was
    claimed): the creditor's agent then needs special authorisation (CPL Art. 62)."""
    if agreement is None:
        return False
    terms = terms_from_json(agreement.terms["terms"])
    pairs = (
        (terms.principal, case.outstanding_principal),
        (terms.interest, case.interest),
        (terms.penalty, case.penalty),
        (terms.fees, case.fees),
    )
    return any(agreed < (claimed or Decimal("0")) for agreed, claimed in pairs)


def _documents_present(case: Case, evidence: list[EvidenceFile]) -> frozenset[str]:
    """The generated sections, plus "evidence" when the contract and the disbursement are
    on file (民诉法解释 Art. 354). The identity papers are judged as files, not by the
    numbers on record (:func:`identity_papers_on_file`)."""
    present = set(GENERATED_DOCUMENTS)
    if all(_has(evidence, category) for category in EVIDENCE_OF_DEBT):
        present.add("evidence")
    return frozenset(present)


_CASE_PAPERS = {
    EvidenceCategory.ID_FRONT: Paper.DEBTOR_ID_FRONT,
    EvidenceCategory.ID_BACK: Paper.DEBTOR_ID_BACK,
    EvidenceCategory.AGENT_PROOF: Paper.AGENT_PROOF,
}
_ORG_PAPERS = {
    CreditorPaperKind.BUSINESS_LICENCE: Paper.BUSINESS_LICENCE,
    CreditorPaperKind.FINANCIAL_LICENCE: Paper.FINANCIAL_LICENCE,
    CreditorPaperKind.LENDER_ID_FRONT: Paper.LENDER_ID_FRONT,
    CreditorPaperKind.LENDER_ID_BACK: Paper.LENDER_ID_BACK,
}


def identity_papers_on_file(case: Case, evidence: list[EvidenceFile]) -> PapersOnFile:
    """The identity and qualification papers as files: the debtor's ID copy, each
    guarantor's and co-borrower's, and the agent's proof among the case's current
    evidence, the creditor's licences (or a natural-person lender's ID copy) on its
    profile, with their expiry dates."""
    present = {_CASE_PAPERS[e.category] for e in evidence if e.category in _CASE_PAPERS}
    org_papers = current_papers(case.creditor_org)
    present |= {_ORG_PAPERS[kind] for kind in org_papers}
    expiry = tuple(
        (_ORG_PAPERS[kind], paper.expires_on)
        for kind, paper in org_papers.items()
        if paper.expires_on is not None
    )
    natural = is_natural_person(case.creditor_org)
    return PapersOnFile(
        present=frozenset(present),
        lender_is_natural_person=natural,
        agent_acts=not natural,
        expiry=expiry,
        parties=tuple(_party_papers(party, evidence) for party in case.extra_parties),
    )


_PARTY_SIDES = {EvidenceCategory.PARTY_ID_FRONT: "front", EvidenceCategory.PARTY_ID_BACK: "back"}
_PARTY_ROLE_EN = {PartyRole.GUARANTOR: "guarantor", PartyRole.CO_BORROWER: "co-borrower"}


def _party_papers(party: CaseParty, evidence: list[EvidenceFile]) -> PartyPapers:
    """A guarantor's or co-borrower's own ID copy among the case's current evidence."""
    role = PartyRole(party.role)
    return PartyPapers(
        who_zh=f"{CASE_PARTY_ROLE_ZH[role]}{party.name}",
        who_en=f"{_PARTY_ROLE_EN[role]} {party.name}",
        sides=frozenset(
            _PARTY_SIDES[e.category]
            for e in evidence
            if e.category in _PARTY_SIDES and e.case_party_id == party.id
        ),
    )


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
    (:mod:`app.rules.contact_rules`, reckoned on the legal clock): unsolicited ones
    delivered in quiet hours, and those beyond three a local day. Messages the debtor
    asked for (a code) are not judged; queued ones not yet."""
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
    policy = contact_policy()
    tz = ZoneInfo(policy.tz)
    per_day: Counter[date] = Counter()
    violations = 0
    for message in sent:
        moment = message.sent_at or message.due_at
        per_day[moment.astimezone(tz).date()] += 1
        over_limit = per_day[moment.astimezone(tz).date()] > policy.daily_limit
        if over_limit or is_quiet(moment, policy):
            violations += 1
    return violations


def _concluded_in(case: Case, agreement: Agreement | None) -> timedelta | None:
    if agreement is None or agreement.effective_at is None or case.accepted_at is None:
        return None
    return agreement.effective_at - case.accepted_at
