"""The in-app notification centre: every account holder told of an event on their case at
once, in the same transaction as the event.

It is not a contact: quiet hours and the daily cap (:mod:`app.rules.message_kinds`) hold
only the email or SMS about the same event, never the notification that waits in the
account. Each notification links to the exact place to act on the case page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models.inbox import Notification
from app.rules.message_kinds import kind_of

PER_PAGE = 20

# Where on the case page each event is acted upon.
_ANCHORS = {
    "thread_message": "messages",
    "objection_raised": "objections",
    "objection_answered": "objections",
    "agreement_ready": "agreement",
    "agreement_revised": "agreement",
    "agreement_in_force": "agreement",
}
_ANCHOR_PREFIXES = {
    "proposal_": "proposals",
    "package_": "confirmation",
    "application_": "confirmation",
    "ruling_": "confirmation",
    "remediation_": "proposals",
    "confirmation_": "confirmation",
    "payment_": "repayment",
    "reminder_": "repayment",
    "case_": "repayment",
}

# The title of each event in the reader's language (the stored title is the Chinese
# subject of the message, kept for the record and for events not listed here).
TITLES = {
    "thread_message": _l("New message"),
    "objection_raised": _l("The debtor objected to the claim"),
    "objection_answered": _l("Your objection was answered"),
    "proposal_new": _l("New repayment proposal"),
    "proposal_counter": _l("Counter-proposal"),
    "proposal_accepted": _l("A proposal was accepted by one side"),
    "proposal_settled": _l("Terms agreed"),
    "proposal_rejected": _l("A proposal was not accepted"),
    "proposal_withdrawn": _l("A proposal was withdrawn"),
    "agreement_ready": _l("Agreement ready to sign"),
    "agreement_revised": _l("Agreement revised"),
    "agreement_in_force": _l("Agreement in force"),
    "package_released": _l("Court application ready to sign"),
    "package_ready": _l("Court application signed"),
    "application_filed": _l("Application filed with the court"),
    "ruling_confirmed": _l("The court confirmed the agreement"),
    "ruling_rejected": _l("The court did not confirm the agreement"),
    "remediation_started": _l("Mediation resumed"),
    "confirmation_day20": _l("Deadline for judicial confirmation"),
    "confirmation_day27": _l("Deadline for judicial confirmation"),
    "payment_recorded": _l("Payment recorded"),
    "payment_reported": _l("Payment reported"),
    "payment_confirmed": _l("Payment confirmed"),
    "payment_disputed": _l("Payment disputed"),
    "payment_resolved_received": _l("Disputed payment settled"),
    "payment_resolved_not_received": _l("Disputed payment settled"),
    "case_performed": _l("Agreement performed"),
    "case_breach": _l("Agreement in breach"),
    "case_breach_unpaid": _l("Agreement in breach"),
    "reminder_before": _l("Repayment reminder"),
    "reminder_due": _l("Repayment reminder"),
    "reminder_missed": _l("Overdue repayment"),
}


def case_place(case_id: int, template: str) -> str:
    """The path of the place to act on the case for ``template``'s event."""
    anchor = _ANCHORS.get(template) or next(
        (a for prefix, a in _ANCHOR_PREFIXES.items() if template.startswith(prefix)), None
    )
    return f"/cases/{case_id}" + (f"#{anchor}" if anchor else "")


def notify_user(
    user_id: int,
    *,
    case_id: int | None,
    template: str,
    title: str,
    body: str,
    link: str | None = None,
    now: datetime | None = None,
) -> Notification:
    """A notification in ``user_id``'s centre, at once (in the caller's transaction)."""
    notification = Notification(
        user_id=user_id,
        case_id=case_id,
        kind=kind_of(template),
        template=template,
        title=title[:200],
        body=body,
        link=link or (case_place(case_id, template) if case_id is not None else "/"),
        created_at=now or clock.now(),
    )
    db.session.add(notification)
    return notification


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Page:
    items: list[Notification]
    number: int
    pages: int


def page_of(user_id: int, number: int) -> Page:
    """One page of the user's notifications, newest first."""
    total = (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user_id)
        )
        or 0
    )
    pages = max(1, -(-total // PER_PAGE))
    number = min(max(1, number), pages)
    items = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((number - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    return Page(list(items), number, pages)


def own_notification(user_id: int, notification_id: int) -> Notification | None:
    """The notification if it is ``user_id``'s, else None (the view answers 404)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        return None
    return notification


@use_case
def mark_read(notification: Notification) -> str:
    """Opening a notification marks it read; returns where to go."""
    if notification.read_at is None:
        notification.read_at = clock.now()
    return notification.link


@use_case
def mark_all_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
