"""The repayment as pages show it: plain data for templates (no ORM objects, no
arithmetic in templates). The panel on the case page, the chart (server-rendered SVG
geometry), the debtor's home summary and the docket's repayment state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.format import local_date, money
from app.extensions import db
from app.models.cases import Case
from app.models.notifications import OutboundMessage, OutboxStatus
from app.models.repayments import (
    PaymentChannel,
    PaymentSource,
    PaymentStatus,
    RepaymentBreach,
)
from app.models.users import User
from app.notifications import told
from app.repayments.common import (
    Performance,
    docket_performance,
    performance_of,
    read_docket_performances,
)
from app.rules.cases import PERFORMANCE_STATES, CaseState
from app.rules.repayments import InstalmentPosition, InstalmentState, Item, RepaymentState

STATE_LABELS = {
    RepaymentState.ON_TRACK: _l("On track"),
    RepaymentState.LATE: _l("Late"),
    RepaymentState.IN_BREACH: _l("In breach"),
    RepaymentState.COMPLETED: _l("Completed"),
}
INSTALMENT_LABELS = {
    InstalmentState.UPCOMING: _l("Upcoming"),
    InstalmentState.DUE: _l("Due today"),
    InstalmentState.PARTLY_PAID: _l("Partly paid"),
    InstalmentState.PAID: _l("Paid"),
    InstalmentState.LATE: _l("Late"),
    InstalmentState.WAIVED: _l("Waived"),
}
CHANNEL_LABELS = {
    PaymentChannel.BANK_TRANSFER: _l("Bank transfer"),
    PaymentChannel.CASH: _l("Cash"),
    PaymentChannel.ALIPAY: _l("Alipay"),
    PaymentChannel.WECHAT_PAY: _l("WeChat Pay"),
    PaymentChannel.OTHER: _l("Other"),
}
SOURCE_LABELS = {
    PaymentSource.CREDITOR: _l("Recorded by the creditor"),
    PaymentSource.DEBTOR: _l("Reported by the debtor"),
}
STATUS_LABELS = {
    PaymentStatus.RECORDED: _l("Recorded"),
    PaymentStatus.REPORTED: _l("Awaiting the creditor's confirmation"),
    PaymentStatus.CONFIRMED: _l("Confirmed"),
    PaymentStatus.DISPUTED: _l("Disputed"),
    PaymentStatus.REJECTED: _l("Not received (the mediator's finding)"),
}


PART_LABELS = {
    Item.PRINCIPAL: _l("Principal"),
    Item.INTEREST: _l("Interest"),
    Item.PENALTY: _l("Penalty"),
    Item.FEES: _l("Fees"),
}


def channel_choices() -> list[tuple[str, str]]:
    return [(c.value, str(label)) for c, label in CHANNEL_LABELS.items()]


def summary(perf: Performance) -> dict[str, Any]:
    """What is paid, what remains, the state and the next instalment."""
    status = perf.status
    nxt = _next(status.positions)
    return {
        "state": str(STATE_LABELS[status.state]),
        "state_key": status.state.value.replace("_", "-"),
        "total": perf.plan.total,
        "paid": status.paid.total,
        "remaining": status.balance.total,
        "overdue": status.overdue,
        "percent": _percent(status.paid.total + status.waived.total, perf.plan.total),
        "next": {
            "number": nxt.number,
            "label": _next_label(nxt.number, _first_new_number(perf)),
            "due": nxt.due,
            "amount": nxt.outstanding,
            "late": nxt.state is InstalmentState.LATE,
        }
        if nxt
        else None,
        "breach_on": status.breach.on if status.breach else None,
        "accelerated": bool(status.breach and status.breach.accelerated),
        "breach_notice": _breach_notice(perf),
        # After an accelerating breach the whole unpaid balance is due, not the next
        # instalment (the agreement's default rule): say that amount.
        "due_now": status.payable_now if status.breach and status.breach.accelerated else None,
        "grace_days": perf.plan.grace_days,
        "completed": status.state is RepaymentState.COMPLETED,
    }


def _breach_notice(perf: Performance) -> str | None:
    """Whether the debtor's breach notice (app.repayments.watch) went out, or when it will:
    the contact rules may hold it past quiet hours, so the recorded day alone is not the
    truth. Empty until a breach is recorded."""
    recorded = db.session.scalar(
        select(RepaymentBreach.recorded_at).where(
            RepaymentBreach.agreement_id == perf.agreement.id,
            RepaymentBreach.plan_revision == perf.plan_revision,
        )
    )
    if recorded is None:
        return None
    message = db.session.scalar(
        select(OutboundMessage)
        .where(
            OutboundMessage.case_id == perf.agreement.case_id,
            OutboundMessage.is_debtor.is_(True),
            OutboundMessage.template.in_(("case_breach", "case_breach_unpaid")),
        )
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )
    if message is None or message.status is OutboxStatus.SENT:
        sent = message.sent_at if message is not None and message.sent_at else recorded
        return _("the parties were notified on %(day)s", day=local_date(clock.day_of(sent)))
    if message.status is OutboxStatus.QUEUED:
        return _(
            "the debtor will be notified by %(channel)s on %(when)s",
            channel=str(told.CHANNEL_NAMES[message.channel]),
            when=told.format_due(message.due_at),
        )
    return _("the message to the debtor could not be delivered")


def _next(positions: Iterable[InstalmentPosition]) -> InstalmentPosition | None:
    """The instalment to pay next: the oldest one with something outstanding."""
    return next((p for p in positions if p.outstanding > 0), None)


def _percent(part: Decimal, whole: Decimal) -> int:
    return int(part * 100 / whole) if whole else 100


def account(perf: Performance) -> dict[str, str] | None:
    """The receiving account the agreement prints, in groups of four digits."""
    data = perf.agreement.terms.get("account")
    if not data:
        return None
    digits = str(data.get("account_number", "")).replace(" ", "")
    return {
        "name": data.get("account_name", ""),
        "bank": data.get("bank", ""),
        "number": " ".join(digits[i : i + 4] for i in range(0, len(digits), 4)),
    }


def instalment_rows(perf: Performance) -> list[dict[str, Any]]:
    """Every instalment of the plan. Under a supplementary agreement the rows kept from
    the agreement come first, then the agreement's instalments whose unpaid rest the
    supplementary agreement superseded (shown as such, no longer owed), then its new
    schedule, numbered as the supplementary agreement prints it."""
    first_new = _first_new_number(perf)
    rows: list[dict[str, Any]] = []
    for p in perf.status.positions:
        row = p.instalment
        if first_new is not None and row.number == first_new:
            rows += _superseded_rows(perf)
        rows.append(
            {
                "number": row.number,
                "title": _row_title(row.number, first_new),
                "due": p.due,
                "amount": row.amount,
                "split": [
                    (str(label), row.split.part(item))
                    for item, label in PART_LABELS.items()
                    if row.split.part(item)
                ],
                "paid": p.paid.total,
                "outstanding": p.outstanding,
                "state": str(INSTALMENT_LABELS[p.state]),
                "state_key": p.state.value.replace("_", "-"),
                "balance_after": row.balance_after,
            }
        )
    return rows


def _next_label(number: int, first_new: int | None) -> str:
    if first_new is not None and number >= first_new:
        return str(_l("supplementary agreement, instalment %(n)s", n=number - first_new + 1))
    return str(_l("instalment %(n)s", n=number))


def _first_new_number(perf: Performance) -> int | None:
    if perf.supplement is None:
        return None
    return int(perf.supplement.terms["basis"]["last_number"]) + 1


def _row_title(number: int, first_new: int | None) -> str:
    if first_new is not None and number >= first_new:
        return str(_l("Supplementary agreement, instalment %(n)s", n=number - first_new + 1))
    return str(_l("Instalment %(n)s", n=number))


def _superseded_rows(perf: Performance) -> list[dict[str, Any]]:
    assert perf.supplement is not None
    version = perf.supplement.version
    return [
        {
            "number": int(row["number"]),
            "title": str(_l("Instalment %(n)s", n=row["number"])),
            "due": date.fromisoformat(row["due"]),
            "amount": Decimal(row["amount"]),
            "split": [],
            "paid": Decimal("0.00"),
            "outstanding": Decimal("0.00"),
            "state": str(_l("Superseded by supplementary agreement v%(v)s", v=version)),
            "state_key": "superseded",
            "balance_after": None,
        }
        for row in perf.supplement.terms["basis"]["superseded"]
    ]


@dataclass(frozen=True)
class Bar:
    x: int
    paid_y: float
    paid_h: float
    rest_y: float
    rest_h: float
    title: str


SLOT = 10  # viewBox units per month; a bar is 8 wide with a gap of 2
HEIGHT = 100  # viewBox units: the largest month's total


def chart(perf: Performance) -> dict[str, Any]:
    """Paid and remaining by month of the due date, as the bars of an SVG drawn on the
    server (no script, no chart library). The SVG stretches to the card's width at a fixed
    height (its bars carry no text, so stretching distorts nothing); the month labels are
    page text under it. Heights are proportional to the largest month."""
    months: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    for p in perf.status.positions:
        key = (p.instalment.due.year, p.instalment.due.month)
        paid, total = months.get(key, (Decimal("0.00"), Decimal("0.00")))
        months[key] = (paid + p.paid.total + p.waived, total + p.instalment.amount)
    top = max((total for _, total in months.values()), default=Decimal("0"))
    bars = []
    for i, ((year, month), (paid, total)) in enumerate(sorted(months.items())):
        full = HEIGHT * float(total / top) if top else 0.0
        paid_h = full * float(paid / total) if total else 0.0
        bars.append(
            Bar(
                x=i * SLOT + 1,
                paid_y=round(HEIGHT - paid_h, 2),
                paid_h=round(paid_h, 2),
                rest_y=round(HEIGHT - full, 2),
                rest_h=round(full - paid_h, 2),
                title=f"{year}-{month:02d}: {money(paid)} / {money(total)}",
            )
        )
    keys = sorted(months)
    return {
        "bars": bars,
        "width": max(len(bars), 1) * SLOT,
        "height": HEIGHT,
        "bar_width": SLOT - 2,
        "first": f"{keys[0][0]}-{keys[0][1]:02d}" if keys else "",
        "last": f"{keys[-1][0]}-{keys[-1][1]:02d}" if len(keys) > 1 else "",
        "top": top,
    }


def payment_rows(
    perf: Performance, decide_urls: Any, proof_url: Any, resolve_url: Any
) -> list[dict[str, Any]]:
    """Every payment on the case, newest first, with the viewer's links (or None)."""
    rows = []
    for row in sorted(perf.payments, key=lambda r: (r.paid_on, r.id), reverse=True):
        rows.append(
            {
                "id": row.id,
                "paid_on": row.paid_on,
                "amount": row.amount,
                "channel": str(CHANNEL_LABELS[row.channel]),
                "reference": row.reference,
                "source": str(SOURCE_LABELS[row.source]),
                "status": str(STATUS_LABELS[row.status]),
                "status_key": row.status.value,
                "counts": row.status in (PaymentStatus.RECORDED, PaymentStatus.CONFIRMED),
                "reason": row.dispute_reason,
                "proof_url": proof_url(row) if row.proof_sha256 else None,
                "decide": decide_urls(row) if row.status is PaymentStatus.REPORTED else None,
                "resolve_url": resolve_url(row) if row.status is PaymentStatus.DISPUTED else None,
                "resolution": row.resolution_note,
            }
        )
    return rows


