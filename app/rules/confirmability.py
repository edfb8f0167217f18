"""Can the agreement go to court? The confirmability pre-checks (民诉法解释 Arts. 354,
355, 356, 358; CPL Arts. 115, 205).

Run before the judicial-confirmation package is released. Courts refuse to accept
(民诉法解释 Art. 355) or reject (Art. 358) applications that are late, sent to the wrong
court, incomplete or unlawful; each check catches one such defect first. A block stops the
release; a warning needs the mediator's acknowledgement, recorded by its code. The inputs
are plain values the caller computed (the 30-day window, the competent courts, the claim
flags), so these checks only judge them. A screening aid, not legal advice.

This is the public entry point; the facts live in ``confirmability_facts`` and the checks on
procedure and on the people in ``confirmability_procedure`` and ``confirmability_parties``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from app.rules.claims import SOURCE_INSTITUTION_LINE, SOURCE_PENALTY, Finding, Severity
from app.rules.collusion import check_signals
from app.rules.confirmability_facts import (
    DOCUMENT_NAMES,
    EXCLUDED_SUBJECT_MATTER,
    FAST_AGREEMENT,
    REQUIRED_DOCUMENTS,
    REQUIRED_SIGNERS,
    SOURCE_ASSIGNMENT,
    SOURCE_FAST,
    SOURCE_INTEREST_CAP,
    SOURCE_PRINCIPAL,
    SOURCE_VOLUNTARY,
    WARN_DAYS_BEFORE_END,
    AgentFacts,
    ConfirmabilityFacts,
    PartyFacts,
    SubjectMatter,
    block,
    warn,
)
from app.rules.confirmability_parties import check_agents, check_ages, check_collusion
from app.rules.confirmability_procedure import (
    check_agreement,
    check_court,
    check_documents,
    check_mediator,
    check_subject_matter,
    check_window,
)
from app.rules.contract_numbers import check_contract_number
from app.rules.identity_papers import check_identity_papers
from app.rules.money import to_fen

__all__ = [
    "DOCUMENT_NAMES",
    "EXCLUDED_SUBJECT_MATTER",
    "REQUIRED_DOCUMENTS",
    "REQUIRED_SIGNERS",
    "AgentFacts",
    "ClaimFlags",
    "ConfirmabilityFacts",
    "PartyFacts",
    "SubjectMatter",
    "check_confirmability",
    "flags_from_claim_findings",
    "is_releasable",
    "unacknowledged_warnings",
]

_RANK = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}
_PRIVATE_CAP_CODES = frozenset(
    {"private_rate_over_cap", "private_charges_over_cap", "transitional_charges_over_cap"}
)


@dataclass(frozen=True)
class ClaimFlags:
    """What the claim check found that matters in court (see ``flags_from_claim_findings``)."""

    interest_over_private_cap: bool
    institution_cost_over_line: bool
    penalty_over_30pct: bool


def flags_from_claim_findings(findings: Iterable[Finding]) -> ClaimFlags:
    """Read the claim check's findings (``app.rules.claims.check_claim``) as
    the three flags confirmation cares about: the private-lending cap broken by the rate
    or by the charges (民间借贷规定 Art. 25), an institution's cost above the configured
    line (法发〔2017〕22号 item 2), a penalty more than 30% above the loss (民法典 Art. 585).
    Cost above 4 × LPR for an institution, an unknown LPR, limitation and the claim's own
    assignment warnings are not mapped: confirmation checks the assignment itself."""
    codes = {f.code for f in findings}
    return ClaimFlags(
        interest_over_private_cap=bool(codes & _PRIVATE_CAP_CODES),
        institution_cost_over_line="institution_cost_over_line" in codes,
        penalty_over_30pct="penalty_excessive" in codes,
    )


def check_confirmability(
    facts: ConfirmabilityFacts,
    *,
    fast_agreement_threshold: timedelta = FAST_AGREEMENT,
    warn_days_before_end: int = WARN_DAYS_BEFORE_END,
) -> list[Finding]:
    """Every reason a court could refuse or reject the application (民诉法解释 Arts.
    354, 355, 358; CPL Art. 205), blocks first, then warnings. Each warning code occurs
    at most once, so acknowledging a code acknowledges exactly one finding; a block code
    may repeat (one per missing document, minor, or shared contact). Raises
    ``ValueError`` for an agreement in force without ``window_end``."""
    findings = [
        *check_agreement(facts),
        *check_window(facts, warn_days_before_end),
        *check_court(facts),
        *check_documents(facts),
        *_check_identity_papers(facts),
        *check_mediator(facts),
        *check_subject_matter(facts),
        *check_ages(facts),
        *check_collusion(facts),
        *check_signals(facts.collusion),
        *check_agents(facts),
        *_check_terms(facts),
        *_check_charges(facts),
        *_check_voluntary(facts, fast_agreement_threshold),
        *check_contract_number(facts.contract_number, facts.evidence_contract_numbers),
    ]
    return sorted(findings, key=lambda f: _RANK[f.severity])


def unacknowledged_warnings(
    findings: Iterable[Finding], acknowledged: Collection[str]
) -> list[Finding]:
    """The warnings whose code the mediator has not acknowledged (issue 6)."""
    return [f for f in findings if f.severity is Severity.WARN and f.code not in acknowledged]


def is_releasable(findings: Collection[Finding], acknowledged_codes: Collection[str]) -> bool:
    """The package may be released when nothing blocks and the mediator has acknowledged
    every warning. Acknowledging a block changes nothing."""
    blocked = any(f.severity is Severity.BLOCK for f in findings)
    return not blocked and not unacknowledged_warnings(findings, acknowledged_codes)


def _check_identity_papers(facts: ConfirmabilityFacts) -> list[Finding]:
    """The identity and qualification papers as files, not numbers (法释〔2011〕5号
    Art. 3; 民诉法解释 Art. 354): :mod:`app.rules.identity_papers`."""
    if facts.identity_papers is None:
        return []
    return check_identity_papers(facts.identity_papers, facts.today)


def _check_terms(facts: ConfirmabilityFacts) -> list[Finding]:
    """The agreed principal may not exceed the documented outstanding principal: interest
    is not principal (民法典 Art. 670; 民间借贷规定 Art. 26; 民诉法解释 Art. 358). An
    assignee shows the chain of assignments and that the debtor was notified, without
    which the assignment does not bind the debtor (民法典 Arts. 545, 546)."""
    findings: list[Finding] = []
    agreed, owed = facts.agreed_principal, facts.documented_outstanding_principal
    if agreed > owed:
        findings.append(
            block(
                "confirm.principal_above_outstanding",
                f"协议约定的本金{_yuan(agreed)}超过有证据证明的未还本金{_yuan(owed)}。"
                "请按证据载明的本金修改协议。",
                f"The agreed principal of {_yuan(agreed)} is more than the documented "
                f"outstanding principal of {_yuan(owed)}. Correct the agreement to the "
                "documented principal.",
                SOURCE_PRINCIPAL,
            )
        )
    if facts.is_assignee and not facts.has_assignment_chain:
        findings.append(
            block(
                "confirm.assignment_chain_missing",
                "债权人是受让人，但证据中没有完整的债权转让链条（转让协议及每一次转让）。",
                "The creditor acquired the debt by assignment, but the evidence lacks the full "
                "assignment chain (each assignment agreement).",
                SOURCE_ASSIGNMENT,
            )
        )
    if facts.is_assignee and not facts.debtor_notified_of_assignment:
        findings.append(
            block(
                "confirm.assignment_not_notified",
                "没有证据证明已将债权转让通知债务人；未经通知，转让对债务人不发生效力。",
                "There is no proof that the debtor was told of the assignment; until notified, "
                "the assignment does not bind the debtor.",
                SOURCE_ASSIGNMENT,
            )
        )
    return findings


def _check_charges(facts: ConfirmabilityFacts) -> list[Finding]:
    """Private interest above 4 × LPR is unlawful (民间借贷规定 Art. 25): block. An
    institution's cost above the configured line (法发〔2017〕22号 item 2) and a penalty more
    than 30% above the loss (民法典 Art. 585) may be cut by the court: warn."""
    findings: list[Finding] = []
    if facts.interest_over_private_cap:
        findings.append(
            block(
                "confirm.interest_over_cap",
                "利息、违约金和费用超过民间借贷利率上限（合同成立时一年期LPR的四倍），"
                "法院对超过部分不予确认。请按上限重新计算（数额见债权审查结果）。",
                "Interest, penalty and fees exceed the private-lending cap (four times the "
                "one-year LPR when the contract was made); the court will not confirm the "
                "excess. Recalculate within the cap (the claim check shows the figures).",
                SOURCE_INTEREST_CAP,
            )
        )
    if facts.institution_cost_over_line:
        findings.append(
            warn(
                "confirm.institution_cost_high",
                "金融机构的年化综合成本超过设定的警示线，法院可能认为收费过高"
                "而不予确认或要求调减（数额见债权审查结果）。",
                "The institution's all-in annual cost is above the configured line; the court "
                "may find the charges excessive and refuse or ask for a reduction (the claim "
                "check shows the figures).",
                SOURCE_INSTITUTION_LINE,
            )
        )
    if facts.penalty_over_30pct:
        findings.append(
            warn(
                "confirm.penalty_excessive",
                "违约金超过估算损失的百分之一百三十，法院可能认为过高（数额见债权审查结果）。",
                "The penalty is more than 30% above the estimated loss; the court may find it "
                "excessive (the claim check shows the figures).",
                SOURCE_PENALTY,
            )
        )
    return findings


def _check_voluntary(facts: ConfirmabilityFacts, fast: timedelta) -> list[Finding]:
    """Only a voluntary agreement can be confirmed (人民调解法 Art. 3; 民诉法解释 Art.
    358): an open objection blocks; contact-rule violations are a warning, and so is an
    agreement reached faster than ``fast``, because staged mediations are quick (CPL Art.
    115; the court may ask for more proof, 民诉法解释 Art. 356, and rejects, Art. 358)."""
    findings: list[Finding] = []
    if facts.open_objections > 0:
        n = facts.open_objections
        findings.append(
            block(
                "confirm.open_objection",
                f"本案还有{n}项异议未处理。存在争议的协议不能证明出于自愿，请先处理异议。",
                f"The case still has {n} open objection{'s' if n != 1 else ''}. Resolve them "
                "first: an agreement still in dispute cannot show it was voluntary.",
                SOURCE_VOLUNTARY,
            )
        )
    if facts.contact_violations > 0:
        n = facts.contact_violations
        findings.append(
            warn(
                "confirm.contact_violations",
                f"本案有{n}次联系违反联系规则（免打扰时段、频次或内容）。"
                "债务人可能主张协议并非自愿。",
                f"The case has {n} contact{'s' if n != 1 else ''} that broke the contact rules "
                "(quiet hours, frequency or content). The debtor may say the agreement was not "
                "voluntary.",
                SOURCE_VOLUNTARY,
            )
        )
    took = facts.agreement_concluded_in
    if took is not None and took < fast:
        findings.append(_fast_agreement(took, fast))
    return findings


def _fast_agreement(took: timedelta, fast: timedelta) -> Finding:
    (zh, en), (limit_zh, limit_en) = _duration(took), _duration(fast)
    return warn(
        "confirm.fast_agreement",
        f"从受理到协议生效仅用了{zh}，少于{limit_zh}。请核实双方确实经过调解、出于自愿。",
        f"The agreement took effect {en} after the case was accepted, under {limit_en}. "
        "Check that a real mediation took place and both sides agreed freely.",
        SOURCE_FAST,
    )


def _duration(span: timedelta) -> tuple[str, str]:
    """Whole hours and minutes, rounded down; a negative span (clock skew) reads as 0."""
    minutes = max(int(span.total_seconds() // 60), 0)
    hours, rest = divmod(minutes, 60)
    return f"{hours}小时{rest}分钟", f"{hours} h {rest} min"


def _yuan(amount: Decimal) -> str:
    return f"¥{to_fen(amount):,.2f}"
