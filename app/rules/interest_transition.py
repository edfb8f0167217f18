"""The transitional interest rule for private loans formed before 2020-08-20.

民间借贷规定 (2020 amendment) Art. 31: for a private loan formed before 2020-08-20, the
interest from the contract's formation up to 2020-08-19 follows the interpretation then
in force (2015 民间借贷规定 Art. 26: up to 24% a year is protected; between 24% and 36%
it is not recoverable when unpaid; above 36% it is void), and the interest from
2020-08-20 follows the new protection line, 4 × the one-year LPR *at the time of the
application* (起诉时; for mediation, the day the claim is checked).

Pure arithmetic: the period is split at 2020-08-20 and each part is computed on its own
line. Days are counted like the rest of the claim check (from the contract date to the
check day, 365 days a year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.rules.citations import cite
from app.rules.money import to_fen

TRANSITION_DAY = date(2020, 8, 20)  # the 2020 amendment applies from this day
OLD_PROTECTED_RATE = Decimal("24")  # 2015 民间借贷规定 Art. 26 para. 1
OLD_VOID_RATE = Decimal("36")  # 2015 民间借贷规定 Art. 26 para. 2
LPR_MULTIPLE = Decimal(4)
DAYS_PER_YEAR = Decimal(365)

SOURCE_TRANSITION = cite("private_lending_2020.31")
SOURCE_OLD_LINES = cite("private_lending_2015.26")
SOURCE_NEW_LINE = cite("private_lending_2020.25")


@dataclass(frozen=True)
class InterestPeriod:
    """One part of the split: interest from ``start`` to ``end`` (both included) on
    ``base`` at ``rate`` (the contract rate, cut to ``cap``), and the most the cap
    allows for the period (``cap_amount``)."""

    start: date
    end: date
    days: int
    cap: Decimal
    rate: Decimal
    amount: Decimal
    cap_amount: Decimal
    rule_zh: str
    rule_en: str
    source: str


@dataclass(frozen=True)
class TransitionalSplit:
    """Interest on a pre-2020-08-20 private loan, split at 2020-08-20 (Art. 31)."""

    base: Decimal
    contract_rate: Decimal
    lpr_date: date
    lpr: Decimal
    periods: tuple[InterestPeriod, ...]

    @property
    def amount(self) -> Decimal:
        """Interest at the contract rate, each part cut to its own line."""
        return sum((p.amount for p in self.periods), Decimal("0.00"))

    @property
    def cap_amount(self) -> Decimal:
        """The most interest, penalty and fees together may come to (Art. 31 with the
        2015 Art. 30 and the 2020 Art. 29: the charges share one line)."""
        return sum((p.cap_amount for p in self.periods), Decimal("0.00"))

    @property
    def above_old_void_line(self) -> bool:
        """The contract rate is above 36%: that part of the old-period interest is void."""
        return self.contract_rate > OLD_VOID_RATE and self.periods[0].start < TRANSITION_DAY


def is_transitional(contract_date: date) -> bool:
    """The loan was formed before 2020-08-20, so Art. 31 splits its interest."""
    return contract_date < TRANSITION_DAY


def split_interest(
    contract_date: date,
    until: date,
    base: Decimal,
    contract_rate: Decimal,
    lpr_date: date,
    lpr: Decimal,
) -> TransitionalSplit:
    """Split the interest on ``base`` from ``contract_date`` to ``until`` at 2020-08-20:
    before it the old 24% line, from it 4 × ``lpr`` (the one-year LPR in force on the
    application day, fixed on ``lpr_date``). 民间借贷规定 (2020) Art. 31."""
    periods = []
    old_end = min(until, TRANSITION_DAY)
    if contract_date < old_end:
        periods.append(
            _period(
                contract_date,
                old_end,
                base,
                contract_rate,
                OLD_PROTECTED_RATE,
                "2020年8月19日前：适用当时的司法解释，年利率24%以内受保护",
                "Up to 19 Aug 2020: the rules then in force, up to 24% a year protected",
                SOURCE_OLD_LINES,
            )
        )
    new_start = max(contract_date, TRANSITION_DAY)
    if new_start < until:
        periods.append(
            _period(
                new_start,
                until,
                base,
                contract_rate,
                lpr * LPR_MULTIPLE,
                "2020年8月20日起：适用申请时一年期LPR的四倍",
                "From 20 Aug 2020: four times the one-year LPR at the time of the application",
                SOURCE_NEW_LINE,
            )
        )
    return TransitionalSplit(base, contract_rate, lpr_date, lpr, tuple(periods))


def _period(
    start: date,
    stop: date,
    base: Decimal,
    contract_rate: Decimal,
    cap: Decimal,
    rule_zh: str,
    rule_en: str,
    source: str,
) -> InterestPeriod:
    """Interest from ``start`` up to the day before ``stop``."""
    days = (stop - start).days
    rate = min(contract_rate, cap)
    return InterestPeriod(
        start=start,
        end=stop - timedelta(days=1),
        days=days,
        cap=cap,
        rate=rate,
        amount=_interest(base, rate, days),
        cap_amount=_interest(base, cap, days),
        rule_zh=rule_zh,
        rule_en=rule_en,
        source=source,
    )


def _interest(base: Decimal, rate: Decimal, days: int) -> Decimal:
    return to_fen(base * rate / 100 * days / DAYS_PER_YEAR)
