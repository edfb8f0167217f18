"""After a breach: the deadline to apply for enforcement of a confirmed agreement, and
whether an application may be made on a day and for how much.

A mediation agreement confirmed by a court's ruling (司法确认裁定) is enforceable: when a
party refuses to perform it, the other may apply to the court for enforcement (CPL Art.
206; 人民调解法 Art. 33). The application period is two years (CPL Art. 250): counted from
the last day of the performance period the document sets; for performance in instalments,
from the last day of the last instalment's period. It is interrupted like a limitation
period (same article; 民法典 Art. 195): by an application, a settlement, a demand for
performance or the debtor agreeing to perform, and runs again from then (执行程序解释
Art. 20); a partial payment is the debtor agreeing to perform (诉讼时效规定 Art. 14).
An application made after the period is still accepted; the debtor may object and the
court then refuses enforcement (民诉法解释 Art. 481), so the product warns rather than
refuses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from app.rules.citations import cite
from app.rules.deadlines import Deadline, LegalCalendar, years_period_end
from app.rules.errors import Refused
from app.rules.repayment_plan import ZERO, Split
from app.rules.repayments import InstalmentPosition, RepaymentState, RepaymentStatus

ENFORCEMENT_YEARS = 2
SOURCE_ENFORCEMENT_PERIOD = cite(
    "cpl.250", "cpl_enforcement_interp.20", "limitation_rules.14", "cpl.85"
)
SOURCE_ENFORCEMENT = cite("cpl.206", "mediation_law.33")
SOURCE_LATE_APPLICATION = cite("cpl_interp.481")


class EnforcementRefused(Refused):
    """An enforcement application that may not be made; ``code`` says why. The words are
    the enforcement feature's: it fills ``messages`` (lazy gettext strings keyed by code)."""

    messages: ClassVar[dict[str, Any]] = {}


@dataclass(frozen=True)
class EnforcementDeadline:
    """The period to apply for enforcement (CPL Art. 250).

    ``performance_ends`` is the last day of performance the agreement sets (the lump sum's
    due date, or the last instalment's); ``statutory`` is counted from it, or from the
    latest interruption within the period (``interrupted_on``), and ``end`` is its last
    day: since 2022 the article counts an instalment debt from the last instalment, and
    courts have applied that even where a missed instalment made the rest due at once.
    ``accelerated`` is the same period counted from the breach date when acceleration made
    the whole balance due then: a debtor may argue that reading, so ``earliest_end`` (the
    earlier of the two) is the date by which an application is safe on either reading, for
    a warning."""

    performance_ends: date
    interrupted_on: date | None
    statutory: Deadline
    accelerated: Deadline | None

    @property
    def end(self) -> date:
        return self.statutory.end

    @property
    def earliest_end(self) -> date:
        if self.accelerated is None:
            return self.statutory.end
        return min(self.statutory.end, self.accelerated.end)

    @property
    def calendar_certain(self) -> bool:
        extra = self.accelerated.calendar_certain if self.accelerated else True
        return self.statutory.calendar_certain and extra


def enforcement_deadline(
    status: RepaymentStatus,
    calendar: LegalCalendar,
    *,
    interruptions: Iterable[date] = (),
) -> EnforcementDeadline:
    """The enforcement application deadline as known on ``status.on``.

    Two years (民法典 Art. 202: the same day two years later; 29 Feb gives 28 Feb) from the
    last day of performance, the start day not counted and a last day on a rest day moved
    to the next working day (CPL Art. 85). The payments in ``status`` and the dates in
    ``interruptions`` (a demand for payment, an acknowledgement, an application) each
    restart the period when they fall inside it (执行程序解释 Art. 20; 诉讼时效规定 Art. 14);
    one before the period starts or after it has ended changes nothing here.
    """
    plan = status.plan
    dates = sorted({a.paid_on for a in status.allocations} | set(interruptions))
    statutory, interrupted = _period(plan.last_due, dates, calendar)
    accelerated = None
    breach = status.breach
    if breach is not None and breach.accelerated and breach.on < plan.last_due:
        accelerated, _ = _period(breach.on, dates, calendar)
    return EnforcementDeadline(plan.last_due, interrupted, statutory, accelerated)


