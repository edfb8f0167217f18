"""Offers and counter-offers: what a proposal settles for, who may answer it, and what
the claim check says about it.

A party's proposal is an offer; the other party's acceptance makes the agreement
(民法典 Arts. 471, 479, 483), a rejection ends the offer (Art. 478) and a counter-offer
replaces it (Art. 488). A mediator may put forward a solution (人民调解法 Art. 22), but
only the parties can agree to it, voluntarily (Art. 3). Accepting one proposal closes
the others. This is a screening aid for the mediator, not legal advice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, ClassVar

from app.rules.citations import cite
from app.rules.claims import (
    DEFAULT_LPR_HISTORY,
    DEFAULT_POLICY,
    LPR_MULTIPLE,
    SOURCE_RATE_CAP,
    ClaimFacts,
    ClaimPolicy,
    Finding,
    LprFixing,
    Severity,
    check_claim,
    lpr_on,
)
from app.rules.errors import InvalidInput, Refused
from app.rules.money import FEN, format_rate, to_fen
from app.rules.schedules import Schedule, add_months, require_fen

LONG_SCHEDULE_MONTHS = 60
SOURCE_RELEASE = cite("civil_code.575")
SOURCE_PRACTICE = "调解实务提示（非法律规定）"
_RANK = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}
_PENALTY_CODE = "penalty_excessive"
_RATE_CODE = "private_rate_over_cap"


class Side(StrEnum):
    DEBTOR = "debtor"
    CREDITOR = "creditor"
    MEDIATOR = "mediator"


class ProposalState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # replaced by a revision or a counter-offer
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"  # another proposal was accepted


class TermsKind(StrEnum):
    LUMP_SUM = "lump_sum"
    INSTALMENTS = "instalments"


class ProposalRuleError(Refused):
    """A move the negotiation rules do not allow; ``code`` says which rule.

    The proposal or the case having moved on (``MOVED_ON``: somebody else acted first)
    is a 409, like any refusal; a move this person may never make is a 403. The words
    are the negotiation's: :mod:`app.negotiation.proposals` fills ``messages``.
    """

    messages: ClassVar[dict[str, Any]] = {}
    MOVED_ON: ClassVar[frozenset[str]] = frozenset(
        {"not_open", "already_accepted", "case_not_negotiating"}
    )

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        params.setdefault("status", 409 if code in self.MOVED_ON else 403)
        super().__init__(code, field, **params)


@dataclass(frozen=True)
class ClaimAmounts:
    """What is claimed, in yuan: outstanding principal and the charges on it."""

    principal: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.fees


def claim_amounts(facts: ClaimFacts) -> ClaimAmounts:
    return ClaimAmounts(facts.outstanding_principal, facts.interest, facts.penalty, facts.fees)


@dataclass(frozen=True)
class Terms:
    """What a proposal settles for. ``principal + interest + fees == total`` always;
    ``fees`` is everything that is neither principal nor interest, i.e. fees and the
    penalty (违约金) together (``split_fees`` separates them). ``discount`` is the claim
    total less the agreed total, waived items included."""

    kind: str  # "lump_sum" | "instalments"
    total: Decimal
    principal: Decimal
    interest: Decimal
    fees: Decimal
    waive_interest: bool
    waive_penalty: bool
    discount: Decimal

    def __post_init__(self) -> None:
        if self.principal + self.interest + self.fees != self.total:
            raise ValueError("principal, interest and fees must add up to the total")
        if self.discount < 0:
            raise ValueError("a settlement never exceeds the claim")


def settle_terms(
    claim: ClaimAmounts,
    *,
    total: Decimal,
    waive_interest: bool,
    waive_penalty: bool,
    kind: str = TermsKind.INSTALMENTS,
) -> Terms:
    """Split an agreed total into principal, interest and fees so the agreement can state
    them separately (民诉法解释 Art. 358(5)).

    The total pays principal first, then interest, then fees, then the penalty; put the
    other way, a discount comes off the penalty first, then fees, then interest, and only
    then principal. 民法典 Art. 561 puts costs and interest before principal only "unless
    the parties agree otherwise", and a settlement is such an agreement. Principal first
    is the least objectionable split: the agreement never states more interest or penalty
    than the money covers, the charges courts most often cut (民间借贷规定 Arts. 25, 29;
    民法典 Art. 585) go first, and principal never exceeds the documented principal. A
    waived item gets nothing; a discount may reach into principal (flagged, not refused).

    Refusal codes: ``terms_kind``, ``money_precision``, ``money_zero`` (total ≤ 0),
    ``total_above_claim``, ``total_above_waived_claim`` (more than the claim once the
    waived interest or penalty is taken off).
    """
    interest_cap = Decimal(0) if waive_interest else claim.interest
    penalty_cap = Decimal(0) if waive_penalty else claim.penalty
    _check_total(kind, total, claim, claim.principal + interest_cap + claim.fees + penalty_cap)
    principal = min(total, claim.principal)
    interest = min(total - principal, interest_cap)
    return Terms(
        kind=TermsKind(kind),
        total=to_fen(total),
        principal=to_fen(principal),
        interest=to_fen(interest),
        fees=to_fen(total - principal - interest),
        waive_interest=waive_interest,
        waive_penalty=waive_penalty,
        discount=to_fen(claim.total - total),
    )


def _check_total(kind: str, total: Decimal, claim: ClaimAmounts, ceiling: Decimal) -> None:
    if kind not in set(TermsKind):
        raise InvalidInput("terms_kind")
    require_fen(total)
    if total <= 0:
        raise InvalidInput("money_zero")
    if total > claim.total:
        raise InvalidInput("total_above_claim")
    if total > ceiling:
        raise InvalidInput("total_above_waived_claim")


def split_fees(terms: Terms, claim: ClaimAmounts) -> tuple[Decimal, Decimal]:
    """The ``fees`` part of the terms as (fees, penalty): fees are paid before the
    penalty, as in ``settle_terms``."""
    fees = min(terms.fees, claim.fees)
    return to_fen(fees), to_fen(terms.fees - fees)


def acceptance_complete(proposer: Side, accepted_by: frozenset[Side]) -> bool:
    """Is the proposal agreed? A party's proposal needs the other party; a mediator's
    needs both, because only the parties can agree (人民调解法 Arts. 3, 22)."""
    needed = {
        Side.DEBTOR: {Side.CREDITOR},
        Side.CREDITOR: {Side.DEBTOR},
        Side.MEDIATOR: {Side.DEBTOR, Side.CREDITOR},
    }[Side(proposer)]
    return needed <= _sides(accepted_by)


def accept(
    state: ProposalState,
    *,
    proposer: Side,
    actor: Side,
    accepted_by: frozenset[Side] = frozenset(),
) -> ProposalState:
    """``actor`` accepts an open proposal; ``accepted_by`` are the sides that already
    accepted it. Returns ACCEPTED once acceptance is complete (``acceptance_complete``),
    else OPEN (a mediator's proposal accepted by one party so far). Codes: ``not_open``,
    ``mediator_cannot_accept`` (the mediator is not a party), ``own_proposal``,
    ``already_accepted`` (民法典 Arts. 479, 483; 人民调解法 Art. 3)."""
    _require_open(state)
    _require_other_party(proposer, actor, "mediator_cannot_accept")
    if Side(actor) in _sides(accepted_by):
        raise ProposalRuleError("already_accepted")
    done = acceptance_complete(proposer, _sides(accepted_by) | {Side(actor)})
    return ProposalState.ACCEPTED if done else ProposalState.OPEN


def reject(state: ProposalState, *, proposer: Side, actor: Side) -> ProposalState:
    """A party other than the proposer rejects an open proposal, which ends it (民法典
    Art. 478); one party's rejection ends a mediator's proposal, since it needs both.
    Codes: ``not_open``, ``mediator_cannot_reject``, ``own_proposal``."""
    _require_open(state)
    _require_other_party(proposer, actor, "mediator_cannot_reject")
    return ProposalState.REJECTED


def withdraw(
    state: ProposalState, *, proposer: Side, actor: Side, breaks_rule: bool = False
) -> ProposalState:
    """The proposer may withdraw an open proposal before it is accepted (民法典 Arts. 476,
    477). The mediator may also withdraw another side's proposal that breaks a rule, e.g.
    one with a blocking finding (人民调解法 Art. 3: no agreement against the law); the
    caller says so with ``breaks_rule``. Codes: ``not_open``, ``not_allowed``."""
    _require_open(state)
    if Side(actor) == Side(proposer) or (Side(actor) == Side.MEDIATOR and breaks_rule):
        return ProposalState.WITHDRAWN
    raise ProposalRuleError("not_allowed")


def supersede(state: ProposalState) -> ProposalState:
    """An open proposal replaced by its proposer's revision or by the other side's
    counter-offer, which is a new offer (民法典 Art. 488). Code: ``not_open``."""
    _require_open(state)
    return ProposalState.SUPERSEDED


def close(state: ProposalState) -> ProposalState:
    """An open proposal closed because another one was accepted: the case has its terms.
    Code: ``not_open``."""
    _require_open(state)
    return ProposalState.CLOSED


def allowed_actions(
    state: ProposalState,
    *,
    proposer: Side,
    actor: Side,
    accepted_by: frozenset[Side] = frozenset(),
    breaks_rule: bool = False,
) -> frozenset[str]:
    """Which of ``accept``, ``reject``, ``withdraw`` ``actor`` may do now, for views to
    offer (templates make no such decisions, STYLE.md rule 8)."""
    attempts: dict[str, Callable[[], ProposalState]] = {
        "accept": lambda: accept(state, proposer=proposer, actor=actor, accepted_by=accepted_by),
        "reject": lambda: reject(state, proposer=proposer, actor=actor),
        "withdraw": lambda: withdraw(
            state, proposer=proposer, actor=actor, breaks_rule=breaks_rule
        ),
    }
    return frozenset(name for name, attempt in attempts.items() if _succeeds(attempt))


def _succeeds(attempt: Callable[[], ProposalState]) -> bool:
    try:
        attempt()
    except ProposalRuleError:
        return False
    return True


def _require_open(state: ProposalState) -> None:
    if ProposalState(state) != ProposalState.OPEN:
        raise ProposalRuleError("not_open")


def _require_other_party(proposer: Side, actor: Side, mediator_code: str) -> None:
    if Side(actor) == Side.MEDIATOR:
        raise ProposalRuleError(mediator_code)
    if Side(actor) == Side(proposer):
        raise ProposalRuleError("own_proposal")


def _sides(sides: Iterable[Side]) -> frozenset[Side]:
    return frozenset(Side(s) for s in sides)


def proposed_facts(terms: Terms, facts: ClaimFacts) -> ClaimFacts:
    """The claim as the proposal would settle it: principal, interest, fees and penalty as
    proposed; everything else (lender, dates, contract rate) as claimed."""
    fees, penalty = split_fees(terms, claim_amounts(facts))
    return replace(
        facts,
        outstanding_principal=terms.principal,
        interest=terms.interest,
        fees=fees,
        penalty=penalty,
    )


def findings_for_terms(
    terms: Terms,
    schedule: Schedule,
    claim_facts: ClaimFacts,
    today: date,
    history: Sequence[LprFixing] = DEFAULT_LPR_HISTORY,
    policy: ClaimPolicy = DEFAULT_POLICY,
) -> list[Finding]:
    """Every finding about a proposal, blocks first (the claim is checked again on every
    proposal): the claim check on the proposed amounts, a warning when the last payment
    is more than five years away, and what the creditor gives up. The schedule is
    assumed valid (``schedules.validate_schedule``)."""
    findings = [
        *_charge_findings(terms, claim_facts, today, history, policy),
        *_schedule_findings(schedule, today),
        *_concession_findings(terms, claim_amounts(claim_facts)),
    ]
    return sorted(findings, key=lambda f: _RANK[f.severity])


def _charge_findings(
    terms: Terms,
    facts: ClaimFacts,
    today: date,
    history: Sequence[LprFixing],
    policy: ClaimPolicy,
) -> list[Finding]:
    """``check_claim`` on the proposed amounts. An agreement fixes amounts, not a rate, so
    the rate checks use the rate the proposed interest implies: the contract rate scaled
    by proposed / claimed interest (the claimed interest is taken to have accrued at the
    contract rate). Cutting the interest to what the cap allows, or waiving it, therefore
    clears a contract rate above the cap (民间借贷规定 Art. 25). The penalty is still
    weighed against the loss at the contract rate, which the proposal does not change."""
    proposed = proposed_facts(terms, facts)
    implied = replace(proposed, annual_rate=_implied_rate(terms, facts))
    at_implied = check_claim(implied, today, history, policy)
    at_contract = check_claim(proposed, today, history, policy)
    found = [f for f in at_implied if f.code != _PENALTY_CODE]
    found += [f for f in at_contract if f.code == _PENALTY_CODE]
    return [_interest_over_cap(terms, facts, history) if f.code == _RATE_CODE else f for f in found]


def _implied_rate(terms: Terms, facts: ClaimFacts) -> Decimal:
    if facts.interest <= 0:
        return Decimal(0)  # no interest is claimed, so none is agreed
    return facts.annual_rate * terms.interest / facts.interest


def _interest_over_cap(terms: Terms, facts: ClaimFacts, history: Sequence[LprFixing]) -> Finding:
    fixing = lpr_on(facts.contract_date, history)
    assert fixing is not None  # the rate finding exists only when the cap is known
    cap = fixing.rate * LPR_MULTIPLE
    lawful = (facts.interest * cap / facts.annual_rate).quantize(FEN, rounding=ROUND_DOWN)
    kept, claimed, most = _money(terms.interest), _money(facts.interest), _money(lawful)
    rate, cap_, lpr = _pct(facts.annual_rate), _pct(cap), _pct(fixing.rate)
    made_zh, made_en = _date_zh(facts.contract_date), facts.contract_date.isoformat()
    return Finding(
        "proposal_interest_over_cap",
        Severity.BLOCK,
        f"方案保留的利息{kept}超过按法定上限计算的利息{most}：主张的利息{claimed}按合同"
        f"年利率{rate}计算，而上限是合同成立日（{made_zh}）一年期LPR {lpr}的四倍，即{cap_}。"
        f"超过部分法院不予支持，请将利息减至不超过{most}，或免除利息。",
        f"The proposal keeps {kept} of interest, more than the {most} that interest at the "
        f"legal cap comes to: the {claimed} claimed was worked out at the contract's {rate} "
        f"a year, and the cap is {cap_}, four times the one-year LPR of {lpr} in force when "
        f"the contract was made ({made_en}). Courts do not support interest above the cap; "
        f"reduce the interest to no more than {most}, or waive it.",
        SOURCE_RATE_CAP,
    )


def _schedule_findings(schedule: Schedule, today: date) -> list[Finding]:
    """A plan whose last payment is more than five years away is more likely to fail
    partway; worth a second look (a practice note, not a legal rule)."""
    if schedule.last_due <= add_months(today, LONG_SCHEDULE_MONTHS):
        return []
    last_zh, last_en = _date_zh(schedule.last_due), schedule.last_due.isoformat()
    return [
        Finding(
            "long_schedule",
            Severity.WARN,
            f"最后一期还款在{last_zh}，距今超过五年。还款期越长，中途违约的风险越大；"
            "请确认双方都认为这一期限可行。",
            f"The last payment is due on {last_en}, more than five years from now. The "
            "longer a plan runs, the more likely it is to fail partway; check that both "
            "sides think it is workable.",
            SOURCE_PRACTICE,
        )
    ]


def _concession_findings(terms: Terms, claim: ClaimAmounts) -> list[Finding]:
    """What the creditor would give up: a discount releases part of the debt (民法典
    Art. 575), and principal given up is worth knowing (institutions usually need
    internal approval to write it off)."""
    findings: list[Finding] = []
    if terms.discount > 0:
        share = (terms.discount / claim.total * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        cut, total, claimed = _money(terms.discount), _money(terms.total), _money(claim.total)
        findings.append(
            Finding(
                "discount",
                Severity.INFO,
                f"方案总额{total}，比主张的{claimed}少{cut}，减免{share}%。",
                f"The proposal's total of {total} is {cut} less than the {claimed} "
                f"claimed: a discount of {share}%.",
                SOURCE_RELEASE,
            )
        )
    if terms.principal < claim.principal:
        findings.append(_principal_reduced(terms, claim))
    return findings


def _principal_reduced(terms: Terms, claim: ClaimAmounts) -> Finding:
    kept, owed = _money(terms.principal), _money(claim.principal)
    return Finding(
        "principal_reduced",
        Severity.INFO,
        f"方案只偿还本金{kept}，少于未还本金{owed}：利息、违约金和费用已全部减免，"
        "债权人还减免了部分本金。机构债权人减免本金通常需要内部审批。",
        f"The proposal repays {kept} of the {owed} principal outstanding: all interest, "
        "penalty and fees are given up and part of the principal as well. Institutions "
        "usually need internal approval to write off principal.",
        SOURCE_RELEASE,
    )


def _money(amount: Decimal) -> str:
    return f"¥{to_fen(amount):,.2f}"


def _pct(rate: Decimal) -> str:
    return format_rate(rate, 2)


def _date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
