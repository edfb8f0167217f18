"""Demo cases up to negotiation: a draft, one waiting for the mediator, one with the
debtor invited, one in negotiation, one the debtor declined (``demo_stages`` takes cases
further). Made through the real use cases, so the audit log and the outbox look exactly
as they would in use."""

from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy import select

from app.cases import invitations
from app.cases import lifecycle as case_service
from app.cases.evidence import add_evidence
from app.cases.intake import parse_case_form
from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.evidence import EvidenceCategory
from app.models.invitations import Invitation
from app.models.organisations import MediationOrganisation
from app.models.users import User
from app.rules.cases import CaseState

# A one-page PDF (Helvetica text), enough to show how evidence is stored and served.
DEMO_PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R
/Resources<</Font<</F1 5 0 R>>>>>>endobj
4 0 obj<</Length 74>>stream
BT /F1 18 Tf 72 770 Td (Loan contract HT-2024-0815 - demo evidence) Tj ET
endstream endobj
5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj
trailer<</Root 1 0 R/Size 6>>
%%EOF
"""


@dataclass(frozen=True)
class DemoCase:
    target: CaseState
    debtor_name: str
    id_number: str
    phone: str
    email: str
    principal: str
    outstanding: str
    interest: str
    penalty: str
    contract_number: str = "HT-2024-0815"
    address: str = "北京市朝阳区建国路 1 号"
    annual_rate: str = "9.6"


DEMO_CASES = (
    DemoCase(
        CaseState.NEGOTIATING,
        "刘强",
        "11010519850612123X",
        "13800138001",
        "debtor1@demo.concord",
        "80000",
        "52000",
        "3120.50",
        "860",
    ),
    DemoCase(
        CaseState.INVITED,
        "赵丽",
        "310104199003054560",
        "13800138002",
        "debtor2@demo.concord",
        "30000",
        "18500",
        "1240",
        "300",
    ),
    DemoCase(
        CaseState.CLOSED_NOT_MEDIATED,
        "孙伟",
        "440304197811207896",
        "13800138003",
        "debtor3@demo.concord",
        "50000",
        "41000",
        "2600",
        "0",
    ),
    DemoCase(
        CaseState.SUBMITTED,
        "周敏",
        "330106199207152345",
        "13800138009",
        "zhoumin@example.com",
        "20000",
        "12800",
        "640",
        "120",
    ),
    DemoCase(
        CaseState.DRAFT,
        "吴涛",
        "110108198801015551",
        "13800138010",
        "",
        "15000",
        "9000",
        "450",
        "0",
    ),
)


def _form(spec: DemoCase) -> dict[str, str]:
    return {
        "debtor_name": spec.debtor_name,
        "debtor_id_type": "resident_id",
        "debtor_id_number": spec.id_number,
        "debtor_phone": spec.phone,
        "debtor_email": spec.email,
        "debtor_address": spec.address,
        "contract_number": spec.contract_number,
        "contract_date": "2024-08-15",
        "principal_lent": spec.principal,
        "annual_rate": spec.annual_rate,
        "term_months": "24",
        "outstanding_principal": spec.outstanding,
        "interest": spec.interest,
        "penalty": spec.penalty,
        "fees": "0",
        "overdue_since": "2025-09-15",
        "is_assignee": "no",
    }


STAGE_LABELS = {
    CaseState.DRAFT: "draft (not yet submitted)",
    CaseState.SUBMITTED: "submitted, waiting for a mediator",
    CaseState.INVITED: "debtor invited",
    CaseState.NEGOTIATING: "negotiating",
    CaseState.AGREEMENT_DRAFTING: "terms agreed, agreement to draft",
    CaseState.SIGNING: "awaiting signatures",
    CaseState.IN_FORCE: "agreement in force",
    CaseState.CLOSED_NOT_MEDIATED: "closed: the debtor declined mediation",
}


# The worker (inline while seeding) issues it as the case closes (app.demo.certificates
# issues any that is missing).
CLOSED_DETAIL = "the certificate that mediation ended (调解终结证明) issued"


def case_line(case: Case, detail: str = "") -> str:
    """How ``flask seed-demo`` reports a case it created or moved on."""
    stage = STAGE_LABELS.get(case.state, case.state.value)
    extra = f"; {detail}" if detail else ""
    return f"  case {case.reference:<16} {stage} ({case.debtor_name}{extra})"


def seed_cases(creditor: User, org: MediationOrganisation, password: str) -> list[str]:
    """Create the demo cases once; return lines worth printing (each case and its stage,
    the invitation link)."""
    if db.session.scalar(select(Case.id).where(Case.creditor_org_id == creditor.creditor_org_id)):
        return []
    notes = []
    for spec in DEMO_CASES:
        case, link = start_case(creditor, org, spec, password)
        closed = case.state == CaseState.CLOSED_NOT_MEDIATED
        notes.append(case_line(case, CLOSED_DETAIL if closed else ""))
        if link:
            notes.append(f"    invitation link for {spec.debtor_name}: {link}")
    return notes


def start_case(
    creditor: User, org: MediationOrganisation, spec: DemoCase, password: str
) -> tuple[Case, str | None]:
    """One case opened by ``creditor`` and taken to ``spec.target`` (at most negotiating);
    returns it and, for a case left at INVITED, the debtor's invitation link."""
    parsed = parse_case_form(_form(spec), case_service.today(), complete=True)
    assert not parsed.errors, parsed.errors
    case = case_service.save_draft(creditor, parsed, org.id, None)
    add_evidence(
        creditor,
        case,
        io.BytesIO(DEMO_PDF),
        "借款合同.pdf",
        EvidenceCategory.CONTRACT,
        "借款合同（演示）",
    )
    if spec.target == CaseState.DRAFT:
        return case, None
    case_service.submit_case(creditor, case)
    if spec.target == CaseState.SUBMITTED or case.mediator is None:
        return case, None
    token = case_service.accept_case(case.mediator, case)
    if spec.target == CaseState.INVITED:
        return case, invitations.invitation_link(token)
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.case_id == case.id, Invitation.used_at.is_(None))
    ).one()
    invitation.identity_confirmed_at = clock.now()  # as if the one-time code was entered
    if spec.target == CaseState.NEGOTIATING:
        invitations.join_case(
            invitation,
            password,
            {"share_organisation", "share_creditor", "share_court", "e_service"},
        )
    else:
        invitations.decline_mediation(invitation, "我对欠款金额有异议，希望直接诉讼解决。")
    return case, None
