"""Is the claim lawful? The claim check run at intake and on every proposal.

The result is a list of findings (block / warn / info), each with a plain message in
Chinese and English that carries the figures, and the legal source it rests on.
This is a screening aid for the mediator, not legal advice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.rules.citations import cite
from app.rules.interest_transition import (
    OLD_VOID_RATE,
    SOURCE_TRANSITION,
    TransitionalSplit,
    is_transitional,
    split_interest,
)
from app.rules.money import ROUNDING, format_rate, to_fen
from app.rules.schedules import add_months

PERCENT = Decimal("0.01")
DAYS_PER_YEAR = Decimal(365)
MIN_YEARS = Decimal(1) / Decimal(12)  # charges are never spread over less than a month
LPR_MULTIPLE = Decimal(4)
LIMITATION_NOTICE_DAYS = 90

# Every source is drawn from the one table of citations (app.rules.citations).
SOURCE_RATE_CAP = cite("private_lending.25")
SOURCE_CHARGES_CAP = cite("private_lending.25", "private_lending.28", "private_lending.29")
SOURCE_LPR_UNKNOWN = cite("private_lending.25", "private_lending.31")
SOURCE_PRINCIPAL = cite("civil_code.670", "private_lending.26")
# Licensed lenders: the financial-trial guidance, never the bank-card rules, which cover
# bank-card (credit-card) disputes only (app.rules.rule_sets).
SOURCE_INSTITUTION_LINE = cite("financial_trial_opinions.2")
SOURCE_INSTITUTION_4LPR = f"{SOURCE_INSTITUTION_LINE}；参照{cite('private_lending.25')}"
SOURCE_PENALTY = cite("civil_code.585", "contract_interp.65")
SOURCE_LIMITATION = cite("civil_code.188", "civil_code.189", "civil_code.195")
SOURCE_ASSIGNMENT = cite("civil_code.546")
SOURCE_ASSIGNMENT_DATE = cite("civil_code.545", "civil_code.546")


class Severity(StrEnum):
    BLOCK = "block"  # the proposal cannot go ahead until the claim is corrected
    WARN = "warn"  # the mediator must look at it and may override
    INFO = "info"  # worth knowing


_RANK = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}


class LenderKind(StrEnum):
    """Who lent; decides which interest rules apply. Same values as ``LicenceType``."""

    BANK = "bank"
    CONSUMER_FINANCE = "consumer_finance"
    OTHER_LICENSED = "other_licensed"
    PRIVATE_LENDER = "private_lender"
    ASSET_MANAGER = "asset_manager"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message_zh: str
    message_en: str
    source: str


@dataclass(frozen=True)
class LprFixing:
    """A one-year Loan Prime Rate fixing (percent), in force from ``effective``."""

    effective: date
    rate: Decimal


DEFAULT_LPR_HISTORY: tuple[LprFixing, ...] = tuple(
    LprFixing(date.fromisoformat(day), Decimal(rate))
    for day, rate in (
        ("2019-08-20", "4.25"),
        ("2019-09-20", "4.20"),
        ("2019-11-20", "4.15"),
        ("2020-02-20", "4.05"),
        ("2020-04-20", "3.85"),
        ("2021-12-20", "3.80"),
        ("2022-01-20", "3.70"),
        ("2022-08-22", "3.65"),
        ("2023-06-20", "3.55"),
        ("2023-08-21", "3.45"),
        ("2024-07-22", "3.35"),
        ("2024-10-21", "3.10"),
        ("2025-05-20", "3.00"),
    )
)


def lpr_on(day: date, history: Sequence[LprFixing]) -> LprFixing | None:
    """The one-year LPR fixing in force on ``day``: the latest one effective on or
    before it (a fixing applies from its own publication day). ``None`` before the first
    fixing. ``history`` may be in any order."""
    in_force = [f for f in history if f.effective <= day]
    return max(in_force, key=lambda f: f.effective) if in_force else None


@dataclass(frozen=True)
class ClaimFacts:
    """What the creditor claims. Rates are annual, in percent; amounts in yuan."""

    lender: LenderKind
    contract_date: date
    principal_lent: Decimal
    annual_rate: Decimal
    term_months: int
    outstanding_principal: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal
    overdue_since: date
    is_assignee: bool
    assignment_date: date | None
    debtor_notified: bool | None
    last_demand_date: date | None


@dataclass(frozen=True)
class ClaimPolicy:
    """Configurable lines. ``institution_cost_line`` (24%) is *unverified*: 法发〔2017〕22号
    item 2 is guidance, not a statute, so it warns and never blocks."""

    institution_cost_line: Decimal = Decimal("24")
    penalty_excess_ratio: Decimal = Decimal("0.30")
    limitation_years: int = 3


DEFAULT_POLICY = ClaimPolicy()


def check_claim(
    facts: ClaimFacts,
    today: date,
    history: Sequence[LprFixing] = DEFAULT_LPR_HISTORY,
    policy: ClaimPolicy = DEFAULT_POLICY,
) -> list[Finding]:
    """Every finding about the claim as of ``today``, blocks first, then warnings, then
    information. Private lenders are held to 4 × LPR (民间借贷规定 Arts. 25–31); licensed
    institutions get warnings only, because courts reduce their excessive charges case by
    case."""
    if facts.lender is LenderKind.PRIVATE_LENDER:
        lending = _check_private_lender(facts, today, history)
    else:
        lending = _check_institution(facts, today, history, policy)
    findings = [
        *_check_principal(facts),
        *lending,
        *_check_penalty(facts, today, history, policy),
        *_check_limitation(facts, today, policy),
        *_check_assignment(facts),
    ]
    return sorted(findings, key=lambda f: _RANK[f.severity])


def _check_principal(facts: ClaimFacts) -> list[Finding]:
    """Principal is what was actually lent: interest deducted in advance or rolled into
    the principal is not principal (民法典 Art. 670; 民间借贷规定 Art. 26). Applies to
    every lender."""
    if facts.outstanding_principal <= facts.principal_lent:
        return []
    owed, lent = _yuan(facts.outstanding_principal), _yuan(facts.principal_lent)
    return [
        Finding(
            "principal_exceeds_lent",
            Severity.BLOCK,
            f"未还本金{owed}超过实际出借的金额{lent}。本金只能按实际出借的金额计算，"
            "预先扣除的利息或计入本金的利息不能算作本金。",
            f"The outstanding principal of {owed} is more than the {lent} actually lent. "
            "Principal is only what was actually lent; interest taken off in advance or "
            "added to the principal does not count as principal.",
            SOURCE_PRINCIPAL,
        )
    ]


def _check_private_lender(
    facts: ClaimFacts, today: date, history: Sequence[LprFixing]
) -> list[Finding]:
    """Private lending: interest, overdue interest, penalty and fees may not exceed
    4 × the one-year LPR in force when the contract was formed (民间借贷规定 Arts. 25,
    28, 29). Both the contract rate and the charges actually claimed are measured.
    A loan formed before 2020-08-20 is split at that day (Art. 31,
    :mod:`app.rules.interest_transition`)."""
    if is_transitional(facts.contract_date):
        return _check_transitional(facts, today, history)
    fixing = lpr_on(facts.contract_date, history)
    if fixing is None:
        return [_lpr_unknown(facts.contract_date, history)]
    cap = _percent(fixing.rate * LPR_MULTIPLE)
    findings: list[Finding] = []
    rate = _percent(facts.annual_rate)
    if rate > cap:
        findings.append(_private_rate_over_cap(facts.contract_date, fixing, rate, cap))
    all_in = _all_in_rate(facts, today)
    if all_in is not None and all_in > cap:
        findings.append(_private_charges_over_cap(facts, all_in, cap))
    return findings


def transitional_split(
    facts: ClaimFacts, today: date, history: Sequence[LprFixing] = DEFAULT_LPR_HISTORY
) -> TransitionalSplit | None:
    """The interest of a private loan formed before 2020-08-20, split at that day
    (民间借贷规定 (2020) Art. 31): ``None`` for other loans, or while no LPR is known on
    ``today`` (the application day whose LPR sets the new line)."""
    if facts.lender is not LenderKind.PRIVATE_LENDER or not is_transitional(facts.contract_date):
        return None
    fixing = lpr_on(today, history)
    if fixing is None:
        return None
    base, rate = _charge_base(facts), facts.annual_rate
    return split_interest(facts.contract_date, today, base, rate, fixing.effective, fixing.rate)


def _check_transitional(
    facts: ClaimFacts, today: date, history: Sequence[LprFixing]
) -> list[Finding]:
    """Art. 31: both parts are shown (info); a contract rate above either part's line is
    cut for that part (warn); charges above the two lines together are not supported
    (block), like the charges cap of Arts. 25 and 29."""
    split = transitional_split(facts, today, history)
    if split is None:
        return [_lpr_unknown(today, history)]
    findings = [_transitional_parts(split)]
    if any(facts.annual_rate > p.cap for p in split.periods):
        findings.append(_transitional_rate_cut(split))
    charges = to_fen(facts.interest + facts.penalty + facts.fees)
    if charges > split.cap_amount:
        findings.append(_transitional_charges_over(split, charges))
    return findings


def _parts_text(split: TransitionalSplit) -> tuple[str, str]:
    zh = "；".join(
        f"{_date_zh(p.start)}至{_date_zh(p.end)}共{p.days}天，上限{_pct(p.cap)}，"
        f"按年利率{_pct(p.rate)}计{_yuan(p.amount)}"
        for p in split.periods
    )
    en = "; ".join(
        f"{p.start.isoformat()} to {p.end.isoformat()}, {p.days} days, line {_pct(p.cap)}, "
        f"{_yuan(p.amount)} at {_pct(p.rate)} a year"
        for p in split.periods
    )
    return zh, en


def _transitional_parts(split: TransitionalSplit) -> Finding:
    zh, en = _parts_text(split)
    base, total = _yuan(split.base), _yuan(split.amount)
    return Finding(
        "transitional_interest",
        Severity.INFO,
        f"合同成立于2020年8月20日之前，利息分段计算（本金{base}）：{zh}。"
        f"两段合计{total}。2020年8月20日起的上限按申请时（{_date_zh(split.lpr_date)}起）"
        f"一年期LPR {_pct(split.lpr)}的四倍计算。",
        f"The contract was made before 20 Aug 2020, so its interest is worked out in two "
        f"parts (principal {base}): {en}. Together {total}. The line from 20 Aug 2020 is "
        f"four times the one-year LPR of {_pct(split.lpr)} in force at the application "
        f"(fixed {split.lpr_date.isoformat()}).",
        SOURCE_TRANSITION,
    )


def _transitional_rate_cut(split: TransitionalSplit) -> Finding:
    rate = _pct(split.contract_rate)
    void_zh = void_en = ""
    if split.above_old_void_line:
        void_zh = f"2020年8月19日前超过年利率{_pct(OLD_VOID_RATE)}的部分无效。"
        void_en = f" Before 20 Aug 2020, interest above {_pct(OLD_VOID_RATE)} a year is void."
    return Finding(
        "transitional_rate_cut",
        Severity.WARN,
        f"合同约定的年利率{rate}超过分段上限，超过部分法院不予支持。{void_zh}"
        "请按各段上限重新计算利息。",
        f"The contract's annual rate of {rate} is above the line of at least one part; "
        f"courts do not support interest above it.{void_en} Recalculate each part at no "
        "more than its line.",
        SOURCE_TRANSITION,
    )


def _transitional_charges_over(split: TransitionalSplit, charges: Decimal) -> Finding:
    claimed, most = _yuan(charges), _yuan(split.cap_amount)
    return Finding(
        "transitional_charges_over_cap",
        Severity.BLOCK,
        f"利息、逾期利息、违约金和费用合计{claimed}，超过按2020年8月20日前后两段上限"
        f"计算的最高金额{most}。超过部分法院不予支持。",
        f"Interest, overdue interest, penalty and fees together come to {claimed}, more "
        f"than the {most} that the two lines before and from 20 Aug 2020 allow. Courts do "
        "not support the part above it.",
        SOURCE_TRANSITION,
    )


def _lpr_unknown(contract_date: date, history: Sequence[LprFixing]) -> Finding:
    first = min((f.effective for f in history), default=None)
    since_zh = _date_zh(first) if first else "—"
    since_en = first.isoformat() if first else "—"
    return Finding(
        "lpr_unknown",
        Severity.WARN,
        f"合同成立于{_date_zh(contract_date)}，早于已知的第一个一年期LPR（{since_zh}），"
        "无法自动计算利率上限；当时适用不同的规则，需要人工审查。",
        f"The contract was made on {contract_date.isoformat()}, before the first known "
        f"one-year LPR fixing ({since_en}), so the interest cap cannot be worked out "
        "automatically. Earlier rules apply; this needs manual review.",
        SOURCE_LPR_UNKNOWN,
    )


def _private_rate_over_cap(
    contract_date: date, fixing: LprFixing, rate: Decimal, cap: Decimal
) -> Finding:
    lpr = _pct(fixing.rate)
    return Finding(
        "private_rate_over_cap",
        Severity.BLOCK,
        f"合同约定的年利率{_pct(rate)}超过上限{_pct(cap)}，即合同成立日"
        f"（{_date_zh(contract_date)}）一年期LPR {lpr}的四倍。超过部分法院不予支持，"
        f"请按不超过{_pct(cap)}重新计算。",
        f"The contract's annual rate of {_pct(rate)} is above the cap of {_pct(cap)}: four "
        f"times the one-year LPR of {lpr} in force when the contract was made "
        f"({contract_date.isoformat()}). Courts do not support interest above the cap; "
        f"recalculate at no more than {_pct(cap)}.",
        SOURCE_RATE_CAP,
    )


def _private_charges_over_cap(facts: ClaimFacts, all_in: Decimal, cap: Decimal) -> Finding:
    charges = _yuan(facts.interest + facts.penalty + facts.fees)
    base = _yuan(_charge_base(facts))
    since = facts.contract_date
    return Finding(
        "private_charges_over_cap",
        Severity.BLOCK,
        f"利息、逾期利息、违约金和费用合计{charges}，按本金{base}自{_date_zh(since)}起"
        f"计算，折合年利率约{_pct(all_in)}，超过上限{_pct(cap)}。超过部分法院不予支持。",
        f"Interest, overdue interest, penalty and fees together come to {charges}. On the "
        f"principal of {base} since {since.isoformat()} that is about {_pct(all_in)} a "
        f"year, above the cap of {_pct(cap)}. Courts do not support the part above the cap.",
        SOURCE_CHARGES_CAP,
    )


def _check_institution(
    facts: ClaimFacts, today: date, history: Sequence[LprFixing], policy: ClaimPolicy
) -> list[Finding]:
    """Licensed institutions are outside the private-lending cap, but courts cut charges
    far above the actual loss (法发〔2017〕22号 item 2). The cost is the higher of the contract
    rate and the all-in rate of the charges claimed. Above the configurable line (24%,
    *unverified*): warn. Above 4 × LPR only: also a warning, by decision, because a
    court may use that cap as its yardstick. One finding at most: the line wins."""
    cost = max(_percent(facts.annual_rate), _all_in_rate(facts, today) or Decimal(0))
    line = _percent(policy.institution_cost_line)
    if cost > line:
        return [_institution_over_line(cost, line)]
    fixing = lpr_on(facts.contract_date, history)
    if fixing is not None and cost > _percent(fixing.rate * LPR_MULTIPLE):
        return [_institution_over_4lpr(cost, fixing)]
    return []


def _institution_over_line(cost: Decimal, line: Decimal) -> Finding:
    return Finding(
        "institution_cost_over_line",
        Severity.WARN,
        f"年化综合成本约{_pct(cost)}（合同利率与实际主张的各项收费折算年利率中较高者），"
        f"超过{_pct(line)}。法院可能依据实际损失调减过高的利息、罚息、违约金和费用。",
        f"The all-in annual cost is about {_pct(cost)} (the higher of the contract rate "
        f"and the charges claimed as a yearly rate), above {_pct(line)}. A court may cut "
        "interest, penalty and fees that are far above the lender's actual loss.",
        SOURCE_INSTITUTION_LINE,
    )


def _institution_over_4lpr(cost: Decimal, fixing: LprFixing) -> Finding:
    cap = _pct(fixing.rate * LPR_MULTIPLE)
    return Finding(
        "institution_cost_over_4lpr",
        Severity.WARN,
        f"年化综合成本约{_pct(cost)}，超过合同成立时一年期LPR {_pct(fixing.rate)}的四倍"
        f"（{cap}）。持牌金融机构不直接适用该上限，但法院可能以此衡量收费是否过高。",
        f"The all-in annual cost is about {_pct(cost)}, above four times the one-year LPR "
        f"of {_pct(fixing.rate)} when the contract was made ({cap}). Licensed lenders are "
        "not bound by that cap, but a court may use it to judge whether charges are too high.",
        SOURCE_INSTITUTION_4LPR,
    )


def _check_penalty(
    facts: ClaimFacts, today: date, history: Sequence[LprFixing], policy: ClaimPolicy
) -> list[Finding]:
    """A penalty more than 30% above the loss is generally excessive (民法典 Art. 585;
    合同编通则解释 Art. 65). The loss is estimated as interest on the outstanding
    principal at the contract rate for the days overdue; a loan without interest uses
    the LPR on the overdue date (民间借贷规定 Art. 28 treats it as the loss)."""
    if facts.penalty <= 0:
        return []
    days = max((today - facts.overdue_since).days, 0)
    rate = facts.annual_rate
    if rate == 0:
        fixing = lpr_on(facts.overdue_since, history)
        rate = fixing.rate if fixing else Decimal(0)
    loss = to_fen(facts.outstanding_principal * rate / 100 * days / DAYS_PER_YEAR)
    limit = to_fen(loss * (1 + policy.penalty_excess_ratio))
    if facts.penalty <= limit:
        return []
    share = f"{(1 + policy.penalty_excess_ratio) * 100:.0f}%"
    penalty, loss_, limit_ = _yuan(facts.penalty), _yuan(loss), _yuan(limit)
    return [
        Finding(
            "penalty_excessive",
            Severity.WARN,
            f"违约金{penalty}超过估算损失{loss_}的{share}（{limit_}）。估算损失为未还本金"
            f"按年利率{_pct(rate)}计算的{days}天逾期利息；违约金过分高于损失的，"
            "债务人可以请求法院予以减少。",
            f"The penalty of {penalty} is more than {share} of the estimated loss of {loss_} "
            f"({limit_}). The loss is estimated as interest on the outstanding principal at "
            f"{_pct(rate)} a year for the {days} days overdue; the debtor can ask a court to "
            "reduce a penalty that is excessively higher than the loss.",
            SOURCE_PENALTY,
        )
    ]


def _check_limitation(facts: ClaimFacts, today: date, policy: ClaimPolicy) -> list[Finding]:
    """Three years (民法典 Art. 188). A debt performed in instalments runs from the due
    date of the *last* instalment, not from the first missed one (Art. 189): the loan's
    last due date is the contract date plus its term, so the period starts on the later
    of that day and the day the debt fell overdue, restarted by a later demand (Art.
    195). The first day is not counted and a period ending on a 29 February that does not
    exist ends on the 28th (Arts. 201, 202); the holiday extension of Art. 203 is ignored,
    so warnings may come a day or two early. A balance the lender called in early is not
    known here: the period may then have started sooner."""
    start = max(last_due_date(facts), facts.overdue_since)
    start = max(start, facts.last_demand_date or start)
    last_day = _add_years(start, policy.limitation_years)
    days_left = (last_day - today).days
    if days_left < 0:
        return [_limitation_expired(start, last_day, policy.limitation_years)]
    if days_left <= LIMITATION_NOTICE_DAYS:
        return [_limitation_soon(last_day, days_left)]
    return []


def last_due_date(facts: ClaimFacts) -> date:
    """The due date of the loan's last instalment (or its single repayment): the contract
    date plus the term (民法典 Art. 189)."""
    return add_months(facts.contract_date, max(facts.term_months, 0))


def _limitation_expired(start: date, last_day: date, years: int) -> Finding:
    return Finding(
        "limitation_expired",
        Severity.WARN,
        f"诉讼时效可能已于{_date_zh(last_day)}届满（自{_date_zh(start)}起{years}年）。"
        "债务人提出时效抗辩的，法院不支持该债权；请核实此后是否有催收、还款或"
        "债务人承认债务等中断时效的情形。",
        f"The limitation period may have ended on {last_day.isoformat()} ({years} "
        f"years from {start.isoformat()}). If the debtor raises it, a court will not "
        "enforce the claim; check for a later demand, payment or acknowledgement of "
        "the debt that restarted the period.",
        SOURCE_LIMITATION,
    )


def _limitation_soon(last_day: date, days_left: int) -> Finding:
    return Finding(
        "limitation_soon",
        Severity.INFO,
        f"诉讼时效将于{_date_zh(last_day)}届满，还剩{days_left}天。"
        "向债务人催收或债务人承认债务可以使时效重新计算。",
        f"The limitation period ends on {last_day.isoformat()}, in {days_left} days. "
        "A demand to the debtor, or the debtor acknowledging the debt, restarts it.",
        SOURCE_LIMITATION,
    )


def _check_assignment(facts: ClaimFacts) -> list[Finding]:
    """An assignment binds the debtor only once the debtor is notified (民法典 Art.
    546); the assignee must show when it acquired the claim (Arts. 545, 546)."""
    if not facts.is_assignee:
        return []
    findings: list[Finding] = []
    if facts.debtor_notified is not True:
        findings.append(
            Finding(
                "assignment_not_notified",
                Severity.WARN,
                "债权人是受让人，但没有证明已通知债务人债权转让。未经通知，"
                "该转让对债务人不发生效力。",
                "The claimant acquired this debt by assignment but has not shown that the "
                "debtor was told. Until the debtor is notified, the assignment does not "
                "bind the debtor.",
                SOURCE_ASSIGNMENT,
            )
        )
    if facts.assignment_date is None:
        findings.append(
            Finding(
                "assignment_date_missing",
                Severity.WARN,
                "债权已经转让，但没有填写转让日期。请补充转让协议及其日期。",
                "The debt was assigned but the assignment date is missing. Add the "
                "assignment agreement and its date.",
                SOURCE_ASSIGNMENT_DATE,
            )
        )
    return findings


def _charge_base(facts: ClaimFacts) -> Decimal:
    """Charges are measured on the outstanding principal; once it is all repaid, on the
    principal lent (the charges then accrued on principal that has since been repaid)."""
    return facts.outstanding_principal if facts.outstanding_principal > 0 else facts.principal_lent


def _all_in_rate(facts: ClaimFacts, today: date) -> Decimal | None:
    """Interest, penalty and fees claimed, as a simple annual rate in percent: charges /
    principal / years from the contract date to ``today`` (at least one month).

    Spreading the charges over the whole life of the loan is the lenient reading for a
    hard block: when interest was paid for a while, it understates the rate. It can
    overstate it only when much of the principal was repaid while the charges on it stayed
    unpaid. ``None`` when there is no principal."""
    base = _charge_base(facts)
    if base <= 0:
        return None
    charges = facts.interest + facts.penalty + facts.fees
    years = max(Decimal((today - facts.contract_date).days) / DAYS_PER_YEAR, MIN_YEARS)
    return _percent(charges / base / years * 100)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the month's last day
        return day.replace(year=day.year + years, day=28)


def _percent(rate: Decimal) -> Decimal:
    """Rates are compared as shown, to 0.01%, so a message never says 12.00% > 12.00%."""
    return rate.quantize(PERCENT, rounding=ROUNDING)


def _pct(rate: Decimal) -> str:
    return format_rate(_percent(rate))


def _yuan(amount: Decimal) -> str:
    return f"¥{to_fen(amount):,.2f}"


def _date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
