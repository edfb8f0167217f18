"""The mediator's acts on a session: schedule it, move it, cancel it. Each writes the
session's history and an audit event in the same transaction, and tells the invited
parties once it commits (the outbox is written in the same transaction, so a message
exists if and only if the change does).

No session starts in quiet hours or in the past, and its length is bounded
(:func:`app.rules.sessions.check_slot`); the invitation is outreach under the daily cap
(BRIEF §6, :mod:`app.rules.message_kinds`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.cases import Case
from app.models.sessions import MediationSession, SessionChange, SessionResponse
from app.models.users import User
from app.notifications.outbox import contact_policy
from app.rules.sessions import (
    MAX_PLACE,
    MAX_REASON,
    Answer,
    Change,
    SessionKind,
    SessionMeans,
    SessionRefused,
    SessionStateRefused,
    SessionStatus,
    Slot,
    check_slot,
    invited_sides,
    may_change,
    meeting_link,
    new_room_id,
)
from app.sessions.notices import tell_parties, video_base_url


@dataclass(frozen=True)
class SessionDraft:
    kind: SessionKind
    means: SessionMeans
    starts_at: datetime
    minutes: int
    place: str = ""


def _check(draft: SessionDraft) -> str | None:
    """The rules of the slot, and the place of a meeting in person; returns the place."""
    check_slot(Slot(draft.starts_at, draft.minutes), clock.now(), contact_policy())
    place = " ".join(draft.place.split())
    if draft.means is SessionMeans.IN_PERSON:
        if not place:
            raise SessionRefused("place_required", "place")
        if len(place) > MAX_PLACE:
            raise SessionRefused("place_too_long", "place")
        return place
    return None


def _uid() -> str:
    return f"session-{secrets.token_hex(12)}@concord"


def _record(
    action: AuditAction, actor: User | None, session: MediationSession, **data: object
) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="mediation_session",
        object_id=session.id,
        case_id=session.case_id,
        data={"kind": session.kind.value, **data},
    )


@use_case
def schedule_session(actor: User, case: Case, draft: SessionDraft) -> MediationSession:
    """A new session on ``case``; each invited side's answer starts pending. A video
    session gets its own random room on the configured service."""
    place = _check(draft)
    url = None
    if draft.means is SessionMeans.VIDEO:
        url = meeting_link(video_base_url(), new_room_id())
    session = MediationSession(
        case_id=case.id,
        kind=draft.kind,
        means=draft.means,
        starts_at=draft.starts_at.astimezone(UTC),
        minutes=draft.minutes,
        place=place,
        meeting_url=url,
        status=SessionStatus.SCHEDULED,
        uid=_uid(),
        sequence=0,
        scheduled_by_id=actor.id,
        created_at=clock.now(),
    )
    session.case = case
    session.responses = [SessionResponse(side=side) for side in invited_sides(draft.kind)]
    session.history = [
        SessionChange(change=Change.SCHEDULED, actor_id=actor.id, to_at=session.starts_at)
    ]
    db.session.add(session)
    db.session.flush()
    _record(
        AuditAction.CASE_SESSION_SCHEDULE,
        actor,
        session,
        means=draft.means.value,
        starts_at=session.starts_at.isoformat(),
        minutes=draft.minutes,
    )
    tell_parties(session, "session_invitation")
    return session


def _require_scheduled(session: MediationSession) -> None:
    if not may_change(session.status):
        raise SessionStateRefused("not_scheduled")


@use_case
def reschedule_session(
    actor: User, session: MediationSession, draft: SessionDraft
) -> MediationSession:
    """Move a scheduled session (its time, length, means or place); the calendar's
    SEQUENCE grows, every answer starts pending again and the reminders are due anew."""
    _require_scheduled(session)
    claim(session)
    place = _check(draft)
    before = session.starts_at
    if draft.means is SessionMeans.VIDEO and session.meeting_url is None:
        session.meeting_url = meeting_link(video_base_url(), new_room_id())
    elif draft.means is not SessionMeans.VIDEO:
        session.meeting_url = None
    session.means = draft.means
    session.place = place
    session.starts_at = draft.starts_at.astimezone(UTC)
    session.minutes = draft.minutes
    session.sequence += 1
    session.reminded_day_at = session.reminded_hour_at = None
    for response in session.responses:
        response.answer = Answer.PENDING
        response.suggested_at = response.note = None
        response.answered_by_id = response.answered_at = None
    session.history.append(
        SessionChange(
            change=Change.RESCHEDULED, actor_id=actor.id, from_at=before, to_at=session.starts_at
        )
    )
    db.session.flush()
    _record(
        AuditAction.CASE_SESSION_RESCHEDULE,
        actor,
        session,
        from_at=before.isoformat(),
        to_at=session.starts_at.isoformat(),
        sequence=session.sequence,
    )
    tell_parties(session, "session_rescheduled")
    return session


@use_case
def cancel_session(actor: User, session: MediationSession, reason: str) -> MediationSession:
    """Call a scheduled session off, with the reason the parties are told; their
    calendars get a CANCEL."""
    _require_scheduled(session)
    reason = reason.strip()
    if not reason:
        raise SessionRefused("reason_required", "reason")
    if len(reason) > MAX_REASON:
        raise SessionRefused("reason_too_long", "reason")
    claim(session)
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    session.sequence += 1
    session.history.append(SessionChange(change=Change.CANCELLED, actor_id=actor.id, text=reason))
    db.session.flush()
    _record(AuditAction.CASE_SESSION_CANCEL, actor, session, length=len(reason))
    tell_parties(session, "session_cancelled")
    return session
