"""A supplementary agreement (补充协议) restructures what remains unpaid under an agreement:
never what was paid or waived. The parties may change the agreement by consensus (民法典
Art. 543); the new terms cover the remaining balance, by part, to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.rules.errors import Refused
from app.rules.repayment_plan import Split
from app.rules.repayments import RepaymentState, RepaymentStatus
from app.rules.schedules import Schedule, validate_schedule


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


def check_restructured_schedule(basis: RestructuringBasis, schedule: Schedule) -> None:
    """A new schedule for the remaining balance: it must sum exactly to the remaining
    balance (never re-collecting what was paid) and pass the schedule checks from
    ``basis.on`` (:func:`app.rules.schedules.validate_schedule`). Refusal codes: those of
    ``validate_schedule`` (``schedule_sum`` when the total differs)."""
    validate_schedule(schedule, expected_total=basis.remaining.total, today=basis.on)
