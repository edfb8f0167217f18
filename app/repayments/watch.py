"""Watching agreements being performed: a breach recorded once, reminders to the debtor.

Run by the worker (:mod:`app.repayments.tasks`), one use case per case, on the legal clock
(:mod:`app.core.clock`). Idempotent: the ``RepaymentBreach`` row (one per agreement) and
the ``RepaymentReminder`` rows (one per instalment and kind) are stored in the same
transaction as the messages they send, so a second run, or two workers at once, send
nothing twice.

- **Breach**: an instalment unpaid past its grace period puts the agreement in breach on
  the day after the grace period (:mod:`app.rules.repayment_ledger`); where the agreement
  provides it, the whole unpaid balance falls due that day (acceleration). The breach is
  recorded with an audit event and a notice to the debtor, the creditor and the mediator.
- **Reminders** to the debtor: three days before an instalment falls due, on the day, and
  once after a miss (from the day after the due date, while the grace period runs). They
  are outreach: the outbox (:func:`app.notifications.outbox.queue_message`) holds them
  outside quiet hours and within the daily limit of contacts. Nothing is reminded once the
  agreement is in breach (the breach notice says what is due).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.errors import Conflict
from app.core.transaction import conflict_on, use_case
from app.extensions import db
from app.models.cases import Case
from app.models.repayments import ReminderKind, RepaymentBreach, RepaymentReminder
from app.notifications.recipients import EXTRA_PARTIES
from app.repayments.common import Performance, notify, performance_of
from app.rules.cases import PERFORMANCE_STATES
from app.rules.repayments import InstalmentPosition, RepaymentState

log = logging.getLogger(__name__)

REMIND_DAYS_BEFORE = 3
REMINDER_EVENTS = {
    ReminderKind.BEFORE: "reminder_before",
    ReminderKind.DUE: "reminder_due",
    ReminderKind.MISSED: "reminder_missed",
}

# Two workers watching the same case at the same moment
# (``migrations/versions/0010_reminders.py``): the second one records and sends nothing.
conflict_on("uq_repayment_breaches_agreement_id")
conflict_on("uq_repayment_reminders_agreement_id")


def watch_repayments(now: datetime | None = None) -> int:
    """Record new breaches and send the reminders due on every case in performance;
    returns how many breaches and reminders were recorded."""
    now = now or clock.now()
    case_ids = list(
        db.session.scalars(
            select(Case.id).where(Case.state.in_(PERFORMANCE_STATES)).order_by(Case.id)
        )
    )
    done = 0
    for case_id in case_ids:
        done += watch_case(case_id, now)
    return done


def watch_case(case_id: int, now: datetime) -> int:
    """The watch on one case alone, as the worker's run would do it at ``now``."""
    try:
        return _watch(case_id, now)
    except Conflict:
        log.info("case %s was watched by another worker at the same moment", case_id)
        return 0


def reminder_kind(position: InstalmentPosition, today: date) -> ReminderKind | None:
    """Which reminder an unpaid instalment calls for on ``today``, if any."""
    if not position.outstanding:
        return None
    due = position.due
    if due == today:
        return ReminderKind.DUE
    if due - timedelta(days=REMIND_DAYS_BEFORE) <= today < due:
        return ReminderKind.BEFORE
    if due < today <= position.instalment.grace_ends:
        return ReminderKind.MISSED
    return None


@use_case
def _watch(case_id: int, now: datetime) -> int:
    case = db.session.get(Case, case_id)
    if case is None or case.state not in PERFORMANCE_STATES:
        return 0
    today = clock.day_of(now)
    performance = performance_of(case, today)
    if performance is None or performance.status.state is RepaymentState.COMPLETED:
        return 0
    if performance.status.breach is not None:
        return _record_breach(case, performance, now)
    return sum(
        _remind(case, performance, position, today, now)
        for position in performance.status.positions
    )


def _record_breach(case: Case, performance: Performance, now: datetime) -> int:
    breach = performance.status.breach
    assert breach is not None
    agreement = performance.agreement
    if db.session.scalar(
        select(RepaymentBreach.id).where(
            RepaymentBreach.agreement_id == agreement.id,
            RepaymentBreach.plan_revision == performance.plan_revision,
        )
    ):
        return 0
    db.session.add(
        RepaymentBreach(
            case_id=case.id,
            agreement_id=agreement.id,
            plan_revision=performance.plan_revision,
            instalment=breach.instalment,
            breach_on=breach.on,
            accelerated=breach.accelerated,
            recorded_at=now,
        )
    )
    db.session.flush()
    event = "case_breach" if breach.accelerated else "case_breach_unpaid"
    # A guarantor or co-borrower answers for the debt too (民法典 Arts. 518, 688): told at once.
    notify(case, event, roles={"debtor", "creditor", "mediator", EXTRA_PARTIES}, now=now)
    audit.record(
        AuditAction.CASE_BREACH,
        actor=None,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={
            "agreement_id": agreement.id,
            "plan_revision": performance.plan_revision,
            "instalment": breach.instalment,
            "breach_on": breach.on.isoformat(),
            "accelerated": breach.accelerated,
            "now_due": str(performance.status.payable_now),
        },
    )
    log.info("breach recorded for case %s on %s", case.id, breach.on)
    return 1


def _remind(
    case: Case, performance: Performance, position: InstalmentPosition, today: date, now: datetime
) -> int:
    kind = reminder_kind(position, today)
    if kind is None:
        return 0
    agreement, number = performance.agreement, position.instalment.number
    if db.session.scalar(
        select(RepaymentReminder.id).where(
            RepaymentReminder.agreement_id == agreement.id,
            RepaymentReminder.instalment == number,
            RepaymentReminder.kind == kind,
        )
    ):
        return 0
    db.session.add(
        RepaymentReminder(
            case_id=case.id,
            agreement_id=agreement.id,
            instalment=number,
            kind=kind,
            due_on=position.due,
            sent_at=now,
        )
    )
    db.session.flush()
    notify(case, REMINDER_EVENTS[kind], roles={"debtor"}, now=now)
    audit.record(
        AuditAction.CASE_REPAYMENT_REMINDER,
        actor=None,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"instalment": number, "kind": kind.value, "due_on": position.due.isoformat()},
    )
    return 1
