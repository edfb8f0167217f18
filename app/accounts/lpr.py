"""The one-year Loan Prime Rate history the administrator keeps: the claim check caps the
interest of private lending at four times the fixing in force when the contract was formed
(:mod:`app.rules.claims`), so the history is data, not code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app import audit
from app.accounts.errors import AccountInvalid
from app.audit import AuditAction
from app.core.errors import InvalidInput
from app.core.memo import remembered
from app.core.transaction import conflict_on, use_case
from app.extensions import db
from app.models.cases import LprRate
from app.models.users import User
from app.rules.claims import LprFixing
from app.rules.money import parse_rate

# Two administrators fixing the same day at the same moment: the second lost the race
# (``migrations/versions/0002_cases.py``).
conflict_on("uq_lpr_rates_effective", "changed_meanwhile")

LOWEST, HIGHEST = Decimal("0"), Decimal("20")


def lpr_history() -> list[LprFixing]:
    """Every fixing, oldest first (read once per run of a bulk import: app.core.memo)."""
    return list(remembered("lpr_history", _history))


def _history() -> tuple[LprFixing, ...]:
    rows = db.session.scalars(select(LprRate).order_by(LprRate.effective))
    return tuple(LprFixing(r.effective, r.rate) for r in rows)


def read_fixing(effective: str, rate: str) -> tuple[date, Decimal]:
    """The day and the rate (percent) as typed into the form, or ``lpr_invalid``."""
    try:
        day = date.fromisoformat(effective.strip())
    except ValueError:
        raise AccountInvalid("lpr_invalid", "effective") from None
    try:
        return day, parse_rate(rate)
    except InvalidInput:
        raise AccountInvalid("lpr_invalid", "rate") from None


@use_case
def set_lpr(admin: User, effective: date, rate: Decimal) -> None:
    """Record (or correct) the fixing in force from ``effective``."""
    if not LOWEST < rate < HIGHEST:
        raise AccountInvalid("lpr_invalid", "rate")
    row = db.session.scalar(select(LprRate).where(LprRate.effective == effective))
    before = row.rate if row else None
    if row is None:
        row = LprRate(effective=effective, rate=rate)
        db.session.add(row)
    else:
        row.rate = rate
    db.session.flush()
    audit.record(
        AuditAction.LPR_SET,
        actor=admin,
        object_type="lpr_rate",
        object_id=row.id,
        data={"effective": effective.isoformat(), "rate": rate, "before": before},
    )
