"""What the judicial-confirmation package prints (民诉法解释 Art. 354), gathered from the
case: the joint application, the agreement again, the proof that the organisation
presided, the identity of the parties, the evidence, the address-for-service
confirmations, the commitment letters and the verification report. Templates get plain
data only.

The full identity number of the debtor appears here and nowhere else (PIPL Arts. 28,
51): the court checks the parties' identities (民诉法解释 Art. 354), so the package is
the one document that carries it unmasked.

Signatures: each party signs the package ONCE, in its field on the application
(``sig-debtor``, ``sig-creditor``). A PAdES signature covers the whole file, so that one
signature also signs that party's address-for-service confirmation and commitment letter;
each letter says so and points to the signature on the application.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.agreements.content import agreement_context, facts_text
from app.cases.evidence import evidence_of
from app.confirmation.package.parties import (
    UNRECORDED,
    creditor_agent,
    creditor_party,
    debtor_party,
    service_confirmations,
    signature_blocks,
)
from app.confirmation.package.report import (
    AGREEMENT_TITLE,
    ROLE_ZH,
    agreement_filename,
    evidence_filename,
    evidence_section,
    evidence_title,
    short_size_text,
    size_text,
    verification_section,
)
from app.confirmation.package.text import (
    COMMITMENTS,
    SECTIONS,
    SIGNED_ONCE_TEXT,
    TIMELINE_ZH,
    application_reasons,
    application_request,
)
from app.core import clock
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models.agreements import Agreement
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage
from app.models.evidence import EvidenceFile

DOCUMENT_TITLE = "司法确认申请材料"
COPY_ANCHOR_PREFIX = "agreement-copy-"  # the agreement's own ids must not become our fields


def package_context(
    case: Case,
    agreement: Agreement,
    package: ConfirmationPackage,
    evidence: list[EvidenceFile] | None = None,
) -> dict[str, Any]:
    """The template context of ``package.html`` for one release of the package.
    ``evidence`` is the checked list (``integrity.check_evidence_integrity``); by default
    every evidence file of the case, in upload order."""
    evidence = evidence_of(case) if evidence is None else evidence
    org = case.mediation_org
    agreement_pdf = documents.read_pdf(agreement.current_sha256 or "")
    report = verify_pdf(agreement_pdf, documents.trust_roots())
    agent = creditor_agent(agreement)
    effective = clock.local(agreement.effective_at or clock.now())
    parties = {"debtor": debtor_party(case), "creditor": creditor_party(case, agent)}
    settings = current_app.config["SETTINGS"]
    return {
        "document_title": DOCUMENT_TITLE,
        "reference": case.reference,
        "org": {
            "name": org.name,
            "registration_number": org.registration_number,
            "address": org.address,
            "phone": org.phone,
        },
        "seal_png": org.seal_image if org.seal_mime == "image/png" else None,
        "package_number": package.number,
        "court_name": package.court_name,
        "released_at": package.released_at,
        "sections": [{"number": n, "title": t, "anchor": a} for n, t, a in SECTIONS],
        "attachments": _attachment_list(case, agreement, agreement_pdf, evidence),
        "parties": [parties["creditor"], parties["debtor"]],
        "signature_blocks": signature_blocks(parties),
        "signed_once_text": SIGNED_ONCE_TEXT,
        "generated_at": clock.now(),
        "application": {
            "request": application_request(effective.date(), org.name),
            "facts": [p for p in facts_text(case).splitlines() if p.strip()],
            "reasons": application_reasons(org.name, case.reference, effective.date()),
        },
        "agreement": _agreement_copy(case, agreement),
        "agreement_file": {
            "filename": agreement_filename(case, agreement),
            "sha256": report.sha256,
            "size": size_text(len(agreement_pdf)),
        },
        "presiding": _presiding(case, agreement, effective),
        "evidence": evidence_section(case, agreement, evidence),
        "service": service_confirmations(case, parties),
        "commitments": [
            {"role_label": ROLE_ZH[role], "party": parties[role]["name"], "promises": COMMITMENTS}
            for role in ("creditor", "debtor")
        ],
        "report": verification_section(
            case,
            agreement,
            agreement_pdf,
            report,
            documents.organisation_signer(),
            f"{settings.public_url}/verify",
        ),
    }


def _attachment_list(
    case: Case, agreement: Agreement, agreement_pdf: bytes, evidence: list[EvidenceFile]
) -> list[dict[str, str]]:
    first = {
        "filename": agreement_filename(case, agreement),
        "title": AGREEMENT_TITLE,
        "size": short_size_text(len(agreement_pdf)),
    }
    rest = [
        {
            "filename": evidence_filename(n, e),
            "title": evidence_title(n, e),
            "size": short_size_text(e.size),
        }
        for n, e in enumerate(evidence, start=1)
    ]
    return [first, *rest]


# --- section 2: the agreement again -----------------------------------------------------


def _agreement_copy(case: Case, agreement: Agreement) -> dict[str, Any]:
    """The agreement's own context (``agreement_context``), its signature anchors renamed so
    that they do not become fields of the package."""
    context = agreement_context(case, agreement)
    context["signatures"] = [
        {**sig, "anchor": COPY_ANCHOR_PREFIX + sig["anchor"]} for sig in context["signatures"]
    ]
    return context


# --- section 3: the organisation presided -----------------------------------------------


def _presiding(case: Case, agreement: Agreement, effective: datetime) -> dict[str, Any]:
    """调解组织主持调解的证明: who mediated and the case's story from the audit chain.
    Only the listed events, with their time and the role that acted: never a message,
    a caucus or a private statement (人民调解法 Art. 15 confidentiality)."""
    events = db.session.execute(
        select(AuditEvent.occurred_at, AuditEvent.action, AuditEvent.actor_label, AuditEvent.data)
        .where(AuditEvent.case_id == case.id, AuditEvent.action.in_(TIMELINE_ZH))
        .order_by(AuditEvent.id)
    )
    timeline = [
        {"at": at, "event": _event_text(action, data or {}), "actor": _actor(label)}
        for at, action, label, data in events
    ]
    return {
        "mediator": case.mediator.name if case.mediator else UNRECORDED,
        "accepted_at": case.accepted_at,
        "effective_at": effective,
        "agreement_version": agreement.version,
        "timeline": timeline,
    }


def _event_text(action: str, data: dict[str, Any]) -> str:
    text = TIMELINE_ZH[action]
    if action == "case:agreement:sign":
        text = f"{ROLE_ZH.get(str(data.get('role')), '')}{text}"
    if "version" in data and action.startswith("case:agreement:"):
        text += f"（第{data['version']}版）"
    return text


def _actor(label: str) -> str:
    role = label.split(":", 1)[0]
    return {**ROLE_ZH, "admin": "调解组织", "system": "系统"}.get(role, "—")
