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

from app.accounts.creditor_profile import PAPER_KIND_ZH
from app.agreements.content import agreement_context, facts_text
from app.cases.evidence import court_evidence
from app.confirmation.package.integrity import read_checked
from app.confirmation.package.papers import (
    creditor_papers,
    first_number,
    paper_filename,
    paper_rows,
    paper_title,
    read_paper,
)
from app.confirmation.package.parties import (
    UNRECORDED,
    creditor_agent,
    creditor_party,
    debtor_party,
    extra_parties,
    power_of_attorney_summary,
    service_confirmations,
    signature_blocks,
)
from app.confirmation.package.records import record_rows
from app.confirmation.package.report import (
    AGREEMENT_TITLE,
    ROLE_ZH,
    agreement_filename,
    category_zh,
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
from app.minutes.common import confirmed_records
from app.models.agreements import Agreement
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage
from app.models.evidence import PARTY_ID_CATEGORIES, EvidenceCategory, EvidenceFile
from app.models.organisations import CreditorPaper
from app.models.users import User
from app.rules.case_parties import ROLE_ZH as CASE_PARTY_ROLE_ZH
from app.rules.case_parties import PartyRole

DOCUMENT_TITLE = "司法确认申请材料"
COPY_ANCHOR_PREFIX = "agreement-copy-"  # the agreement's own ids must not become our fields


def package_context(
    case: Case,
    agreement: Agreement,
    package: ConfirmationPackage,
    evidence: list[EvidenceFile] | None = None,
    papers: list[CreditorPaper] | None = None,
) -> dict[str, Any]:
    """The template context of ``package.html`` for one release of the package.
    ``evidence`` is the checked list (``integrity.check_evidence_integrity``); by default
    every evidence file of the case, in upload order. ``papers``: the creditor's papers
    embedded after the evidence (by default its current ones)."""
    evidence = court_evidence(case) if evidence is None else evidence
    papers = creditor_papers(case) if papers is None else papers
    # the confirmed session records follow the papers (app.confirmation.package.records)
    session_records = record_rows(
        confirmed_records(case), first_number(len(evidence)) + len(papers)
    )
    org = case.mediation_org
    agreement_pdf = documents.read_pdf(agreement.current_sha256 or "")
    report = verify_pdf(agreement_pdf, documents.trust_roots())
    agent = creditor_agent(agreement)
    effective = clock.local(agreement.effective_at or clock.now())
    parties = {"debtor": debtor_party(case), "creditor": creditor_party(case, agent)}
    extras = extra_parties(case)  # guarantors and co-borrowers apply with them
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
        "attachments": _attachment_list(case, agreement, agreement_pdf, evidence, papers)
        + [
            {"filename": row["filename"], "title": row["title"], "size": row["short_size"]}
            for row in session_records
        ],
        "session_records": session_records,
        "creditor_papers": paper_rows(papers, first_number(len(evidence))),
        "identity_images": identity_images(evidence, papers),
        "parties": [parties["creditor"], parties["debtor"], *extras],
        "signature_blocks": signature_blocks(parties, extras),
        "signed_once_text": SIGNED_ONCE_TEXT,
        "generated_at": clock.now(),
        "application": {
            "request": application_request(effective.date(), org.name),
            # 民诉法解释 Art. 354: the application is dated; the day it was issued to the
            # parties, each signature's own time is in the signature.
            "date": package.released_at or clock.now(),
            "facts": [p for p in facts_text(case).splitlines() if p.strip()],
            "reasons": application_reasons(
                org.name,
                case.reference,
                effective.date(),
                more_than_two=bool(case.extra_parties),
            ),
        },
        "agreement": _agreement_copy(case, agreement),
        "agreement_file": {
            "filename": agreement_filename(case, agreement),
            "sha256": report.sha256,
            "size": size_text(len(agreement_pdf)),
        },
        "presiding": _presiding(case, agreement, effective),
        "evidence": evidence_section(case, agreement, evidence),
        "power_of_attorney": power_of_attorney_summary(case),
        # A natural-person creditor acts in person: no power of attorney is asked of them.
        "creditor_in_person": parties["creditor"]["in_person"],
        "service": service_confirmations(case, parties, extras),
        "commitments": [
            {"role_label": ROLE_ZH[role], "party": parties[role]["name"], "promises": COMMITMENTS}
            for role in ("creditor", "debtor")
        ]
        + [
            {"role_label": e["short_label"], "party": e["name"], "promises": COMMITMENTS}
            for e in extras
        ],
        "prechecks": prechecks_section(package),
        "report": verification_section(
            case,
            agreement,
            agreement_pdf,
            report,
            documents.organisation_signer(),
            f"{settings.public_url}/verify",
        ),
    }


_SEVERITY_ZH = {"block": "阻止", "warn": "警示", "info": "提示"}