def _period(
    start: date, interruptions: list[date], calendar: LegalCalendar
) -> tuple[Deadline, date | None]:
    deadline = years_period_end(
        start, ENFORCEMENT_YEARS, calendar, source=SOURCE_ENFORCEMENT_PERIOD
    )
    interrupted = None
    for day in interruptions:
        if deadline.start < day <= deadline.end:
            interrupted = day
            deadline = years_period_end(day, ENFORCEMENT_YEARS, calendar, source=deadline.source)
    return deadline, interrupted


@dataclass(frozen=True)
class EnforcementClaim:
    """What an enforcement application on ``on`` may ask for: ``amount`` (split by part)
    of ``instalments``. ``accelerated``: the whole unpaid balance is due. ``late``: the
    application period has ended (the court accepts it, but the debtor may object:
    民诉法解释 Art. 481); ``late_if_accelerated``: it has ended on the acceleration
    reading (:class:`EnforcementDeadline`), a risk to warn about."""

    on: date
    amount: Decimal
    split: Split
    instalments: tuple[int, ...]
    accelerated: bool
    deadline: EnforcementDeadline
    late: bool
    late_if_accelerated: bool
    source: str = SOURCE_ENFORCEMENT


def enforcement_claim(
    status: RepaymentStatus,
    *,
    ruling_confirmed_on: date | None,
    calendar: LegalCalendar,
    interruptions: Iterable[date] = (),
) -> EnforcementClaim:
    """May the creditor apply for enforcement on ``status.on``, and for what?

    Only a confirmed agreement is enforceable (CPL Art. 206; 人民调解法 Art. 33), and only
    once the debtor has failed to perform: the agreement is in breach. With acceleration
    the whole unpaid balance may be claimed; without it, the unpaid part of what is past
    due. Refusal codes (:class:`EnforcementRefused`), first failure wins:
    ``no_confirmation_ruling`` (no ruling recorded), ``ruling_not_yet`` (the ruling is
    dated after ``status.on``), ``repayment_completed`` (nothing left to pay),
    ``not_in_breach`` (nothing missed, or still within the grace period).
    """
    on = status.on
    if ruling_confirmed_on is None:
        raise EnforcementRefused("no_confirmation_ruling")
    if ruling_confirmed_on > on:
        raise EnforcementRefused("ruling_not_yet")
    if status.state is RepaymentState.COMPLETED:
        raise EnforcementRefused("repayment_completed")
    if status.state is not RepaymentState.IN_BREACH or status.breach is None:
        raise EnforcementRefused("not_in_breach")
    claimed = [p for p in status.positions if p.outstanding and p.due < on]
    if status.breach.accelerated:
        claimed = [p for p in status.positions if p.outstanding]
    deadline = enforcement_deadline(status, calendar, interruptions=interruptions)
    return EnforcementClaim(
        on=on,
        amount=sum((p.outstanding for p in claimed), ZERO),
        split=sum((_unpaid(p) for p in claimed), Split()),
        instalments=tuple(p.number for p in claimed),
        accelerated=status.breach.accelerated,
        deadline=deadline,
        late=on > deadline.end,
        late_if_accelerated=on > deadline.earliest_end,
    )


def _unpaid(position: InstalmentPosition) -> Split:
    return position.instalment.split - position.paid


# The creditor is reminded of the enforcement deadline this many days before its last day.
REMINDER_DAYS = (90, 30, 7)


def enforcement_reminder_due(last_day: date, today: date) -> int | None:
    """Which reminder of the deadline ``last_day`` is due on ``today``: the smallest of
    ``REMINDER_DAYS`` the days left have reached (a run that missed the 90-day mark on a
    day with 25 days left sends the 30-day one, never both), or None when the deadline is
    more than 90 days away or has passed."""
    left = (last_day - today).days
    if left < 0:
        return None
    reached = [days for days in REMINDER_DAYS if left <= days]
    return min(reached) if reached else None
