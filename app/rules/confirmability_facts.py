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

from app.rules.citations import cite
from app.rules.claims import Finding, Severity
from app.rules.collusion import CollusionFacts
from app.rules.identity_papers import PapersOnFile
from app.rules.powers_of_attorney import PowerOfAttorney
from app.rules.proposals import Side

ADULT_AGE = 18  # 民法典 Art. 17 (ages: app.rules.identity.capacity_on)
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

# Every source is drawn from the one table of citations (app.rules.citations).
SOURCE_IN_FORCE = cite("mediation_law.29", "mediation_law.33", "cpl.205")
SOURCE_WINDOW = cite("cpl.205", "cpl.85", "mediation_law.33")
SOURCE_CALENDAR = cite("cpl.85", "holidays.2")
SOURCE_COURT = cite("cpl.205", "level_notice_2021.1", "level_notice_2021.2", "cpl_interp.355")
SOURCE_DOCUMENTS = cite("cpl_interp.354")
SOURCE_MINOR = cite("civil_code.17", "civil_code.19", "civil_code.145", "cpl_interp.358")
SOURCE_MINOR_OWN_INCOME = cite("civil_code.18.2", "cpl_interp.358")
SOURCE_AGE_UNKNOWN = cite("civil_code.17", "cpl_interp.354")
SOURCE_COLLUSION = cite("cpl.115", "cpl_interp.358")
SOURCE_PRINCIPAL = cite("civil_code.670", "private_lending.26", "cpl_interp.358")
SOURCE_ASSIGNMENT = cite("civil_code.545", "civil_code.546", "cpl_interp.354")
SOURCE_INTEREST_CAP = cite("private_lending.25", "cpl_interp.358")
SOURCE_EXCLUDED = cite("cpl_interp.355")
SOURCE_VOLUNTARY = cite("mediation_law.3", "cpl_interp.358")
SOURCE_AGENT = cite("cpl.61", "cpl.62", "cpl_interp.351")
SOURCE_MEDIATOR = cite("mediation_law.13", "mediation_law.14", "cpl_interp.354", "cpl_interp.356")
# A staged mediation is sham litigation (CPL Art. 115); the court may ask for more proof
# (民诉法解释 Art. 356) and rejects a collusive or involuntary agreement (Art. 358). Art.
# 357, cited here before, is about withdrawing the application.
SOURCE_FAST = cite("cpl.115", "cpl_interp.356", "cpl_interp.358")


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
    """Someone acting for a party: an employee or a lawyer, never platform staff.
    ``power_of_attorney`` is the content recorded for the file (None: not recorded);
    ``signed_on`` the day the agent signed the agreement; ``settles_for_less`` whether the
    agreement gives up part of the claim (it then needs special authorisation)."""

    name: str
    has_power_of_attorney: bool
    is_platform_staff: bool
    power_of_attorney: PowerOfAttorney | None = None
    signed_on: date | None = None
    settles_for_less: bool = False


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
    # The case's contract number and, per evidence file that states any, the numbers it
    # states (app.rules.contract_numbers); empty when nothing is known.
    contract_number: str | None = None
    evidence_contract_numbers: tuple[tuple[str, frozenset[str]], ...] = ()
    # The identity and qualification papers on file as files (app.rules.identity_papers);
    # None: not judged (a caller that does not read them).
    identity_papers: PapersOnFile | None = None
    # This case's debtor compared across the organisation (app.rules.collusion).
    collusion: CollusionFacts = CollusionFacts()
    # Whether the presiding mediator's appointment by the committee is on record
    # (人民调解法 Arts. 13-14; printed in the proof that the organisation presided).
    mediator_appointed: bool = True
    # The guarantors' and co-borrowers' signature blocks (``party-<id>``) with the label
    # and name to print: each must sign too (app.rules.agreement_signing).
    extra_signers: tuple[tuple[str, str], ...] = ()


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
