"""What can the debtor afford? An income-and-spending statement and the band it gives.

Modelled on the UK Standard Financial Statement (SFS), the common format that British
creditors and debt advisers use to agree affordable repayments: monthly income by
source, essential spending by category, savings and assets. The debtor fills it in
during negotiation (:mod:`app.negotiation.statements`) and every proposal is shown against it. The
band is guidance for the parties and the mediator, not a rule of law; the debtor's
explanation is written in plain words for an anxious reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from app.rules.errors import InvalidInput
from app.rules.money import FEN, parse_money

INCOME_SOURCES = ("wages", "benefits", "pension", "business", "family_support", "other")
ESSENTIAL_CATEGORIES = (
    "housing",
    "food",
    "utilities",
    "transport",
    "childcare",
    "health",
    "other_debts",
    "other_essential",
)
BAND_HIGH_SHARE = Decimal("0.8")  # leave 20% of what is left for the unexpected
BAND_LOW_SHARE = Decimal("0.5")
MAX_HOUSEHOLD = 20
ZERO = Decimal("0.00")
_WHOLE = Decimal("1")
_COUNT = re.compile(r"[0-9]+")  # ASCII digits only, like money


@dataclass(frozen=True)
class Statement:
    """A household's monthly income and essential spending, in yuan a month; savings and
    assets are amounts held. ``income`` is keyed by ``INCOME_SOURCES`` and ``spending``
    by ``ESSENTIAL_CATEGORIES``; an unknown key or a negative amount is a programming
    error (``ValueError``), because ``parse_statement`` never produces one."""

    household_size: int
    dependants: int
    income: Mapping[str, Decimal]
    spending: Mapping[str, Decimal]
    savings: Decimal
    assets: Decimal

    def __post_init__(self) -> None:
        _check_keys(self.income, INCOME_SOURCES, "income source")
        _check_keys(self.spending, ESSENTIAL_CATEGORIES, "spending category")
        amounts = [*self.income.values(), *self.spending.values(), self.savings, self.assets]
        if any(a < 0 for a in amounts):
            raise ValueError("statement amounts cannot be negative")


def _check_keys(values: Mapping[str, Decimal], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)}")


@dataclass(frozen=True)
class Affordability:
    """What the statement gives: monthly figures, the affordable band for a monthly
    instalment, what could be paid at once, and the explanation shown to the debtor.
    ``disposable`` may be negative (spending above income); the band is then 0–0."""

    monthly_income: Decimal
    essential_spending: Decimal
    disposable: Decimal
    band_low: Decimal
    band_high: Decimal
    lump_sum_capacity: Decimal
    explanation_zh: str
    explanation_en: str


def assess(statement: Statement) -> Affordability:
    """The affordable band for a monthly instalment (SFS practice, not a legal rule).

    Disposable income is income less essential spending. A plan of up to 80% of it
    (rounded DOWN to whole yuan) leaves 20% for the unexpected and is the top of the
    band; 50% is the bottom. With nothing left (disposable ≤ 0, or a top under ¥1) the
    band is 0–0 and the explanation says plainly that there is no room for repayments
    now and that the mediator will take that into account. Only savings count towards
    a lump sum: assets (a car, a flat) are listed but not assumed to be sellable.
    """
    income = sum(statement.income.values(), ZERO)
    spending = sum(statement.spending.values(), ZERO)
    disposable = income - spending
    high = _whole_yuan(disposable * BAND_HIGH_SHARE)
    low = _whole_yuan(disposable * BAND_LOW_SHARE)
    zh, en = _explain(disposable, high)
    return Affordability(
        monthly_income=income,
        essential_spending=spending,
        disposable=disposable,
        band_low=low,
        band_high=high,
        lump_sum_capacity=statement.savings,
        explanation_zh=zh,
        explanation_en=en,
    )


def _whole_yuan(amount: Decimal) -> Decimal:
    """Rounded down to whole yuan, never below zero, shown with two places."""
    if amount <= 0:
        return ZERO
    return amount.quantize(_WHOLE, rounding=ROUND_FLOOR).quantize(FEN)


def _explain(disposable: Decimal, high: Decimal) -> tuple[str, str]:
    mediator_zh = "调解员会考虑这一情况。"
    mediator_en = "The mediator will take that into account."
    if disposable < 0:
        short = yuan(-disposable)
        return (
            f"您每月的必要开支比收入多 {short}，目前没有余力还款。{mediator_zh}",
            f"Your essential spending is {short} a month more than your income, so there "
            f"is no room for repayments right now. {mediator_en}",
        )
    left = yuan(disposable)
    if high <= 0:
        return (
            f"扣除必要开支后，您每月还剩 {left}，目前没有余力还款。{mediator_zh}",
            f"After your essential spending you have {left} a month, so there is no room "
            f"for repayments right now. {mediator_en}",
        )
    top = yuan(high)
    return (
        f"扣除必要开支后，您每月还剩 {left}；每月不超过 {top} 的还款计划能为意外开支留出余地。",
        f"After your essential spending you have {left} a month; a plan of up to {top} "
        "a month leaves room for the unexpected.",
    )


def yuan(amount: Decimal) -> str:
    """``¥1,850`` for whole yuan, ``¥1,850.50`` otherwise (for the debtor's eyes)."""
    if amount == amount.to_integral_value():
        return f"¥{amount:,.0f}"
    return f"¥{amount:,.2f}"


def fits(monthly_amount: Decimal, a: Affordability) -> str:
    """How a monthly payment sits against the statement: ``"within"`` the band (up to
    its top), a ``"stretch"`` (above the band but not above what is left each month),
    or ``"beyond"`` what is left each month."""
    if monthly_amount <= a.band_high:
        return "within"
    return "stretch" if monthly_amount <= a.disposable else "beyond"


def fits_lump_sum(amount: Decimal, a: Affordability) -> str:
    """A payment made at once (a lump sum or a down payment) is measured against savings:
    ``"within"`` when savings cover it, ``"beyond"`` otherwise."""
    return "within" if amount <= a.lump_sum_capacity else "beyond"


def parse_statement(raw: Mapping[str, str]) -> tuple[Statement | None, dict[str, str]]:
    """Read the statement form: ``household_size``, ``dependants``, ``income_<source>``,
    ``spend_<category>``, ``savings``, ``assets``. Other fields are ignored.

    A money field left empty (or missing) is 0; otherwise it is read with
    ``parse_money(allow_zero=True)`` and its refusal code kept. ``household_size`` is
    required (``required``) and 1–20 (``household_size_range``); ``dependants`` may be
    left empty for none, is 0–19 (``dependants_range``) and fewer than the household,
    which counts the debtor (``dependants_household``). A count that is not plain
    digits is ``number_format``. Returns the statement, or ``None`` and the codes by
    field name.
    """
    errors: dict[str, str] = {}
    size = _read_count(raw, "household_size", errors, required=True)
    dependants = _read_count(raw, "dependants", errors, required=False)
    if size is not None and not 1 <= size <= MAX_HOUSEHOLD:
        errors["household_size"] = "household_size_range"
        size = None  # no household to compare the dependants with
    if dependants is not None and not 0 <= dependants < MAX_HOUSEHOLD:
        errors["dependants"] = "dependants_range"
    elif dependants is not None and size is not None and dependants >= size:
        errors["dependants"] = "dependants_household"
    income = {s: _read_money(raw, f"income_{s}", errors) for s in INCOME_SOURCES}
    spending = {c: _read_money(raw, f"spend_{c}", errors) for c in ESSENTIAL_CATEGORIES}
    savings = _read_money(raw, "savings", errors)
    assets = _read_money(raw, "assets", errors)
    if errors or size is None or dependants is None:
        return None, errors
    return Statement(size, dependants, income, spending, savings, assets), {}


def _read_count(
    raw: Mapping[str, str], field: str, errors: dict[str, str], *, required: bool
) -> int | None:
    text = (raw.get(field) or "").strip()
    if not text:
        if required:
            errors[field] = "required"
            return None
        return 0
    if not _COUNT.fullmatch(text):
        errors[field] = "number_format"
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= 3 else 1000  # any long number is out of range


def _read_money(raw: Mapping[str, str], field: str, errors: dict[str, str]) -> Decimal:
    text = (raw.get(field) or "").strip()
    if not text:
        return ZERO
    try:
        return parse_money(text, allow_zero=True)
    except InvalidInput as exc:
        errors[field] = exc.code
        return ZERO


@dataclass(frozen=True)
class RunningTotals:
    """The statement form's running totals as the debtor types: monthly income, essential
    spending and what is left, over the amounts that can be read (``unreadable``: the
    fields whose amount cannot, which count as nothing until corrected). The same sums
    :func:`assess` makes once the statement is sent."""

    income: Decimal
    spending: Decimal
    left: Decimal
    unreadable: tuple[str, ...]


def running_totals(raw: Mapping[str, str]) -> RunningTotals:
    errors: dict[str, str] = {}
    income = sum((_read_money(raw, f"income_{s}", errors) for s in INCOME_SOURCES), ZERO)
    spending = sum((_read_money(raw, f"spend_{c}", errors) for c in ESSENTIAL_CATEGORIES), ZERO)
    return RunningTotals(income, spending, income - spending, tuple(sorted(errors)))