def prechecks_section(package: ConfirmationPackage) -> dict[str, Any]:
    """What the pre-checks found when the package was released (民诉法解释 Arts. 354, 355,
    358), the warnings the mediator acknowledged, and each sham-mediation signal lifted with
    the mediator's written justification (CPL Art. 115; :mod:`app.confirmation.lifts`)."""
    lifts = {a["code"]: a for a in package.acknowledged if a.get("justification")}
    acknowledged = {a["code"] for a in package.acknowledged if not a.get("justification")}
    rows = []
    for f in package.findings:
        lift = lifts.get(f["code"])
        if lift is not None:
            outcome = "调解员已书面说明理由后解除：" + lift["justification"]
        elif f["code"] in acknowledged:
            outcome = "调解员已阅知并确认"
        else:
            outcome = "—"
        rows.append(
            {
                "severity": _SEVERITY_ZH.get(f["severity"], f["severity"]),
                "message": f["message_zh"],
                "source": f["source"],
                "outcome": outcome,
            }
        )
    return {"rows": rows}


def _attachment_list(
    case: Case,
    agreement: Agreement,
    agreement_pdf: bytes,
    evidence: list[EvidenceFile],
    papers: list[CreditorPaper],
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
    rest += [
        {"filename": paper_filename(n, p), "title": paper_title(p), "size": short_size_text(p.size)}
        for n, p in enumerate(papers, start=first_number(len(evidence)))
    ]
    return [first, *rest]


# --- section 4: the identity papers as pictures -----------------------------------------

_ID_COPIES = frozenset({EvidenceCategory.ID_FRONT, EvidenceCategory.ID_BACK}) | PARTY_ID_CATEGORIES
_BACKS = frozenset({EvidenceCategory.ID_BACK, EvidenceCategory.PARTY_ID_BACK})
_IMAGES = frozenset({"image/jpeg", "image/png"})


def identity_images(
    evidence: list[EvidenceFile], papers: list[CreditorPaper]
) -> list[dict[str, Any]]:
    """The ID copies and licences that are images, printed in section 4 as a clerk files
    them (法释〔2011〕5号 Art. 3); PDFs are attachments only. The current copies (not
    those a correction replaced) of the debtor, then of each guarantor and co-borrower,
    and the creditor's papers."""
    replaced = {e.supersedes_id for e in evidence if e.supersedes_id is not None}
    copies = [
        e
        for e in evidence
        if e.category in _ID_COPIES and e.id not in replaced and e.media_type in _IMAGES
    ]
    copies.sort(key=lambda e: (e.case_party_id or 0, e.category in _BACKS))  # front first
    shown = [
        {"title": category_zh(e), "blob": read_checked(e), "mime": e.media_type} for e in copies
    ]
    for p in papers:
        if p.media_type in _IMAGES:
            shown.append(
                {
                    "title": _creditor_paper_title(p),
                    "blob": read_paper(p),
                    "mime": p.media_type,
                }
            )
    return shown


def _creditor_paper_title(paper: CreditorPaper) -> str:
    """债权人营业执照 …; a natural-person lender's ID copy as 债权人身份证复印件（人像面）, like
    the debtor's (its kind's own name, 出借人身份证复印件, would read 债权人出借人…)."""
    name = PAPER_KIND_ZH[paper.kind]
    return "债权人" + name.removeprefix("出借人")


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
        select(
            AuditEvent.occurred_at,
            AuditEvent.action,
            AuditEvent.actor_label,
            AuditEvent.actor_id,
            AuditEvent.data,
        )
        .where(AuditEvent.case_id == case.id, AuditEvent.action.in_(TIMELINE_ZH))
        .order_by(AuditEvent.id)
    )
    labels = {**ROLE_ZH, **{p.signer_role: f"保证人{p.name}" for p in case.extra_parties}}
    for p in case.extra_parties:
        if p.role == "co_borrower":
            labels[p.signer_role] = f"共同借款人{p.name}"
    # A guarantor or co-borrower has a debtor's account: name them by their own role.
    extra_actors = {
        p.user_id: CASE_PARTY_ROLE_ZH[PartyRole(p.role)]
        for p in case.extra_parties
        if p.user_id is not None
    }
    timeline = [
        {
            "at": at,
            "event": _event_text(action, data or {}, labels),
            "actor": extra_actors.get(actor_id) or _actor(label),
        }
        for at, action, label, actor_id, data in events
    ]
    return {
        "mediator": case.mediator.name if case.mediator else UNRECORDED,
        "appointment": appointment_of(case.mediator),
        "accepted_at": case.accepted_at,
        "effective_at": effective,
        "agreement_version": agreement.version,
        "timeline": timeline,
    }


def appointment_of(mediator: User | None) -> dict[str, Any] | None:
    """The mediator's appointment by the committee (人民调解法 Arts. 13-14), or None when
    no record is kept (the pre-check ``confirm.mediator_appointment_missing`` warns)."""
    if mediator is None or not mediator.appointment_number or mediator.appointed_on is None:
        return None
    return {
        "number": mediator.appointment_number,
        "on": mediator.appointed_on,
        "by": mediator.appointed_by or "",
    }


def _event_text(action: str, data: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    text = TIMELINE_ZH[action]
    if action == "case:agreement:sign":
        text = f"{(labels or ROLE_ZH).get(str(data.get('role')), '')}{text}"
    if "version" in data and action.startswith("case:agreement:"):
        text += f"（第{data['version']}版）"
    return text


def _actor(label: str) -> str:
    role = label.split(":", 1)[0]
    return {**ROLE_ZH, "admin": "调解组织", "system": "系统"}.get(role, "—")
