"""The repayment plan of an agreement in force: every instalment with the date it falls
due, its amount, what it pays of principal, interest, penalty and fees, its grace period
and the balance left after it.

The plan is built from the agreement's schedule and the terms it states: the parts of the
total (民诉法解释 Art. 358(5)), the default rule (grace period, acceleration), the order in
which a payment pays the parts of the debt, and whether a due date on a rest day moves.
What the agreement does not state is filled by the law or by the organisation's setting,
and the plan says which (``allocation_source``, ``grace_source``).

Amounts are ``Decimal`` yuan in whole fen; dates are calendar dates on the legal clock.
Refusals raise :class:`app.rules.errors.InvalidInput` with the codes in each docstring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from app.rules.agreement_terms import DEFAULT_GRACE_DAYS, AgreementTerms
from app.rules.citations import cite
from app.rules.deadlines import LegalCalendar, next_working_day
from app.rules.errors import InvalidInput
from app.rules.money import to_fen
from app.rules.proposals import TermsKind
from app.rules.schedules import DOWN_PAYMENT, LUMP_SUM, Instalment, Schedule, require_fen

ZERO = Decimal("0.00")
MAX_GRACE_DAYS = 90  # as app.rules.agreement_checks allows in an agreement
SOURCE_ALLOCATION = cite("civil_code.561")
SOURCE_AGREED = "调解协议约定"
SOURCE_ORGANISATION = "调解组织设置"
SOURCE_DAYS = cite("civil_code.201", "civil_code.203")


class Item(StrEnum):
    """The parts of the debt, named as the agreement names them (``ITEM_LABELS``)."""

    PRINCIPAL = "principal"
    INTEREST = "interest"
    PENALTY = "penalty"
    FEES = "fees"


# 民法典 Art. 561: unless agreed otherwise, a payment that does not cover the whole debt
# pays (1) the costs of realising the claim, (2) interest, (3) the principal. Of the four
# parts an agreement states, "fees" are the charges on top of principal and interest and
# take the first place; the penalty (违约金/逾期利息) is not named by Art. 561: as a charge
# for paying late, of the nature of interest, it comes with interest, after the contractual
# interest that accrued first, and before principal, which is always last.
STATUTORY_ORDER: tuple[Item, ...] = (Item.FEES, Item.INTEREST, Item.PENALTY, Item.PRINCIPAL)


class PaymentOrder(StrEnum):
    """Which instalment a payment pays first. ``OLDEST_FIRST`` unless the agreement says
    otherwise: the debt that fell due first is paid first (民法典 Art. 560, by analogy:
    "按照债务到期的先后顺序履行"). ``NEWEST_FIRST`` pays the last instalments first (the
    term shortens; the next instalment stays due)."""

    OLDEST_FIRST = "oldest_first"
    NEWEST_FIRST = "newest_first"


@dataclass(frozen=True)
class Split:
    """An amount split into the four parts of the debt (each whole fen)."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    fees: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.fees

    def part(self, item: Item) -> Decimal:
        return getattr(self, Item(item).value)

    # Spelled out, not over dataclasses.fields(): the docket adds these for every
    # instalment of every case on its page.
    def __add__(self, other: Split) -> Split:
        return Split(
            self.principal + other.principal,
            self.interest + other.interest,
            self.penalty + other.penalty,
            self.fees + other.fees,
        )

    def __sub__(self, other: Split) -> Split:
        return Split(
            self.principal - other.principal,
            self.interest - other.interest,
            self.penalty - other.penalty,
            self.fees - other.fees,
        )

    @classmethod
    def of(cls, parts: Mapping[Item, Decimal]) -> Split:
        return cls(**{Item(item).value: amount for item, amount in parts.items()})


def fill(split: Split, amount: Decimal, order: Iterable[Item]) -> Split:
    """What ``amount`` pays of ``split``, part by part in ``order`` (never more than a
    part holds; anything beyond ``split.total`` pays nothing)."""
    left = amount
    taken: dict[str, Decimal] = {}
    for item in order:
        name = Item(item).value
        take = to_fen(max(min(left, getattr(split, name)), ZERO))
        taken[name] = take
        left -= take
    return Split(**taken)


