"""The values the confirmability pre-checks judge, and the words they judge them in.

Plain values only: the caller computes the 30-day window, the competent courts
and the claim flags, so the checks in ``confirmability`` and its sibling modules depend on
no calendar, directory or database. The legal sources are written out in full, as in
``app.rules.claims``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from app.rules.claims import Finding, Severity
from app.rules.proposals import Side

ADULT_AGE = 18
WARN_DAYS_BEFORE_END = 10
FAST_AGREEMENT = timedelta(hours=24)
REQUIRED_SIGNERS: tuple[Side, ...] = (Side.DEBTOR, Side.CREDITOR, Side.MEDIATOR)
DOCUMENT_NAMES: dict[str, tuple[str, str]] = {  # 民诉法解释 Art. 354, in package order
    "application": ("司法确认申请书", "the joint application"),
    "agreement": ("调解协议书", "the signed agreement"),
    "presiding_proof": ("调解组织主持调解的证明", "the proof that the organisation presided"),
    "identity": ("身份和资格证明", "the identity and qualification proof"),
    "evidence": ("债权证据", "the evidence of the debt"),
    "service_address": ("送达地址确认书", "the address-for-service confirmation"),
    "commitment_debtor": ("债务人承诺书", "the debtor's commitment letter"),
    "commitment_creditor": ("债权人承诺书", "the creditor's commitment letter"),
    "verification_report": ("电子签名验证报告", "the signature verification report"),
}
REQUIRED_DOCUMENTS: tuple[str, ...] = tuple(DOCUMENT_NAMES)

_CPL = "《中华人民共和国民事诉讼法》"
_CPL_INTERP = "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》"
_MEDIATION = "《中华人民共和国人民调解法》"
_CIVIL_CODE = "《中华人民共和国民法典》"
_PRIVATE_LENDING = "《最高人民法院关于审理民间借贷案件适用法律若干问题的规定》"
SOURCE_IN_FORCE = f"{_MEDIATION}第二十九条、第三十三条;{_CPL}第二百零五条"
SOURCE_WINDOW = f"{_CPL}第二百零五条、第八十五条;{_MEDIATION}第三十三条"
SOURCE_CALENDAR = f"{_CPL}第八十五条;《全国年节及纪念日放假办法》"
SOURCE_COURT = f"{_CPL}第二百零五条;{_CPL_INTERP}第三百五十五条"
SOURCE_DOCUMENTS = f"{_CPL_INTERP}第三百五十四条"
SOURCE_MINOR = f"{_CIVIL_CODE}第十七条、第十九条、第一百四十五条;{_CPL_INTERP}第三百五十八条"
SOURCE_AGE_UNKNOWN = f"{_CIVIL_CODE}第十七条;{_CPL_INTERP}第三百五十四条"
SOURCE_COLLUSION = f"{_CPL}第一百一十五条;{_CPL_INTERP}第三百五十八条"
SOURCE_PRINCIPAL = (
    f"{_CIVIL_CODE}第六百七十条;{_PRIVATE_LENDING}第二十六条;{_CPL_INTERP}第三百五十八条"
)
SOURCE_ASSIGNMENT = f"{_CIVIL_CODE}第五百四十五条、第五百四十六条;{_CPL_INTERP}第三百五十四条"
SOURCE_INTEREST_CAP = f"{_PRIVATE_LENDING}第二十五条;{_CPL_INTERP}第三百五十八条"
SOURCE_EXCLUDED = f"{_CPL_INTERP}第三百五十五条"
SOURCE_VOLUNTARY = f"{_MEDIATION}第三条;{_CPL_INTERP}第三百五十八条"
SOURCE_AGENT = f"{_CPL}第六十一条、第六十二条;{_CPL_INTERP}第三百五十一条"
SOURCE_FAST = f"{_CPL}第一百一十五条;{_CPL_INTERP}第三百五十七条"


class SubjectMatter(StrEnum):
    """What the agreement settles. Status relations and the ownership of real rights or
    IP cannot be confirmed (民诉法解释 Art. 355)."""

    DEBT = "debt"
    MARRIAGE = "marriage"
    PARENTAGE = "parentage"
    ADOPTION = "adoption"
    REAL_RIGHTS = "real_rights"
    IP = "ip"


EXCLUDED_SUBJECT_MATTER: dict[SubjectMatter, tuple[str, str]] = {
    SubjectMatter.MARRIAGE: ("婚姻关系", "a marriage"),
    SubjectMatter.PARENTAGE: ("亲子关系", "parentage"),
    SubjectMatter.ADOPTION: ("收养关系", "an adoption"),
    SubjectMatter.REAL_RIGHTS: ("物权确权", "the ownership of real rights"),
    SubjectMatter.IP: ("知识产权确权", "the ownership of intellectual property"),
}


@dataclass(frozen=True)
class AgentFacts:
    """Someone acting for a party: an employee or a lawyer, never platform staff."""

    name: str
    has_power_of_attorney: bool
    is_platform_staff: bool


@dataclass(frozen=True)
class PartyFacts:
    """One party. ``id_number`` is the resident ID (or other document) of a natural person
    or the unified social credit code of an entity; ``birth_date`` falls back to the one
    in an 18-digit resident ID. ``devices`` holds device fingerprints and IP addresses."""

    side: Side
    name: str
    is_natural_person: bool
    id_number: str | None
    birth_date: date | None
    phone: str | None
    devices: frozenset[str]
    agent: AgentFacts | None

    def __post_init__(self) -> None:
        if self.side is Side.MEDIATOR:
            raise ValueError("a party is on the debtor's or the creditor's side")


@dataclass(frozen=True)
class ConfirmabilityFacts:
    """Everything the pre-checks judge, as plain values. ``window_end`` is the last day
    of the 30-day window, already moved off holidays; ``agreement_concluded_in`` runs
    from the case's acceptance to the agreement taking effect."""

    agreement_in_force: bool
    signed_roles: frozenset[str]
    effective_on: date | None
    window_end: date | None
    window_certain: bool
    today: date
    chosen_court: str | None
    competent_courts: tuple[str, ...]
    documents_present: frozenset[str]
    parties: tuple[PartyFacts, ...]
    agreed_principal: Decimal
    documented_outstanding_principal: Decimal
    is_assignee: bool
    has_assignment_chain: bool
    debtor_notified_of_assignment: bool
    interest_over_private_cap: bool
    institution_cost_over_line: bool
    penalty_over_30pct: bool
    subject_matter: SubjectMatter
    open_objections: int
    contact_violations: int
    agreement_concluded_in: timedelta | None


def block(code: str, zh: str, en: str, source: str) -> Finding:
    """A finding that stops the package from being released."""
    return Finding(code, Severity.BLOCK, zh, en, source)


def warn(code: str, zh: str, en: str, source: str) -> Finding:
    """A finding the mediator must acknowledge before the package is released."""
    return Finding(code, Severity.WARN, zh, en, source)


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def days_en(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"
