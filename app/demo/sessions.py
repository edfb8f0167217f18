"""Demo mediation sessions on the negotiating case (:mod:`app.sessions`): a joint video
session held yesterday afternoon (both parties attended; its contact-log row, recorded with
their consent), and a
phone caucus with the debtor scheduled for the day after tomorrow, its invitation queued."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from app.cases import contact_log
from app.core import clock
from app.core.transaction import use_case
from app.demo.contacts import demo_wav
from app.extensions import db
from app.models.cases import Case
from app.models.sessions import MediationSession, SessionChange, SessionResponse
from app.rules.cases import CaseState
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome
from app.rules.sessions import (
    Answer,
    Change,
    SessionKind,
    SessionMeans,
    SessionStatus,
    meeting_link,
    new_room_id,
)
from app.sessions import scheduling
from app.sessions.notices import video_base_url


def seed_sessions() -> list[str]:
    case = db.session.scalars(
        select(Case)
        .where(Case.state == CaseState.NEGOTIATING, Case.debtor_user_id.is_not(None))
        .order_by(Case.id)
    ).first()
    if case is None or case.mediator is None:
        return []
    if db.session.scalar(select(MediationSession.id).where(MediationSession.case_id == case.id)):
        return []
    _held_session(case)
    day = clock.local(clock.now()).date() + timedelta(days=2)
    scheduling.schedule_session(
        case.mediator,
        case,
        scheduling.SessionDraft(
            kind=SessionKind.CAUCUS_DEBTOR,
            means=SessionMeans.PHONE,
            starts_at=datetime.combine(day, time(10, 0), tzinfo=clock.legal_tz()),
            minutes=30,
        ),
    )
    detail = "a joint video session held, a phone caucus with the debtor scheduled"
    return [f"  case {case.reference:<16} sessions: {detail}"]


@use_case
def _held_session(case: Case) -> None:
    """Held yesterday 14:00–14:50, scheduled three days before: the rows as the use cases
    leave them (a session cannot be scheduled in the past, so it is written directly)."""
    tz, mediator = clock.legal_tz(), case.mediator
    assert mediator is not None
    yesterday = clock.local(clock.now()).date() - timedelta(days=1)
    start = datetime.combine(yesterday, time(14, 0), tzinfo=tz)
    end = start + timedelta(minutes=50)
    record = contact_log.log_contact(
        mediator,
        case,
        contact_log.ContactDraft(
            counterpart=Counterpart.DEBTOR,
            direction=Direction.OUTBOUND,
            channel=ContactChannel.VIDEO,
            occurred_at=start,
            outcome=Outcome.REACHED,
            summary="调解会议（双方当事人）",
            duration_minutes=50,
            reason="调解会议已预先通知当事人并经安排举行。",
            recording_consent=True,
        ),
    )
    contact_log.add_recording(mediator, record, io.BytesIO(demo_wav()), "调解会议录音.wav")
    scheduled_at = (start - timedelta(days=3)).astimezone(UTC)
    session = MediationSession(
        case_id=case.id,
        kind=SessionKind.JOINT,
        means=SessionMeans.VIDEO,
        starts_at=start.astimezone(UTC),
        minutes=60,
        meeting_url=meeting_link(video_base_url(), new_room_id()),
        status=SessionStatus.HELD,
        uid=f"session-demo-{case.id}@concord",
        sequence=0,
        scheduled_by_id=mediator.id,
        created_at=scheduled_at,
        attended="mediator,debtor,creditor",
        held_start=start.astimezone(UTC),
        held_end=end.astimezone(UTC),
        contact_record_id=record.id,
        responses=[
            SessionResponse(side=side, answer=Answer.ACCEPTED, answered_at=scheduled_at)
            for side in ("debtor", "creditor")
        ],
        history=[
            SessionChange(
                change=Change.SCHEDULED, at=scheduled_at, actor_id=mediator.id, to_at=start
            ),
            SessionChange(
                change=Change.HELD,
                at=end,
                actor_id=mediator.id,
                from_at=start,
                to_at=end,
                text="mediator,debtor,creditor",
            ),
        ],
    )
    db.session.add(session)