@dataclass(frozen=True)
class RepaymentRules:
    """What the agreement states about performance; ``None`` means it states nothing.

    ``grace_days``: days an instalment may be late before the agreement is in breach
    (``None``: the organisation's setting applies). ``accelerates``: on breach the whole
    unpaid balance falls due at once. ``rest_day_due_moves``: a due date on a rest day
    moves to the next working day (otherwise it is kept as agreed, the unambiguous date a
    court confirmed). ``grace_end_moves``: the grace period is a period counted in days,
    so its last day on a rest day moves to the next working day (民法典 Art. 203) unless
    the agreement says otherwise (Art. 204). ``allocation_order``: the order in which a
    payment pays the parts of the debt (``None``: 民法典 Art. 561, :data:`STATUTORY_ORDER`).
    """

    grace_days: int | None = None
    accelerates: bool = False
    rest_day_due_moves: bool = False
    grace_end_moves: bool = True
    allocation_order: tuple[Item, ...] | None = None
    payment_order: PaymentOrder = PaymentOrder.OLDEST_FIRST


def rules_from_terms(terms: AgreementTerms) -> RepaymentRules:
    """The rules an agreement drafted by :mod:`app.rules.agreements` states. Its printed
    default rule (:mod:`app.rules.agreement_context`) reads, for instalments: any
    instalment more than N days late makes the whole unpaid balance due at once (grace N,
    acceleration); for a lump sum: not paying in full by the date allows enforcement of
    what is unpaid (no grace, nothing to accelerate). It states no order of payment and
    does not move due dates, so the law's defaults apply to those."""
    if terms.kind == TermsKind.LUMP_SUM:
        return RepaymentRules(grace_days=0, accelerates=False)
    return RepaymentRules(grace_days=terms.default_rule.grace_days, accelerates=True)


@dataclass(frozen=True)
class PlannedInstalment:
    """One row of the plan. ``agreed_due`` is the date the agreement prints; ``due`` is
    the date it falls due (moved off a rest day only when the agreement says so).
    ``grace_ends`` is the last day it may still be paid without breach; ``balance_after``
    is what remains of the agreed total once it is paid as planned."""

    number: int
    kind: str
    agreed_due: date
    due: date
    amount: Decimal
    split: Split
    grace_ends: date
    balance_after: Decimal
    dates_certain: bool


@dataclass(frozen=True)
class RepaymentPlan:
    """The instalments in the order they fall due, with the rules that govern them."""

    instalments: tuple[PlannedInstalment, ...]
    totals: Split
    grace_days: int
    grace_source: str
    accelerates: bool
    allocation_order: tuple[Item, ...]
    allocation_source: str
    payment_order: PaymentOrder

    @property
    def total(self) -> Decimal:
        return self.totals.total

    @property
    def last_due(self) -> date:
        """The last day of the performance period: the lump sum's or the last instalment's
        due date (CPL Art. 250 counts the enforcement period from it)."""
        return max(row.due for row in self.instalments)

    @property
    def is_lump_sum(self) -> bool:
        return all(row.kind == LUMP_SUM for row in self.instalments)

    def instalment(self, number: int) -> PlannedInstalment:
        """The row with ``number``; ``InvalidInput("instalment_number")`` if none."""
        for row in self.instalments:
            if row.number == number:
                return row
        raise InvalidInput("instalment_number", "instalment")

    def in_payment_order(self) -> tuple[PlannedInstalment, ...]:
        rows = self.instalments
        return rows[::-1] if self.payment_order is PaymentOrder.NEWEST_FIRST else rows


