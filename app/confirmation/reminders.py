"""Deadline reminders: on day 20 and day 27 after the agreement took effect, the parties
and the mediator are reminded that the joint application for judicial confirmation must
reach the court within 30 days (CPL Art. 205).

Run hourly by the worker, one use case per case. Idempotent: a ``DeadlineReminder`` row
per case and kind (unique) records each reminder in the same transaction as its messages,
so a second run, or two workers at once, send nothing twice. The debtor's message goes
through the contact rules (a reminder due at 23:00 waits for 08:00; at most three
contacts a day).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.calendar.overrides import legal_calendar
from app.confirmation.deadline import effective_on, in_force_agreement
from app.core import clock
from app.core.errors import Conflict
from app.core.transaction import conflict_on, use_case
from app.extensions import db
from app.models.cases import Case
from app.models.confirmation import DeadlineReminder
from app.notifications.org_templates import org_compose
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.common import long_date
from app.notifications.texts.confirmation import deadline_reminder
from app.rules.cases import CaseState
from app.rules.deadlines import LegalCalendar, confirmation_deadline, reminder_days

log = logging.getLogger(__name__)

KINDS = ("confirmation_day20", "confirmation_day27")  # in the order of reminder_days()
RECIPIENTS = ("debtor", "creditor", "mediator")

# Two workers reminding the same case at the same moment
# (``migrations/versions/0005_confirmation.py``): the second one sends nothing.
conflict_on("uq_deadline_reminders_case_id")


def send_deadline_reminders(now: datetime | None = None) -> int:
    """Remind every case in force whose day 20 or day 27 has come; returns how many
    reminders went out. When both days have passed unreminded (the worker was down), only
    the later one is sent; after the last day to apply, none."""
    now = now or clock.now()
    calendar = legal_calendar()
    case_ids = list(db.session.scalars(select(Case.id).where(Case.state == CaseState.IN_FORCE)))
    sent = 0
    for case_id in case_ids:
        try:
            sent += _remind(case_id, now, calendar)
        except Conflict:
            log.info("case %s was reminded by another worker at the same moment", case_id)
    return sent


def due_reminder(effective: date, today: date) -> str | None:
    """The kind of the latest reminder whose day has come, or None before day 20."""
    due = [kind for kind, day in zip(KINDS, reminder_days(effective), strict=True) if day <= today]
    return due[-1] if due else None


@use_case
def _remind(case_id: int, now: datetime, calendar: LegalCalendar) -> int:
    """Remind one case when its day has come: the reminder row, the messages and the
    audit event are stored together, or not at all."""
    case = db.session.get(Case, case_id)
    if case is None or case.state != CaseState.IN_FORCE:
        return 0
    agreement = in_force_agreement(case)
    effective = effective_on(agreement) if agreement is not None else None
    if effective is None:
        return 0
    today = clock.day_of(now)
    kind = due_reminder(effective, today)
    if kind is None or _already_sent(case, kind):
        return 0
    deadline = confirmation_deadline(effective, calendar)
    if deadline.end < today:
        return 0
    db.session.add(DeadlineReminder(case_id=case.id, kind=kind, sent_at=now))
    db.session.flush()
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    compose = org_compose(  # the organisation's own wording, when it has one
        case,
        kind,
        lambda channel: deadline_reminder(org, ref, link, deadline.end, channel=channel),
        {"link": link, "last_day": long_date(deadline.end)},
    )
    notify_case(case, kind, compose, roles=RECIPIENTS, now=now)
    audit.record(
        AuditAction.CASE_CONFIRMATION_REMINDER,
        actor=None,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"kind": kind, "last_day": deadline.end.isoformat()},
    )
    log.info("reminder %s sent for case %s", kind, case.id)
    return 1


def _already_sent(case: Case, kind: str) -> bool:
    later = KINDS[KINDS.index(kind) :]
    return (
        db.session.scalar(
            select(DeadlineReminder.id).where(
                DeadlineReminder.case_id == case.id, DeadlineReminder.kind.in_(later)
            )
        )
        is not None
    )
