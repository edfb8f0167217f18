"""The evidence and the proof sections of the judicial-confirmation package (民诉法解释
Art. 354; 电子签名法 Arts. 13–14): the names the embedded files carry, the evidence index,
the interest-and-fee calculation sheet, and the signature verification report of the
agreement.

Plain data only: dates as aware ``datetime``/``date`` for the ``cn_date`` filters, amounts
as ``Decimal`` for ``money``; every sentence is fixed text.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app import audit
from app.accounts.lpr import lpr_history
from app.cases.lifecycle import claim_facts, claim_findings
from app.core.clock import today
from app.documents.verification import VerificationReport
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.evidence import PARTY_ID_CATEGORIES, EvidenceCategory, EvidenceFile
from app.rules.agreements import terms_from_json
from app.rules.case_parties import ROLE_ZH as CASE_PARTY_ROLE_ZH
from app.rules.case_parties import PartyRole
from app.rules.claims import LPR_MULTIPLE, LenderKind, lpr_on, transitional_split
from app.rules.money import format_rate
from app.rules.rule_sets import rule_set_for

CATEGORY_ZH = {
    EvidenceCategory.CONTRACT: "借款合同",
    EvidenceCategory.DISBURSEMENT: "放款凭证",
    EvidenceCategory.STATEMENT: "账户流水及对账单",
    EvidenceCategory.ASSIGNMENT: "债权转让协议",
    EvidenceCategory.NOTICE: "债权转让通知",
    EvidenceCategory.IDENTITY: "身份证明",
    EvidenceCategory.ATTORNEY: "授权委托书",
    EvidenceCategory.ID_FRONT: "债务人身份证复印件（人像面）",
    EvidenceCategory.ID_BACK: "债务人身份证复印件（国徽面）",
    EvidenceCategory.AGENT_PROOF: "委托代理人在职证明或关系证明",
    EvidenceCategory.PARTY_ID_FRONT: "保证人、共同借款人身份证复印件（人像面）",
    EvidenceCategory.PARTY_ID_BACK: "保证人、共同借款人身份证复印件（国徽面）",
    EvidenceCategory.OTHER: "其他证据",
}
EXTENSION = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ROLE_ZH = {"debtor": "债务人", "creditor": "债权人", "mediator": "调解员"}
_FIELD_ROLE = {"sig-debtor": "debtor", "sig-creditor": "creditor", "sig-mediator": "mediator"}
_COVERAGE_ZH = {"ENTIRE_FILE": "整个文件"}
SEVERITY_ZH = {"block": "阻止", "warn": "提示注意", "info": "信息"}
ITEMS = (("principal", "本金"), ("interest", "利息"), ("penalty", "罚息/违约金"), ("fees", "费用"))
AGREEMENT_TITLE = "调解协议书（经各方电子签名的原件）"
AGREEMENT_NUMBER = 1  # the signed agreement is always attachment 01; evidence follows


def agreement_filename(case: Case, agreement: Agreement) -> str:
    """ASCII name of the embedded signed agreement (TECH_NOTES: Chinese names garble)."""
    return f"{AGREEMENT_NUMBER:02d}-agreement-{case.reference}-v{agreement.version}.pdf"


def evidence_filename(position: int, evidence: EvidenceFile) -> str:
    """``02-evidence-contract-17.pdf``: order in the package, category, evidence id."""
    extension = EXTENSION.get(evidence.media_type, "bin")
    number = AGREEMENT_NUMBER + position
    return f"{number:02d}-evidence-{evidence.category.value}-{evidence.id}.{extension}"


def category_zh(evidence: EvidenceFile) -> str:
    """What the file is, in Chinese; a guarantor's or co-borrower's ID copy says whose
    (保证人冯保国身份证复印件（人像面）, written when they gave it, app.cases.papers)."""
    if evidence.category in PARTY_ID_CATEGORIES:
        return evidence.description or CATEGORY_ZH[evidence.category]
    return CATEGORY_ZH[evidence.category]


def evidence_title(position: int, evidence: EvidenceFile) -> str:
    """The Chinese title an attachment carries in its description."""
    return f"证据{position}：{category_zh(evidence)}（{evidence.original_name}）"


def size_text(size: int) -> str:
    """1.0 MB（1,048,576 字节）: readable and exact."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB（{size:,} 字节）"
    if size >= 1024:
        return f"{size / 1024:.1f} KB（{size:,} 字节）"
    return f"{size:,} 字节"


def short_size_text(size: int) -> str:
    """1.0 MB: for the cover's list of attachments (the evidence index has the bytes)."""
    return size_text(size).split("（")[0]


def percent(rate: Decimal) -> str:
    """9.6000 → 9.6%, 3.4500 → 3.45%, 12.3456 → 12.3456% (never rounded away)."""
    return format_rate(rate)