def repayment_plan(
    schedule: Schedule | Iterable[Instalment],
    amounts: Split,
    calendar: LegalCalendar,
    rules: RepaymentRules = RepaymentRules(),  # noqa: B008 (frozen, so safe as a default)
    *,
    organisation_grace_days: int = DEFAULT_GRACE_DAYS,
) -> RepaymentPlan:
    """The plan for ``schedule`` whose total is made of ``amounts``.

    Each instalment's split follows the allocation order, applied to the rows in the order
    they fall due (a down payment first): the first rows pay the first parts in the order
    and principal comes last, so what a row pays of each part is what an on-time payment
    of it settles. The splits of the rows add up exactly to ``amounts``. The grace period
    is the agreement's, else ``organisation_grace_days``; it starts the day after the due
    date (民法典 Art. 201) and ends ``grace_days`` later, moved off a rest day when
    ``rules.grace_end_moves`` (Art. 203); a grace of 0 ends on the due date itself.

    Refusal codes: ``money_precision`` (an amount or part not whole fen, or negative),
    ``plan_split_sum`` (the parts do not add up to the schedule's total),
    ``grace_days`` (not 0-90), ``allocation_order`` (not each of the four parts once),
    ``schedule_numbers`` (two rows with the same number), ``schedule_empty`` (no rows).
    """
    rows = sorted(_rows(schedule), key=lambda row: (row.due, row.kind != DOWN_PAYMENT, row.number))
    _check_amounts(rows, amounts)
    amounts = Split(*(to_fen(amounts.part(item)) for item in Item))
    grace, grace_source = _grace(rules, organisation_grace_days)
    order, order_source = _order(rules)
    planned: list[PlannedInstalment] = []
    left, balance = amounts, amounts.total
    for row in rows:
        split = fill(left, row.amount, order)
        left, balance = left - split, balance - row.amount
        planned.append(_planned(row, split, balance, grace, rules, calendar))
    return RepaymentPlan(
        instalments=tuple(planned),
        totals=amounts,
        grace_days=grace,
        grace_source=grace_source,
        accelerates=rules.accelerates,
        allocation_order=order,
        allocation_source=order_source,
        payment_order=PaymentOrder(rules.payment_order),
    )


def plan_from_terms(
    terms: AgreementTerms,
    calendar: LegalCalendar,
    *,
    organisation_grace_days: int = DEFAULT_GRACE_DAYS,
) -> RepaymentPlan:
    """The plan of an agreement drafted by :mod:`app.rules.agreements`, with the rules it
    states (:func:`rules_from_terms`). Refusal codes as :func:`repayment_plan`."""
    amounts = Split(terms.principal, terms.interest, terms.penalty, terms.fees)
    return repayment_plan(
        terms.schedule,
        amounts,
        calendar,
        rules_from_terms(terms),
        organisation_grace_days=organisation_grace_days,
    )


def _rows(schedule: Schedule | Iterable[Instalment]) -> list[Instalment]:
    rows = list(schedule.instalments if isinstance(schedule, Schedule) else schedule)
    if not rows:
        raise InvalidInput("schedule_empty")
    if len({row.number for row in rows}) != len(rows):
        raise InvalidInput("schedule_numbers")
    return rows


def _check_amounts(rows: list[Instalment], amounts: Split) -> None:
    for amount in [row.amount for row in rows] + [amounts.part(item) for item in Item]:
        require_fen(amount)
        if amount < 0:
            raise InvalidInput("money_precision")
    if sum((row.amount for row in rows), ZERO) != amounts.total:
        raise InvalidInput("plan_split_sum")


def _grace(rules: RepaymentRules, organisation_grace_days: int) -> tuple[int, str]:
    agreed = rules.grace_days is not None
    days = rules.grace_days if rules.grace_days is not None else organisation_grace_days
    if isinstance(days, bool) or not 0 <= days <= MAX_GRACE_DAYS:
        raise InvalidInput("grace_days", "grace_days")
    return days, SOURCE_AGREED if agreed else SOURCE_ORGANISATION


def _order(rules: RepaymentRules) -> tuple[tuple[Item, ...], str]:
    if rules.allocation_order is None:
        return STATUTORY_ORDER, SOURCE_ALLOCATION
    try:
        order = tuple(Item(item) for item in rules.allocation_order)
    except ValueError as exc:
        raise InvalidInput("allocation_order", "allocation_order") from exc
    if sorted(order) != sorted(Item):
        raise InvalidInput("allocation_order", "allocation_order")
    return order, SOURCE_AGREED


def _planned(
    row: Instalment,
    split: Split,
    balance_after: Decimal,
    grace_days: int,
    rules: RepaymentRules,
    calendar: LegalCalendar,
) -> PlannedInstalment:
    due, certain = row.due, True
    if rules.rest_day_due_moves:
        due, certain = next_working_day(row.due, calendar)
    grace_ends = due + timedelta(days=grace_days)
    if grace_days and rules.grace_end_moves:
        grace_ends, grace_certain = next_working_day(grace_ends, calendar)
        certain = certain and grace_certain
    return PlannedInstalment(
        number=row.number,
        kind=row.kind,
        agreed_due=row.due,
        due=due,
        amount=to_fen(row.amount),
        split=split,
        grace_ends=grace_ends,
        balance_after=balance_after,
        dates_certain=certain,
    )
