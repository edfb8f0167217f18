"""The dashboards' figures about contacts: the mediator's sessions this week, the contact
rules broken, complaints, outreach per debtor per day, contacts per staff member. Each
one SQL aggregate over the viewer's scope (:mod:`app.dashboards.scope`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case as when
from sqlalchemy import func, select

from app.cases.contact_log import outreach_days
from app.core import clock
from app.dashboards.scope import Scope, count_where
from app.extensions import db
from app.models.cases import Case
from app.models.contacts import Complaint, ComplaintStatus, ContactRecord
from app.models.sessions import MediationSession
from app.models.users import Role, User
from app.rules.contact_log import ContactChannel
from app.rules.dashboards import (
    RECENT_DAYS,
)
from app.rules.sessions import SessionStatus

# --- contacts --------------------------------------------------------------------------

SESSION_CHANNELS = (ContactChannel.PHONE, ContactChannel.VIDEO, ContactChannel.IN_PERSON)


def sessions_this_week(
    scope: Scope, today: date | None = None
) -> tuple[date, dict[date, dict[ContactChannel, int]]]:
    """The sessions on the viewer's cases this week (Monday to Sunday on the legal clock),
    scheduled or held, not cancelled (:mod:`app.sessions`), by day and means. A week's
    sessions are few: their start times are read and put on the legal clock's days here."""
    today = today or clock.today()
    monday = today - timedelta(days=today.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    tz = clock.legal_tz()
    week_start = datetime.combine(monday, time(0), tzinfo=tz)
    rows = db.session.execute(
        select(MediationSession.starts_at, MediationSession.means)
        .join(Case, Case.id == MediationSession.case_id)
        .where(
            scope.cases,
            MediationSession.status != SessionStatus.CANCELLED,
            MediationSession.starts_at >= week_start,
            MediationSession.starts_at < week_start + timedelta(days=7),
        )
    ).all()
    by_day = {d: dict.fromkeys(SESSION_CHANNELS, 0) for d in days}
    for starts_at, means in rows:
        by_day[starts_at.astimezone(tz).date()][ContactChannel(str(means))] += 1
    return monday, by_day


@dataclass(frozen=True)
class Compliance:
    contacts: int
    flagged: int
    quiet_hours: int
    daily_cap: int
    wrong_person: int
    complaints_open: int
    complaints_overdue: int
    complaints_answered: int


def compliance(scope: Scope) -> Compliance:
    return scope.once("compliance", lambda: _compliance(scope))


def _compliance(scope: Scope) -> Compliance:
    today = clock.today()
    contacts = db.session.scalar(select(func.count()).where(scope.contacts)) or 0
    # the flagged ones are few: their rules are read for them alone
    f = db.session.execute(
        select(
            func.count(),
            count_where(ContactRecord.flag_quiet_hours),
            count_where(ContactRecord.flag_daily_cap),
            count_where(ContactRecord.flag_wrong_person),
        ).where(scope.contacts, ContactRecord.flagged.is_(True))
    ).one()
    if scope.role == Role.ADMIN:
        about = Complaint.mediation_org_id == scope.viewer.mediation_org_id
    else:  # complaints about the contacts in scope
        about = Complaint.contact_id.in_(select(ContactRecord.id).where(scope.contacts))
    is_open = Complaint.status == ComplaintStatus.OPEN
    k = db.session.execute(
        select(
            count_where(is_open & (Complaint.due_on >= today)),
            count_where(is_open & (Complaint.due_on < today)),
            count_where(~is_open),
        ).where(about)
    ).one()
    return Compliance(int(contacts), *(int(v) for v in (*f, *k)))


def contacts_per_debtor_day(scope: Scope) -> list[tuple[int, int]]:
    """``(contacts in the day, how many debtor-days)``: the outreach contacts with one
    debtor in one legal-clock day over the last ``RECENT_DAYS`` days (today included), as
    the compliance page counts them (:func:`app.cases.contact_log.outreach_days`)."""
    since = clock.today() - timedelta(days=RECENT_DAYS - 1)
    per_day = outreach_days(scope.viewer, scope.contacts, since).subquery()
    counted = (
        select(func.count().label("n"))
        .select_from(per_day)
        .group_by(per_day.c.key, per_day.c.day)
        .subquery()
    )
    rows = db.session.execute(select(counted.c.n, func.count()).group_by(counted.c.n)).all()
    return [(int(n), int(days)) for n, days in rows]


def contacts_by_staff(scope: Scope) -> list[tuple[str, int, int]]:
    """``(name, contacts within the rules, flagged contacts)`` per person who logged any."""
    rows = db.session.execute(
        select(
            User.id,
            User.name,
            func.count(ContactRecord.id),
            func.coalesce(func.sum(when((ContactRecord.flagged, 1), else_=0)), 0),
        )
        .join(User, User.id == ContactRecord.logged_by_id)
        .where(scope.contacts)
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    ).all()
    return [(name, int(n) - int(f), int(f)) for _, name, n, f in rows]
