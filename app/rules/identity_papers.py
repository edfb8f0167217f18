"""Which identity and qualification papers the court package must carry as files, and
what is missing (法释〔2011〕5号 Art. 3: the application attaches the parties' identity and
qualification proof, 身份证明、资格证明; 民诉法解释 Art. 354: the court asks for what is
missing before it accepts the application).

The stored ID number is not proof of identity: the court wants the document itself. So:
- a natural person (the debtor; each guarantor and co-borrower, who sign the agreement and
  the application as parties; a natural-person lender) gives a copy of the ID, front
  (人像面) and back (国徽面);
- an institution gives its business licence (营业执照) and its financial licence
  (金融许可证; for a consumer-finance company its licence, for a local financial
  organisation its licence or approval), a licence past its expiry date proves nothing;
- whoever acts for a party as agent shows why they may: proof of employment (劳动合同、
  社保缴纳证明、在职证明) or of the relationship (CPL Art. 61).

Plain values only; the caller reads what is on file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.rules.citations import cite
from app.rules.claims import Finding, Severity

SOURCE_IDENTITY_PAPERS = cite("confirmation_rules.3", "cpl_interp.354")
SOURCE_AGENT_PROOF = cite("cpl.61", "confirmation_rules.3", "cpl_interp.354")


class Paper(StrEnum):
    DEBTOR_ID_FRONT = "debtor_id_front"
    DEBTOR_ID_BACK = "debtor_id_back"
    BUSINESS_LICENCE = "business_licence"
    FINANCIAL_LICENCE = "financial_licence"
    LENDER_ID_FRONT = "lender_id_front"
    LENDER_ID_BACK = "lender_id_back"
    AGENT_PROOF = "agent_proof"


_ZH_MISSING = "（须提交文件，仅登记证件号码不够），请上传后再提交。"
_EN_MISSING = " as a file (a number on record is not enough). Upload it before filing."
# (code, zh, en, source) per paper: the README's pre-check list reads these tables
# (app.rules.precheck_list).
MISSING: dict[Paper, tuple[str, str, str, str]] = {
    Paper.DEBTOR_ID_FRONT: (
        "confirm.paper_missing.debtor_id_front",
        "申请材料缺少债务人身份证复印件（人像面）",
        "The package lacks the debtor's ID copy (front)",
        SOURCE_IDENTITY_PAPERS,
    ),
    Paper.DEBTOR_ID_BACK: (
        "confirm.paper_missing.debtor_id_back",
        "申请材料缺少债务人身份证复印件（国徽面）",
        "The package lacks the debtor's ID copy (back)",
        SOURCE_IDENTITY_PAPERS,
    ),
    Paper.BUSINESS_LICENCE: (
        "confirm.paper_missing.business_licence",
        "申请材料缺少债权人营业执照",
        "The package lacks the creditor's business licence",
        SOURCE_IDENTITY_PAPERS,
    ),
    Paper.FINANCIAL_LICENCE: (
        "confirm.paper_missing.financial_licence",
        "申请材料缺少债权人金融许可证（或金融业务经营许可文件）",
        "The package lacks the creditor's financial licence",
        SOURCE_IDENTITY_PAPERS,
    ),
    Paper.LENDER_ID_FRONT: (
        "confirm.paper_missing.lender_id_front",
        "申请材料缺少出借人身份证复印件（人像面）",
        "The package lacks the lender's ID copy (front)",
        SOURCE_IDENTITY_PAPERS,
    ),
    Paper.LENDER_ID_BACK: (
        "confirm.paper_missing.lender_id_back",
        "申请材料缺少出借人身份证复印件（国徽面）",
        "The package lacks the lender's ID copy (back)",
        SOURCE_IDENTITY_PAPERS,
    ),
    Paper.AGENT_PROOF: (
        "confirm.paper_missing.agent_proof",
        "申请材料缺少委托代理人的在职证明或与当事人关系的证明",
        "The package lacks the agent's proof of employment or relationship",
        SOURCE_AGENT_PROOF,
    ),
}
# A guarantor's or co-borrower's copy, one side: ``{party}`` is who (保证人冯保国).
PARTY_MISSING: dict[str, tuple[str, str, str, str]] = {
    "front": (
        "confirm.paper_missing.party_id_front",
        "申请材料缺少{party}的身份证复印件（人像面）",
        "The package lacks the ID copy (front) of the {party}",
        SOURCE_IDENTITY_PAPERS,
    ),
    "back": (
        "confirm.paper_missing.party_id_back",
        "申请材料缺少{party}的身份证复印件（国徽面）",
        "The package lacks the ID copy (back) of the {party}",
        SOURCE_IDENTITY_PAPERS,
    ),
}
EXPIRED: dict[Paper, tuple[str, str, str, str]] = {
    Paper.BUSINESS_LICENCE: (
        "confirm.paper_expired.business_licence",
        "债权人营业执照已过有效期，请上传有效的文件",
        "The creditor's business licence has expired. Upload a valid one",
        SOURCE_IDENTITY_PAPERS,
    ),
    Paper.FINANCIAL_LICENCE: (
        "confirm.paper_expired.financial_licence",
        "债权人金融许可证已过有效期，请上传有效的文件",
        "The creditor's financial licence has expired. Upload a valid one",
        SOURCE_IDENTITY_PAPERS,
    ),
}


@dataclass(frozen=True)
class PartyPapers:
    """A guarantor's or co-borrower's own ID copy on file, side by side: who they are in
    each language (保证人冯保国 / guarantor 冯保国) and the sides given."""

    who_zh: str
    who_en: str
    sides: frozenset[str]  # "front", "back"


@dataclass(frozen=True)
class PapersOnFile:
    """What is on file: each paper present, with the licences' expiry dates (None: no
    expiry stated). ``lender_is_natural_person``: the creditor is a private individual;
    ``agent_acts``: someone signs for the creditor as its agent."""

    present: frozenset[Paper]
    lender_is_natural_person: bool
    agent_acts: bool
    expiry: tuple[tuple[Paper, date], ...] = ()
    parties: tuple[PartyPapers, ...] = ()  # the additional parties to the agreement


def required_papers(lender_is_natural_person: bool, agent_acts: bool) -> tuple[Paper, ...]:
    """The papers the package needs, in the order it prints them."""
    needed = [Paper.DEBTOR_ID_FRONT, Paper.DEBTOR_ID_BACK]
    if lender_is_natural_person:
        needed += [Paper.LENDER_ID_FRONT, Paper.LENDER_ID_BACK]
    else:
        needed += [Paper.BUSINESS_LICENCE, Paper.FINANCIAL_LICENCE]
    if agent_acts:
        needed.append(Paper.AGENT_PROOF)
    return tuple(needed)


def check_identity_papers(papers: PapersOnFile, today: date) -> list[Finding]:
    """One block per paper missing (each additional party's sides included), and one per
    licence expired before ``today``."""
    findings = []
    for paper in required_papers(papers.lender_is_natural_person, papers.agent_acts):
        if paper not in papers.present:
            code, zh, en, source = MISSING[paper]
            findings.append(
                Finding(code, Severity.BLOCK, zh + _ZH_MISSING, en + _EN_MISSING, source)
            )
    for party in papers.parties:
        for side, (code, zh, en, source) in PARTY_MISSING.items():
            if side not in party.sides:
                zh_party, en_party = zh.format(party=party.who_zh), en.format(party=party.who_en)
                findings.append(
                    Finding(
                        code, Severity.BLOCK, zh_party + _ZH_MISSING, en_party + _EN_MISSING, source
                    )
                )
    for paper, until in papers.expiry:
        if until < today and paper in papers.present and paper in EXPIRED:
            code, zh, en, source = EXPIRED[paper]
            day_zh = f"（有效期至{until.year}年{until.month}月{until.day}日）。"
            day_en = f" (it expired on {until.isoformat()})."
            findings.append(Finding(code, Severity.BLOCK, zh + day_zh, en + day_en, source))
    return findings
