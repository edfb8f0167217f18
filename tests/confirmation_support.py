"""Bringing a case to "agreement in force" for the confirmation tests, and giving it a
released package to sign.

The case is settled through the real negotiation services (``settled_case``); the agreement
version, its three signatures and the in-force state are then written as model rows, the
way ``app.agreements.drafting.sign_agreement`` leaves them, so these tests do not depend on
the PDF pipeline of the agreement. Evidence goes through the real upload service (its
bytes are in the blob store, where the integrity check reads them).
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from app.accounts.creditor_profile import add_creditor_paper, current_papers, paper_kinds_for
from app.agreements.common import accepted_proposal
from app.agreements.content import snapshot_terms
from app.cases.evidence import add_evidence, blob_store
from app.cases.papers import record_identity_copy
from app.confirmation import release as confirmation
from app.core import clock
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import (
    Agreement,
    AgreementSignature,
    AgreementStatus,
    DocumentKind,
    SignatureMethod,
)
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageSignature, PackageStatus
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.organisations import CreditorOrganisation, CreditorPaper
from app.models.users import User
from app.rules.cases import CaseState
from app.signing.flow import SignatureInput
from tests.agreement_support import ACCOUNT, last_code, people, settled_case
from tests.factories import PASSWORD
from tests.papers_support import record_poa

# Distinct public-looking addresses (RFC 5737 documentation ranges) per signer.
IPS = {"debtor": "198.51.100.7", "creditor": "203.0.113.20", "mediator": "192.0.2.30"}
COMPLETE_EVIDENCE = (
    EvidenceCategory.CONTRACT,
    EvidenceCategory.DISBURSEMENT,
    EvidenceCategory.ATTORNEY,
    # the identity papers as files (法释〔2011〕5号 Art. 3; app.rules.identity_papers)
    EvidenceCategory.ID_FRONT,
    EvidenceCategory.ID_BACK,
    EvidenceCategory.AGENT_PROOF,
)


def pdf_bytes(label: str) -> bytes:
    return b"%PDF-1.4\n% " + label.encode() + b"\n%%EOF\n"


def upload(who: dict[str, User], case: Case, category: EvidenceCategory) -> EvidenceFile:
    """One file of ``category``; the power of attorney with its content (full powers)."""
    name = f"{category.value}.pdf"
    if category == EvidenceCategory.ATTORNEY:
        return record_poa(who["creditor"], case, pdf_bytes(name), name)
    if category in (EvidenceCategory.ID_FRONT, EvidenceCategory.ID_BACK):
        side = "front" if category == EvidenceCategory.ID_FRONT else "back"
        data = io.BytesIO(pdf_bytes(name))
        return record_identity_copy(who["debtor"], case, side, data, name)
    return add_evidence(
        who["creditor"], case, io.BytesIO(pdf_bytes(name)), name, category, category.value
    )


def give_creditor_papers(org: CreditorOrganisation) -> list[CreditorPaper]:
    """The creditor's papers its profile lacks (licences, or a natural person's ID copy),
    as small PDFs uploaded through the real service."""
    have = current_papers(org)
    return [
        add_creditor_paper(None, org, kind, io.BytesIO(pdf_bytes(kind.value)), f"{kind.value}.pdf")
        for kind in paper_kinds_for(org)
        if kind not in have
    ]


def in_force_case(
    who: dict[str, User] | None = None,
    *,
    effective_at: datetime | None = None,
    ips: dict[str, str] | None = None,
    evidence: tuple[EvidenceCategory, ...] = COMPLETE_EVIDENCE,
    org_papers: bool = True,
    **case_kw: Any,
) -> tuple[dict[str, User], Case, Agreement]:
    """A case whose agreement (version 1) took effect at ``effective_at`` (default: two
    days ago), accepted by the mediator ten days before, with the evidence given and
    (``org_papers``) the creditor's licences on its profile."""
    who = who or people()
    effective_at = effective_at or clock.now() - timedelta(days=2)
    case = settled_case(who, **case_kw)
    if org_papers:
        give_creditor_papers(case.creditor_org)
    for category in evidence:
        upload(who, case, category)
    proposal = accepted_proposal(case)
    assert proposal is not None
    agreement = Agreement(
        case_id=case.id,
        version=1,
        proposal_id=proposal.id,
        status=AgreementStatus.IN_FORCE,
        terms=snapshot_terms(case, proposal, ACCOUNT),
        drafted_by_id=who["mediator"].id,
        drafted_at=effective_at - timedelta(days=1),
        base_sha256="0" * 64,
        current_sha256="3" * 64,
        effective_at=effective_at,
    )
    db.session.add(agreement)
    db.session.flush()
    for n, role in enumerate(("debtor", "creditor", "mediator"), start=1):
        db.session.add(
            AgreementSignature(
                agreement_id=agreement.id,
                version=1,
                role=role,
                user_id=who[role].id,
                signed_at=effective_at - timedelta(hours=3 - n),
                ip=(ips or IPS)[role],
                user_agent="pytest",
                method=SignatureMethod.TYPED,
                typed_name=who[role].name,
                document_sha256=str(n - 1) * 64,
                result_sha256=str(n) * 64,
            )
        )
    case.state = CaseState.IN_FORCE
    case.accepted_at = effective_at - timedelta(days=10)
    db.session.commit()
    return who, case, agreement