# --- section 5: evidence ----------------------------------------------------------------


def evidence_rows(evidence: list[EvidenceFile]) -> list[dict[str, Any]]:
    """The evidence index: name, category, size and SHA-256 of each file,
    and the attachment it is embedded as. A correction names the file it corrects."""
    position_of = {e.id: n for n, e in enumerate(evidence, start=1)}
    return [
        {
            "number": n,
            "category": category_zh(e),
            "name": e.original_name,
            "description": e.description,
            "size": size_text(e.size),
            "sha256": e.sha256,
            "filename": evidence_filename(n, e),
            "uploaded_at": e.uploaded_at,
            "corrects": position_of.get(e.supersedes_id) if e.supersedes_id else None,
        }
        for n, e in enumerate(evidence, start=1)
    ]


def _of(rows: list[dict[str, Any]], evidence: list[EvidenceFile], *cats: EvidenceCategory) -> list:
    return [row for row, e in zip(rows, evidence, strict=True) if e.category in cats]


def calculation_sheet(case: Case, agreement: Agreement) -> dict[str, Any]:
    """Claimed against agreed, item by item, with the rate cap and the claim check
    (:mod:`app.rules.claims`; 民间借贷规定 Arts. 25–29)."""
    terms = terms_from_json(agreement.terms["terms"])
    claimed = {"principal": case.outstanding_principal, "interest": case.interest}
    claimed |= {"penalty": case.penalty, "fees": case.fees}
    agreed = {"principal": terms.principal, "interest": terms.interest}
    agreed |= {"penalty": terms.penalty, "fees": terms.fees}
    rows = [
        {
            "label": label,
            "claimed": claimed[key] or Decimal("0.00"),
            "agreed": agreed[key],
            "waived": (claimed[key] or Decimal("0.00")) - agreed[key],
        }
        for key, label in ITEMS
    ]
    claimed_total = sum((r["claimed"] for r in rows), Decimal("0.00"))
    transition = _transition(case)
    return {
        "rows": rows,
        "claimed_total": claimed_total,
        "agreed_total": terms.total,
        "waived_total": claimed_total - terms.total,
        "contract": _contract(case),
        "rule_set": rule_set_for(LenderKind(case.lender_kind.value), case.contract_date),
        "transition": transition,
        "cap": None if transition else _cap(case),
        "findings": [
            {
                "severity": SEVERITY_ZH[f.severity.value],
                "message": f.message_zh,
                "source": f.source,
            }
            for f in claim_findings(case)
        ],
    }


def _contract(case: Case) -> list[dict[str, Any]]:
    rows = [
        ("合同编号", case.contract_number or "（未登记）"),
        ("合同成立日期", case.contract_date),
        ("出借本金", case.principal_lent),
        ("约定年利率", percent(case.annual_rate) if case.annual_rate is not None else "（未登记）"),
        ("借款期限", f"{case.term_months}个月" if case.term_months else "（未登记）"),
        ("逾期起始日", case.overdue_since),
    ]
    return [{"label": label, "value": value} for label, value in rows]


def _cap(case: Case) -> dict[str, Any] | None:
    """4 × the one-year LPR in force when the contract was formed: binding for private
    lenders (民间借贷规定 Art. 25), a yardstick courts use for licensed institutions
    (:mod:`app.rules.claims`)."""
    if case.contract_date is None:
        return None
    fixing = lpr_on(case.contract_date, lpr_history())
    if fixing is None:
        return None
    binding = LenderKind(case.lender_kind.value) == LenderKind.PRIVATE_LENDER
    return {
        "lpr_date": fixing.effective,
        "lpr": percent(fixing.rate),
        "cap": percent(fixing.rate * LPR_MULTIPLE),
        "binding": binding,
        "within": case.annual_rate is not None and case.annual_rate <= fixing.rate * LPR_MULTIPLE,
    }


def _transition(case: Case) -> dict[str, Any] | None:
    """A private loan formed before 2020-08-20: its interest in two parts, split at that
    day (民间借贷规定 (2020) Art. 31, :mod:`app.rules.interest_transition`)."""
    facts = claim_facts(case)
    split = None if facts is None else transitional_split(facts, today(), lpr_history())
    if split is None:
        return None
    periods = [
        {
            "rule": p.rule_zh,
            "start": p.start,
            "end": p.end,
            "days": p.days,
            "cap": percent(p.cap),
            "rate": percent(p.rate),
            "amount": p.amount,
            "cap_amount": p.cap_amount,
            "source": p.source,
        }
        for p in split.periods
    ]
    return {
        "base": split.base,
        "contract_rate": percent(split.contract_rate),
        "lpr_date": split.lpr_date,
        "lpr": percent(split.lpr),
        "periods": periods,
        "amount": split.amount,
        "cap_amount": split.cap_amount,
        "void_above_36": split.above_old_void_line,
    }


