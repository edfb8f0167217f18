"""Reminders before a session: the day before and an hour before, to the invited sides,
as case notices (quiet hours apply, the daily cap does not: BRIEF §6).

Run every five minutes by the worker, one use case per session. Idempotent: the
reminder's column on the session is set by a conditional UPDATE in the same transaction
as its messages, so a second run, or two workers at once, send nothing twice; moving the
session clears the columns, so the new time is reminded again."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models.sessions import MediationSession
from app.rules.sessions import REMINDERS, SessionStatus, due_reminder
from app.sessions.notices import tell_parties

log = logging.getLogger(__name__)

_COLUMN = {
    "session_reminder_day": MediationSession.reminded_day_at,
    "session_reminder_hour": MediationSession.reminded_hour_at,
}
_AHEAD = max(ahead for _, ahead in REMINDERS)


def send_session_reminders(now: datetime | None = None) -> int:
    """Remind every scheduled session whose reminder has come; returns how many went."""
    now = now or clock.now()
    ids = list(
        db.session.scalars(
            select(MediationSession.id).where(
                MediationSession.status == SessionStatus.SCHEDULED,
                MediationSession.starts_at > now,
                MediationSession.starts_at <= now + _AHEAD + timedelta(minutes=5),
            )
        )
    )
    return sum(_remind(session_id, now) for session_id in ids)


def _sent(session: MediationSession) -> set[str]:
    sent = set()
    if session.reminded_day_at is not None:
        sent.add("session_reminder_day")
    if session.reminded_hour_at is not None:
        sent.add("session_reminder_hour")
    return sent


@use_case
def _remind(session_id: int, now: datetime) -> int:
    session = db.session.get(MediationSession, session_id)
    if session is None or session.status is not SessionStatus.SCHEDULED:
        return 0
    kind = due_reminder(session.starts_at, now, _sent(session))
    if kind is None:
        return 0
    column = _COLUMN[kind]
    taken = db.session.execute(
        update(MediationSession)
        .where(MediationSession.id == session.id, column.is_(None))
        .values({column.key: now})
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # another worker reminded it at the same moment
        return 0
    # The day's reminder is no longer due once the hour's went (both were due at once).
    if kind == "session_reminder_hour" and session.reminded_day_at is None:
        db.session.execute(
            update(MediationSession)
            .where(MediationSession.id == session.id)
            .values(reminded_day_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(session, ["reminded_day_at", "reminded_hour_at"])
    tell_parties(session, kind, with_calendar=False, now=now)
    audit.record(
        AuditAction.CASE_SESSION_REMINDER,
        actor=None,
        object_type="mediation_session",
        object_id=session.id,
        case_id=session.case_id,
        data={"kind": session.kind.value, "reminder": kind},
    )
    log.info("reminder %s sent for session %s", kind, session.id)
    return 1
