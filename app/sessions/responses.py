"""An invited party's answer to a session: accept, decline, or ask for another time (a
suggested time and a note). The debtor answers for themself, any of the creditor's staff
for the creditor; the mediator is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.sessions import MediationSession, SessionChange
from app.models.users import User
from app.notifications.outbox import contact_policy
from app.rules.sessions import (
    MAX_NOTE,
    Answer,
    Change,
    SessionRefused,
    SessionStateRefused,
    check_suggestion,
    may_answer,
    may_change,
)
from app.sessions.notices import tell_mediator


@dataclass(frozen=True)
class Reply:
    answer: Answer
    suggested_at: datetime | None = None
    note: str = ""


@use_case
def answer_session(actor: User, session: MediationSession, side: str, reply: Reply) -> None:
    """Record ``side``'s answer (a later answer replaces an earlier one until the session
    starts)."""
    now = clock.now()
    if not may_change(session.status):
        raise SessionStateRefused("not_scheduled")
    if not may_answer(session.status, session.starts_at, now):
        raise SessionStateRefused("started")
    response = session.response_of(side)
    if response is None:
        raise SessionStateRefused("not_invited")
    if reply.answer is Answer.PENDING:
        raise SessionRefused("choice", "answer")
    note = reply.note.strip()
    if len(note) > MAX_NOTE:
        raise SessionRefused("note_too_long", "note")
    suggested = None
    if reply.answer is Answer.OTHER_TIME:
        if reply.suggested_at is None:
            raise SessionRefused("suggest_required", "suggested_day")
        check_suggestion(reply.suggested_at, now, contact_policy())
        suggested = reply.suggested_at.astimezone(UTC)
    claim(session)
    response.answer = reply.answer
    response.suggested_at = suggested
    response.note = note or None
    response.answered_by_id = actor.id
    response.answered_at = now
    session.history.append(
        SessionChange(
            change=Change.RESPONDED,
            actor_id=actor.id,
            side=side,
            answer=reply.answer,
            to_at=suggested,
            text=note or None,
        )
    )
    db.session.flush()
    audit.record(
        AuditAction.CASE_SESSION_RESPOND,
        actor=actor,
        object_type="mediation_session",
        object_id=session.id,
        case_id=session.case_id,
        data={"side": side, "answer": reply.answer.value, "kind": session.kind.value},
    )
    tell_mediator(session, side, reply.answer.value)