def evidence_section(case: Case, agreement: Agreement, evidence: list[EvidenceFile]) -> dict:
    rows = evidence_rows(evidence)
    assignment = None
    if case.is_assignee:
        assignment = {
            "original_lender": case.original_lender or "（未登记）",
            "assignment_date": case.assignment_date,
            "debtor_notified": bool(case.debtor_notified),
            "files": _of(rows, evidence, EvidenceCategory.ASSIGNMENT, EvidenceCategory.NOTICE),
        }
    return {
        "rows": rows,
        "total_size": size_text(sum(e.size for e in evidence)),
        "calculation": calculation_sheet(case, agreement),
        "assignment": assignment,
        "attorney_files": _of(
            rows, evidence, EvidenceCategory.ATTORNEY, EvidenceCategory.AGENT_PROOF
        ),
        "identity_files": _of(
            rows,
            evidence,
            EvidenceCategory.ID_FRONT,
            EvidenceCategory.ID_BACK,
            *sorted(PARTY_ID_CATEGORIES),
            EvidenceCategory.IDENTITY,
        ),
    }


# --- sections 2 and 8: the agreement's signatures ---------------------------------------


def _role_zh(case: Case, role: str) -> str:
    """债务人 / 债权人 / 调解员, or an additional party's 保证人 / 共同借款人 (signing as
    ``party-<id>``, :mod:`app.rules.case_parties`); "—" for a role the case does not know."""
    if role in ROLE_ZH:
        return ROLE_ZH[role]
    for party in case.extra_parties:
        if party.signer_role == role:
            return CASE_PARTY_ROLE_ZH[PartyRole(party.role)]
    return "—"


def signature_rows(case: Case, report: VerificationReport) -> list[dict[str, Any]]:
    """Every signature in the final agreement PDF as the verifier reads it; a field
    ``sig-<role>`` names its signer's role."""
    rows = []
    for sig in report.signatures:
        role = _FIELD_ROLE.get(sig.field_name) or sig.field_name.removeprefix("sig-")
        rows.append(
            {
                "field": sig.field_name,
                "role": "调解组织（认证签名）" if sig.is_certification else _role_zh(case, role),
                "signer": sig.signer_name,
                "signing_time": sig.signing_time,
                "timestamp_time": sig.timestamp_time,
                "valid": sig.bottom_line,
                "coverage": _COVERAGE_ZH.get(sig.coverage, "签署时的修订版本"),
            }
        )
    return rows


def platform_records(case: Case, agreement: Agreement) -> list[dict[str, Any]]:
    """What the platform recorded at each signature (电子签名法 Arts. 13–14): who, when,
    from where, after which re-authentication, on which file and producing which file."""
    rows = db.session.scalars(
        select(AgreementSignature)
        .where(AgreementSignature.agreement_id == agreement.id)
        .where(AgreementSignature.version == agreement.version)
        .order_by(AgreementSignature.id)
    )
    return [
        {
            "role": _role_zh(case, s.role),
            "name": s.typed_name or s.user.name,
            "signed_at": s.signed_at,
            "ip": s.ip,
            "method": "键入姓名" if s.method == "typed" else "手写签名",
            "document_sha256": s.document_sha256,
            "result_sha256": s.result_sha256,
        }
        for s in rows
    ]


def certificate_facts(signer: Any) -> dict[str, str]:
    """The organisation's signing certificate as a court reads it."""
    cert = signer.signing_cert
    return {
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "serial": f"{cert.serial_number:X}",
        "not_before": cert.not_valid_before.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "not_after": cert.not_valid_after.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "fingerprint": hashlib.sha256(cert.dump()).hexdigest(),
    }


def verification_section(
    case: Case,
    agreement: Agreement,
    agreement_pdf: bytes,
    report: VerificationReport,
    signer: Any,
    verify_url: str,
) -> dict[str, Any]:
    """The signature verification report (电子签名法 Art. 13; 在线诉讼规则 Art. 16): signers,
    times, hashes, certificate, timestamp, the audit-log head."""
    case_head = db.session.scalar(
        select(AuditEvent.hash)
        .where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return {
        "accepted": report.accepted,
        "problem": report.problem,
        "agreement_sha256": report.sha256,
        "agreement_size": size_text(len(agreement_pdf)),
        "signatures": signature_rows(case, report),
        "records": platform_records(case, agreement),
        "certificate": certificate_facts(signer),
        "has_timestamps": any(s.timestamp_time for s in report.signatures),
        "audit_head": audit.head_hash(),
        "case_head": case_head or "",
        "verify_url": verify_url,
    }