def debtor_summaries(user: User, today: date) -> list[dict[str, Any]]:
    """For the debtor's home: each of their cases being performed, with the next
    instalment, what remains and the account to pay."""
    cases = db.session.scalars(
        select(Case)
        .where(Case.debtor_user_id == user.id, Case.state.in_(PERFORMANCE_STATES))
        .order_by(Case.id)
    )
    out = []
    for case in cases:
        perf = performance_of(case, today)
        if perf is None:
            continue
        out.append(
            {
                "case_id": case.id,
                "reference": case.reference,
                "account": account(perf),
                "chart": chart(perf),
                **summary(perf),
            }
        )
    return out


def docket_states(case_ids: Iterable[int], today: date) -> dict[int, tuple[str, str]]:
    """The repayment state of each case being performed or performed: (label, key)."""
    ids = list(case_ids)
    if not ids:
        return {}
    cases = list(
        db.session.scalars(
            select(Case).where(
                Case.id.in_(ids), Case.state.in_(PERFORMANCE_STATES | {CaseState.PERFORMED})
            )
        )
    )
    read_docket_performances([c for c in cases if c.state != CaseState.PERFORMED], today)
    states: dict[int, tuple[str, str]] = {}
    for case in cases:
        if case.state == CaseState.PERFORMED:
            state = RepaymentState.COMPLETED
        else:
            perf = docket_performance(case, today)
            if perf is None:
                continue
            state = perf.status.state
        states[case.id] = (str(STATE_LABELS[state]), state.value.replace("_", "-"))
    return states