def released_package(
    case: Case, agreement: Agreement, mediator: User, status: PackageStatus
) -> ConfirmationPackage:
    """A package released yesterday to the debtor's district court, without a PDF."""
    package = ConfirmationPackage(
        case_id=case.id,
        agreement_id=agreement.id,
        number=1,
        status=status,
        court_name="北京市朝阳区人民法院",
        court_division="110105",
        findings=[],
        acknowledged=[],
        released_by_id=mediator.id,
        released_at=clock.now() - timedelta(days=1),
    )
    db.session.add(package)
    db.session.commit()
    return package


def signing_package(case: Case, agreement: Agreement, mediator: User) -> ConfirmationPackage:
    """A released package the worker has built: a certified PDF with the parties' empty
    signature fields, open for signing (what ``build_package`` leaves)."""
    from app.documents.signing import FieldSpec, certify
    from tests.documents.signing_support import make_pdf

    data = certify(
        make_pdf(attach=False),
        signer=documents.organisation_signer(),
        fields=[
            FieldSpec("sig-debtor", 0, (56.0, 150.0, 276.0, 230.0)),
            FieldSpec("sig-creditor", 0, (316.0, 150.0, 536.0, 230.0)),
        ],
        title="司法确认申请材料",
    )
    package = released_package(case, agreement, mediator, PackageStatus.SIGNING)
    sha = documents.store_pdf(
        data, kind=DocumentKind.PACKAGE, case=case, version=1, stage="certified"
    )
    package.base_sha256 = package.current_sha256 = sha
    db.session.commit()
    return package


def given(package: ConfirmationPackage, code: str, **over: Any) -> SignatureInput:
    """What a party submits to sign ``package`` (its current file), with overrides."""
    values: dict[str, Any] = {
        "version": package.number,
        "seen_sha256": package.current_sha256,
        "password": PASSWORD,
        "code": code,
        "method": SignatureMethod.TYPED,
        "typed_name": "签名人",
        "drawn_png": None,
        "ip": "198.51.100.99",
        "user_agent": "pytest",
    }
    return SignatureInput(**{**values, **over})


def sign_as(user: User, case: Case, package: ConfirmationPackage, **over: Any) -> PackageSignature:
    """Ask for the code, then sign the package as ``user``."""
    confirmation.send_package_code(user, case, package, None)
    signature = confirmation.sign_package(
        user, case, package, given(package, last_code(user), **over)
    )
    db.session.refresh(package)
    return signature


def tamper(evidence: EvidenceFile) -> None:
    """Change one byte of a stored evidence file on disk, behind the platform's back."""
    path = blob_store().path_for(evidence.sha256)
    path.chmod(0o640)
    data = bytearray(path.read_bytes())
    data[-2] ^= 0x01
    path.write_bytes(bytes(data))
