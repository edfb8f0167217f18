"""The mediator records that a session took place: who attended, when it really started
and ended. The contact log gets its row (channel from the means, outcome reached, the
duration), and the session keeps that row's id: the mediation record hangs on it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime

from app import audit
from app.audit import AuditAction
from app.cases.contact_log import ContactDraft, flags_for, log_contact
from app.core import clock
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.sessions import MediationSession, SessionChange
from app.models.users import User
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome
from app.rules.sessions import (
    Change,
    SessionRefused,
    SessionStateRefused,
    SessionStatus,
    check_held,
    invited_sides,
    may_change,
)
from app.sessions.notices import KIND_SUMMARY

_CHANNEL = {"phone": ContactChannel.PHONE, "video": ContactChannel.VIDEO}


@use_case
def mark_held(
    actor: User,
    session: MediationSession,
    attended: Collection[str],
    start: datetime,
    end: datetime,
    recording_consent: bool | None = None,
) -> MediationSession:
    """Mark a scheduled session held. At least one invited party attended; the contact
    is logged as the mediator's with the debtor (or, in a creditor caucus, the creditor);
    a breach of the contact rules it shows is flagged with the session as its reason.

    ``recording_consent`` is the parties' answer when asked at the start whether the
    session may be recorded (None: not asked, not recorded); only with a yes can the
    recording be added to the contact row afterwards (PIPL Arts. 13–14: consent before
    personal information is collected)."""
    if not may_change(session.status):
        raise SessionStateRefused("not_scheduled")
    present = [side for side in invited_sides(session.kind) if side in attended]
    if not present:
        raise SessionRefused("nobody_attended", "attended")
    check_held(start, end, clock.now())
    claim(session)
    minutes = max(0, round((end - start).total_seconds() / 60))
    draft = ContactDraft(
        counterpart=Counterpart.DEBTOR if "debtor" in present else Counterpart.CREDITOR,
        direction=Direction.OUTBOUND,
        channel=_CHANNEL.get(session.means.value, ContactChannel.IN_PERSON),
        occurred_at=start,
        outcome=Outcome.REACHED,
        summary=KIND_SUMMARY[session.kind.value],
        duration_minutes=min(minutes, 600),
        recording_consent=recording_consent,
    )
    if flags_for(session.case, draft):
        draft = replace(draft, reason="调解会议已预先通知当事人并经安排举行。")
    record = log_contact(actor, session.case, draft)
    session.status = SessionStatus.HELD
    session.attended = ",".join(["mediator", *present])
    session.held_start = start.astimezone(UTC)
    session.held_end = end.astimezone(UTC)
    session.contact_record_id = record.id
    session.history.append(
        SessionChange(
            change=Change.HELD,
            actor_id=actor.id,
            from_at=session.held_start,
            to_at=session.held_end,
            text=session.attended,
        )
    )
    db.session.flush()
    audit.record(
        AuditAction.CASE_SESSION_HELD,
        actor=actor,
        object_type="mediation_session",
        object_id=session.id,
        case_id=session.case_id,
        data={
            "kind": session.kind.value,
            "attended": present,
            "contact_id": record.id,
            "minutes": minutes,
            "consent": recording_consent,
        },
    )
    return session
