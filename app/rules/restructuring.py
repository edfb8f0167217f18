"""A supplementary agreement (补充协议) restructures what remains unpaid under an agreement:
never what was paid or waived. The parties may change the agreement by consensus (民法典
Art. 543); the new terms cover the remaining balance, by part, to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from app.rules.agreement_terms import DEFAULT_GRACE_DAYS
from app.rules.deadlines import LegalCalendar
from app.rules.errors import Refused
from app.rules.repayment_plan import (
    ZERO,
    Item,
    PaymentOrder,
    PlannedInstalment,
    RepaymentPlan,
    RepaymentRules,
    Split,
    repayment_plan,
)
from app.rules.repayments import RepaymentState, RepaymentStatus
from app.rules.schedules import Instalment, Schedule, validate_schedule


@dataclass(frozen=True)
class RestructuringBasis:
    """What a supplementary agreement would restructure on ``on``: the ``remaining``
    balance by part. What was paid (``paid``, ``settled`` instalments, the paid part of a
    partly paid one) and what was waived stay as they are."""

    on: date
    paid: Split
    waived: Split
    remaining: Split
    settled: tuple[int, ...]
    partly_paid: tuple[int, ...]


def restructuring_basis(status: RepaymentStatus) -> RestructuringBasis:
    """The balance a supplementary agreement may restructure; ``remaining.total`` is the
    whole unpaid balance to the fen. Refusal code: ``repayment_completed`` (nothing left,
    :class:`app.rules.errors.Refused`)."""
    if status.state is RepaymentState.COMPLETED:
        raise Refused("repayment_completed")
    return RestructuringBasis(
        on=status.on,
        paid=status.paid,
        waived=status.waived,
        remaining=status.balance,
        settled=tuple(p.number for p in status.positions if not p.outstanding),
        partly_paid=tuple(p.number for p in status.positions if p.outstanding and p.paid.total),
    )


def restructured_rules(lump_sum: bool, grace_days: int) -> RepaymentRules:
    """The default rule a supplementary agreement prints for its new schedule, as the
    original agreement does (:func:`app.rules.repayment_plan.rules_from_terms`): a lump sum
    not paid in full by its date is a breach at once; any instalment more than
    ``grace_days`` late makes the whole unpaid balance due."""
    if lump_sum:
        return RepaymentRules(grace_days=0, accelerates=False)
    return RepaymentRules(grace_days=grace_days, accelerates=True)


def check_restructured_schedule(basis: RestructuringBasis, schedule: Schedule) -> None:
    """A new schedule for the remaining balance: it must sum exactly to the remaining
    balance (never re-collecting what was paid) and pass the schedule checks from
    ``basis.on`` (:func:`app.rules.schedules.validate_schedule`). Refusal codes: those of
    ``validate_schedule`` (``schedule_sum`` when the total differs)."""
    validate_schedule(schedule, expected_total=basis.remaining.total, today=basis.on)


def kept_rows(status: RepaymentStatus) -> tuple[tuple[Instalment, Split], ...]:
    """What stays of the plan when its remaining schedule is superseded: every settled
    instalment as it was, and the paid part of a partly paid one, each with what it paid
    of each part. Their amounts add up to ``status.paid.total`` (what was paid is never
    restructured)."""
    rows = []
    for p in status.positions:
        if p.paid.total:
            row = p.instalment
            rows.append((Instalment(row.number, row.agreed_due, p.paid.total, row.kind), p.paid))
    return tuple(rows)


def superseded_rows(status: RepaymentStatus) -> tuple[tuple[int, date, Decimal], ...]:
    """The instalments (number, due date, unpaid amount) whose unpaid part the new schedule
    replaces."""
    return tuple(
        (p.number, p.instalment.agreed_due, p.outstanding)
        for p in status.positions
        if p.outstanding
    )


def renumbered(schedule: Schedule, after: int) -> Schedule:
    """The new schedule's rows numbered on from ``after`` (the highest number the plan has
    used), so that no instalment of the restructured plan shares a number with one of the
    plan it replaces (reminders are kept per instalment number)."""
    return Schedule(
        tuple(
            Instalment(after + i, row.due, row.amount, row.kind)
            for i, row in enumerate(schedule.instalments, start=1)
        )
    )


def restructured_plan(
    kept: Sequence[tuple[Instalment, Split]],
    schedule: Schedule,
    remaining: Split,
    basis_on: date,
    calendar: LegalCalendar,
    rules: RepaymentRules,
    *,
    organisation_grace_days: int = DEFAULT_GRACE_DAYS,
) -> RepaymentPlan:
    """The plan once a supplementary agreement is in force (民法典 Art. 543): the rows kept
    from the plan it amends (what was paid, as it was paid, with its split), then the new
    schedule for the ``remaining`` balance, split by part in the allocation order.

    Payments are applied oldest row first, so the payments made before ``basis_on`` settle
    the kept rows again exactly, and every later payment pays the new schedule. A kept row
    is never a breach under the new terms (it was settled by ``basis_on``): its grace
    period runs at least to that day. ``schedule`` must already be numbered after every
    kept row (:func:`renumbered`). Refusal codes as
    :func:`app.rules.repayment_plan.repayment_plan`."""
    new = repayment_plan(
        schedule, remaining, calendar, rules, organisation_grace_days=organisation_grace_days
    )
    total = sum((split.total for _, split in kept), ZERO) + remaining.total
    balance = total
    rows: list[PlannedInstalment] = []
    for row, split in kept:
        balance -= row.amount
        rows.append(
            PlannedInstalment(
                number=row.number,
                kind=row.kind,
                agreed_due=row.due,
                due=row.due,
                amount=row.amount,
                split=split,
                grace_ends=max(row.due, basis_on),
                balance_after=balance,
                dates_certain=True,
            )
        )
    for planned in new.instalments:
        balance -= planned.amount
        rows.append(replace(planned, balance_after=balance))
    return RepaymentPlan(
        instalments=tuple(rows),
        totals=sum((split for _, split in kept), Split()) + remaining,
        grace_days=new.grace_days,
        grace_source=new.grace_source,
        accelerates=new.accelerates,
        allocation_order=new.allocation_order,
        allocation_source=new.allocation_source,
        payment_order=PaymentOrder.OLDEST_FIRST,
    )


# --- the frozen terms of a supplementary agreement, as stored (JSON) ---------------------


def split_to_json(split: Split) -> dict[str, str]:
    return {item.value: str(split.part(item)) for item in Item}


def split_from_json(data: Mapping[str, str]) -> Split:
    return Split.of({item: Decimal(data[item.value]) for item in Item})


def row_to_json(row: Instalment) -> dict[str, Any]:
    return {
        "number": row.number,
        "kind": row.kind,
        "due": row.due.isoformat(),
        "amount": str(row.amount),
    }


def row_from_json(data: Mapping[str, Any]) -> Instalment:
    return Instalment(
        int(data["number"]), date.fromisoformat(data["due"]), Decimal(data["amount"]), data["kind"]
    )


def schedule_to_json(schedule: Schedule) -> list[dict[str, Any]]:
    return [row_to_json(row) for row in schedule.instalments]


def schedule_from_json(rows: Sequence[Mapping[str, Any]]) -> Schedule:
    return Schedule(tuple(row_from_json(row) for row in rows))


def basis_to_json(basis: RestructuringBasis, status: RepaymentStatus) -> dict[str, Any]:
    """The basis as stored when the terms are accepted: the balance by part, the rows kept
    (with what they paid of each part) and the rows whose unpaid rest is superseded."""
    return {
        "on": basis.on.isoformat(),
        "paid": split_to_json(basis.paid),
        "waived": split_to_json(basis.waived),
        "remaining": split_to_json(basis.remaining),
        "kept": [
            {**row_to_json(row), "split": split_to_json(split)} for row, split in kept_rows(status)
        ],
        "superseded": [
            {"number": n, "due": due.isoformat(), "amount": str(amount)}
            for n, due, amount in superseded_rows(status)
        ],
        "last_number": max(p.number for p in status.positions),
    }


def plan_from_supplement(
    terms: Mapping[str, Any], calendar: LegalCalendar, *, organisation_grace_days: int
) -> RepaymentPlan:
    """The plan of a supplementary agreement in force, from its frozen terms (the basis,
    the renumbered new schedule and its default rule)."""
    basis = terms["basis"]
    kept = [(row_from_json(row), split_from_json(row["split"])) for row in basis["kept"]]
    rules = RepaymentRules(
        grace_days=int(terms["rules"]["grace_days"]),
        accelerates=bool(terms["rules"]["accelerates"]),
    )
    return restructured_plan(
        kept,
        schedule_from_json(terms["schedule"]),
        split_from_json(basis["remaining"]),
        date.fromisoformat(basis["on"]),
        calendar,
        rules,
        organisation_grace_days=organisation_grace_days,
    )
