"""Repayment schedules: every payment with its date and amount, summing to a fixed total.

A mediation agreement that a court can confirm states how and by when it is performed,
without open terms: a fixed total and every instalment with its date and amount
(人民调解法 Art. 29; 民诉法解释 Art. 358(5)). Amounts are ``Decimal`` yuan at
fen precision and the instalments always sum exactly to the total (STYLE.md rule 6).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from itertools import pairwise

from app.rules.errors import InvalidInput
from app.rules.money import FEN, to_fen

MAX_INSTALMENTS = 60  # regular instalments; a down payment may come on top
# The furthest a payment may be agreed: ten years from the day the terms are set. Sixty
# monthly instalments from a first payment due within a few years fit well inside; a
# date like 9999-12-31 is a typing slip or a probe, and no court confirms it.
MAX_YEARS_AHEAD = 10
MAX_ROWS = MAX_INSTALMENTS + 1

DOWN_PAYMENT = "down_payment"
INSTALMENT = "instalment"
LUMP_SUM = "lump_sum"
KINDS = (DOWN_PAYMENT, INSTALMENT, LUMP_SUM)
ZERO = Decimal("0.00")


class Frequency(StrEnum):
    MONTHLY = "monthly"
    FORTNIGHTLY = "fortnightly"
    WEEKLY = "weekly"


# Payments of each frequency in a year: a monthly figure is amount × per-year / 12.
_PER_YEAR = {Frequency.MONTHLY: 12, Frequency.FORTNIGHTLY: 26, Frequency.WEEKLY: 52}
_STEP_DAYS = {Frequency.FORTNIGHTLY: 14, Frequency.WEEKLY: 7}


@dataclass(frozen=True)
class Instalment:
    """One payment: ``number`` 0 is a down payment, regular instalments count from 1."""

    number: int
    due: date
    amount: Decimal
    kind: str  # "down_payment" | "instalment" | "lump_sum"


@dataclass(frozen=True)
class Schedule:
    """The payments in order. A schedule has at least one payment (``ValueError``
    otherwise), so its dates and totals are always defined."""

    instalments: tuple[Instalment, ...]

    def __post_init__(self) -> None:
        if not self.instalments:
            raise ValueError("a schedule has at least one payment")

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.instalments), ZERO)

    @property
    def first_due(self) -> date:
        return min(i.due for i in self.instalments)

    @property
    def last_due(self) -> date:
        return max(i.due for i in self.instalments)

    @property
    def count(self) -> int:
        """Every payment, the down payment included (the rows of the schedule)."""
        return len(self.instalments)

    @property
    def down_payment(self) -> Decimal:
        return sum((i.amount for i in self.instalments if i.kind == DOWN_PAYMENT), ZERO)

    @property
    def regular(self) -> tuple[Instalment, ...]:
        """The payments other than a down payment (instalments, or the lump sum)."""
        return tuple(i for i in self.instalments if i.kind != DOWN_PAYMENT)

    @property
    def largest_regular(self) -> Decimal:
        """The largest payment other than a down payment (0.00 if there is none)."""
        return max((i.amount for i in self.regular), default=ZERO)

    @property
    def frequency(self) -> Frequency | None:
        """Read from the dates, so a schedule loaded from storage needs no extra field:
        7 days apart is weekly, 14 fortnightly, anything longer monthly. ``None`` when
        there is only one regular payment (a lump sum or a single instalment)."""
        dues = sorted(i.due for i in self.regular)
        if len(dues) < 2:
            return None
        gap = (dues[1] - dues[0]).days
        if gap <= 7:
            return Frequency.WEEKLY
        return Frequency.FORTNIGHTLY if gap <= 14 else Frequency.MONTHLY

    @property
    def monthly_equivalent(self) -> Decimal:
        """The largest regular payment as a monthly figure, for comparing with the monthly
        affordability band: weekly × 52/12, fortnightly × 26/12, rounded to the fen
        (``to_fen``). A single payment is counted as one month's payment; measure a lump
        sum against savings instead (``affordability.fits_lump_sum``)."""
        frequency = self.frequency or Frequency.MONTHLY
        return to_fen(self.largest_regular * _PER_YEAR[frequency] / 12)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (or earlier, if negative), clamped to
    the last day of a shorter month: 31 Jan + 1 month is 28 Feb (29 in a leap year).
    Always counted from ``day`` itself, so repeated use never drifts."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def latest_due(today: date) -> date:
    """The last day a payment may fall due on terms set ``today``."""
    return add_months(today, 12 * MAX_YEARS_AHEAD)


def lump_sum(total: Decimal, due: date) -> Schedule:
    """One payment of the whole agreed total by ``due``. Refuses a total that is not
    positive (``money_zero``) or not whole fen (``money_precision``)."""
    require_fen(total)
    if total <= 0:
        raise InvalidInput("money_zero")
    return Schedule((Instalment(1, due, _fen(total), LUMP_SUM),))


def instalment_plan(
    total: Decimal,
    *,
    count: int,
    frequency: Frequency,
    first_due: date,
    down_payment: Decimal = ZERO,
    down_payment_due: date | None = None,
) -> Schedule:
    """An optional down payment (instalment 0, due on ``down_payment_due``, by default
    ``first_due``) and ``count`` regular instalments for the rest of the total.

    Equal instalments rounded DOWN to the fen, the remainder on the last one, so the
    rows sum exactly to ``total`` (10,000.00 / 3 = 3,333.33 + 3,333.33 + 3,333.34).
    Monthly dates keep ``first_due``'s day of the month, clamped to short months and
    computed from ``first_due`` every time so they never drift; fortnightly and weekly
    dates are 14 and 7 days apart. A due date on a weekend is kept as agreed: an
    unambiguous date is what a court can confirm (民诉法解释 Art. 358(5)).

    Refusal codes, first failure wins: ``instalment_count`` (count not 1–60),
    ``money_precision`` (not whole fen), ``money_zero`` (total ≤ 0), ``down_payment``
    (negative, or not less than the total), ``down_payment_date`` (after ``first_due``),
    ``instalment_too_small`` (a regular instalment would be under ¥0.01).
    """
    down_due = first_due if down_payment_due is None else down_payment_due
    _check_plan(total, count, down_payment, down_due, first_due)
    amounts = _split(_fen(total - down_payment), count)
    rows = [Instalment(0, down_due, _fen(down_payment), DOWN_PAYMENT)] if down_payment else []
    rows += [
        Instalment(k + 1, _due_date(first_due, frequency, k), amount, INSTALMENT)
        for k, amount in enumerate(amounts)
    ]
    return Schedule(tuple(rows))


def _check_plan(
    total: Decimal, count: int, down_payment: Decimal, down_due: date, first_due: date
) -> None:
    if not 1 <= count <= MAX_INSTALMENTS:
        raise InvalidInput("instalment_count")
    require_fen(total)
    require_fen(down_payment)
    if total <= 0:
        raise InvalidInput("money_zero")
    if down_payment < 0 or down_payment >= total:
        raise InvalidInput("down_payment")
    if down_due > first_due:
        raise InvalidInput("down_payment_date")
    if _regular_amount(total - down_payment, count) < FEN:
        raise InvalidInput("instalment_too_small")


def _regular_amount(rest: Decimal, count: int) -> Decimal:
    return (rest / count).quantize(FEN, rounding=ROUND_DOWN)


def _split(rest: Decimal, count: int) -> list[Decimal]:
    each = _regular_amount(rest, count)
    return [each] * (count - 1) + [_fen(rest - each * (count - 1))]


def _due_date(first_due: date, frequency: Frequency, k: int) -> date:
    if frequency is Frequency.MONTHLY:
        return add_months(first_due, k)
    return first_due + timedelta(days=_STEP_DAYS[frequency] * k)


def validate_schedule(schedule: Schedule, *, expected_total: Decimal, today: date) -> None:
    """Check a schedule before it goes into a proposal or an agreement (人民调解法 Art. 29).

    Refusal codes, first failure wins: ``instalment_count`` (more than 61 rows: 60
    instalments and a down payment), ``schedule_order`` (dates going backwards),
    ``money_precision`` (an amount not in whole fen), ``instalment_too_small`` (an
    amount under ¥0.01), ``schedule_sum`` (rows not summing exactly to
    ``expected_total``), ``first_due_past`` (a payment due before ``today``),
    ``due_too_late`` (a payment due more than :data:`MAX_YEARS_AHEAD` years after ``today``).
    """
    rows = schedule.instalments
    if len(rows) > MAX_ROWS:
        raise InvalidInput("instalment_count")
    if any(later.due < earlier.due for earlier, later in pairwise(rows)):
        raise InvalidInput("schedule_order")
    for row in rows:
        require_fen(row.amount)
        if row.amount < FEN:
            raise InvalidInput("instalment_too_small")
    if schedule.total != expected_total:
        raise InvalidInput("schedule_sum")
    if schedule.first_due < today:
        raise InvalidInput("first_due_past")
    if schedule.last_due > latest_due(today):
        raise InvalidInput("due_too_late")


def require_fen(amount: Decimal) -> None:
    """Refuse (``money_precision``) an amount that is not finite or not whole fen:
    ``Decimal("1.230")`` is fine (it is 1.23), ``Decimal("1.235")`` is refused rather
    than silently rounded, because an agreed amount is never changed behind the parties."""
    if not amount.is_finite() or amount != to_fen(amount):
        raise InvalidInput("money_precision")


def _fen(amount: Decimal) -> Decimal:
    """Two decimal places for display and storage; exact, because amounts are whole fen."""
    return to_fen(amount)
