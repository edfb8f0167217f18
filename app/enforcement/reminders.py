"""The creditor's enforcement deadline, watched: for every confirmed agreement still being
performed (or in breach), the last day to apply for enforcement (CPL Art. 250; the earlier
reading where the agreement accelerated, :class:`EnforcementDeadline.earliest_end`) becomes
the case's next deadline on the docket, and the creditor's staff are reminded 90, 30 and 7
days before it.

Run hourly by the worker, one use case per case. Each reminder is sent once: a
``DeadlineReminder`` row (unique per case and kind; the kind names the days and the last
day, so a deadline a payment moved gets reminders of its own) is stored in the same
transaction as the messages and the audit event. The reminders go to the creditor, not
the debtor: they are not contacts with the debtor and the debtor contact rules do not
apply to them.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.errors import Conflict
from app.core.transaction import use_case
from app.enforcement.common import enforceability
from app.extensions import db
from app.models.cases import Case
from app.models.confirmation import DeadlineReminder
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.closing import enforcement_reminder
from app.rules.cases import CaseState
from app.rules.enforcement import enforcement_reminder_due
from app.rules.repayments import RepaymentState

log = logging.getLogger(__name__)


def reminder_kind(days: int, last_day: date) -> str:
    """``enforcement90:2028-12-31``: one reminder per threshold and last day."""
    return f"enforcement{days}:{last_day.isoformat()}"


def watch_enforcement_deadlines(now: datetime | None = None) -> int:
    """Keep the docket's deadline of every confirmed case and send the reminders due;
    returns how many reminders went out."""
    now = now or clock.now()
    case_ids = list(
        db.session.scalars(
            select(Case.id).where(Case.state == CaseState.CONFIRMED).order_by(Case.id)
        )
    )
    sent = 0
    for case_id in case_ids:
        try:
            sent += _watch(case_id, now)
        except Conflict:
            log.info("case %s was reminded by another worker at the same moment", case_id)
    return sent


def enforcement_last_day(case: Case, today: date, docket: bool = False) -> date | None:
    """The last day to apply for enforcement of the case's confirmed agreement, when there
    is one still owed; None otherwise (``docket``: see :func:`enforceability`)."""
    enf = enforceability(case, today, docket)
    if enf is None or enf.ruling is None:
        return None
    if enf.performance.status.state is RepaymentState.COMPLETED:
        return None
    return enf.deadline.earliest_end


@use_case
def _watch(case_id: int, now: datetime) -> int:
    case = db.session.get(Case, case_id)
    if case is None or case.state != CaseState.CONFIRMED:
        return 0
    today = clock.day_of(now)
    last_day = enforcement_last_day(case, today)
    if last_day is None:
        return 0
    if case.next_deadline != last_day:
        case.next_deadline = last_day
    days = enforcement_reminder_due(last_day, today)
    if days is None:
        return 0
    kind = reminder_kind(days, last_day)
    if db.session.scalar(
        select(DeadlineReminder.id).where(
            DeadlineReminder.case_id == case.id, DeadlineReminder.kind == kind
        )
    ):
        return 0
    db.session.add(DeadlineReminder(case_id=case.id, kind=kind, sent_at=now))
    db.session.flush()
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    left = (last_day - today).days
    notify_case(
        case,
        "enforcement_reminder",
        lambda _channel: enforcement_reminder(org, ref, link, last_day, left),
        roles={"creditor"},
        now=now,
    )
    audit.record(
        AuditAction.CASE_ENFORCEMENT_REMINDER,
        actor=None,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"days_before": days, "last_day": last_day.isoformat()},
    )
    log.info("enforcement reminder (%s days) sent for case %s", days, case.id)
    return 1
