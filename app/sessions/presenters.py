"""The sessions section of the case page: the sessions the viewer may know of, with what
they may do to each (decided here, never in the template)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from app.access import Permission, can
from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.minutes import MediationRecord
from app.models.sessions import MediationSession
from app.models.users import User
from app.rules.sessions import (
    Answer,
    SessionKind,
    SessionStatus,
    invited_sides,
    may_answer,
    may_change,
)
from app.sessions.common import (
    ANSWER_LABELS,
    ATTENDED_LABELS,
    KIND_LABELS,
    MEANS_LABELS,
    SIDE_LABELS,
    STATUS_LABELS,
    is_staff,
    side_of,
    visible_sessions,
)


def sessions_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The sessions the viewer may know of, with what they may do to each; the
    mediator's link to schedule one."""
    sessions = visible_sessions(case, viewer)
    may_schedule = can(viewer, Permission.SESSION_SCHEDULE, case)
    if not sessions and not may_schedule:
        return None
    rows = [_row(case, viewer, s) for s in sessions]
    return "sessions/_panel.html", {
        "sessions": rows,
        "new_url": url_for("sessions.new", case_id=case.id) if may_schedule else None,
    }


def _row(case: Case, viewer: User, session: MediationSession) -> dict[str, Any]:
    staff, side = is_staff(viewer), side_of(viewer, case)
    schedule = can(viewer, Permission.SESSION_SCHEDULE, case) and may_change(session.status)
    record = can(viewer, Permission.SESSION_RECORD, case) and may_change(session.status)
    answer = (
        side is not None
        and can(viewer, Permission.SESSION_RESPOND, case)
        and side in invited_sides(session.kind)
        and may_answer(session.status, session.starts_at, clock.now())
    )
    args = {"case_id": case.id, "session_id": session.id}
    shown = [r for r in session.responses if staff or r.side == side]
    return {
        "id": session.id,
        "kind": str(KIND_LABELS[session.kind]),
        "caucus": session.kind is not SessionKind.JOINT,
        "means": str(MEANS_LABELS[session.means]),
        "starts_at": session.starts_at,
        "minutes": session.minutes,
        "place": session.place,
        "meeting_url": session.meeting_url if session.status is SessionStatus.SCHEDULED else None,
        "status": session.status.value,
        "status_label": str(STATUS_LABELS[session.status]),
        "cancel_reason": session.cancel_reason,
        "held_start": session.held_start,
        "held_end": session.held_end,
        "attended": _attended(session),
        "responses": [
            {
                "side": str(SIDE_LABELS[r.side]),
                "answer": r.answer.value,
                "label": str(ANSWER_LABELS[r.answer]),
                "suggested_at": r.suggested_at,
                "note": r.note,
            }
            for r in shown
        ],
        "history": [_change(c) for c in session.history] if staff else [],
        "calendar_url": url_for("sessions.calendar", **args),
        "reschedule_url": url_for("sessions.reschedule", **args) if schedule else None,
        "cancel_url": url_for("sessions.cancel", **args) if schedule else None,
        "held_url": url_for("sessions.held", **args) if record else None,
        "respond_url": url_for("sessions.respond", **args) if answer else None,
        "answered": answer and _answered(session, side),
        **_after_held(case, viewer, session),
    }


def _attended(session: MediationSession) -> str | None:
    parties = tuple(sorted(s for s in (session.attended or "").split(",") if s in SIDE_LABELS))
    label = ATTENDED_LABELS.get(parties)
    return str(label) if label is not None else None


def _answered(session: MediationSession, side: str | None) -> bool:
    """The viewer's side has answered already (the link then offers to change it)."""
    response = session.response_of(side) if side is not None else None
    return response is not None and response.answer is not Answer.PENDING


def _after_held(case: Case, viewer: User, session: MediationSession) -> dict[str, Any]:
    """For the case's mediator, a held session's next steps: its contact row (where the
    recording is added, with the parties' consent) and its mediation record (调解笔录), to
    write or to read; the record's routes belong to app.minutes."""
    none: dict[str, Any] = {"contact_url": None, "record_url": None, "write_record_url": None}
    contact_id = session.contact_record_id
    if session.status is not SessionStatus.HELD or contact_id is None:
        return none
    if case.mediator_id != viewer.id or not can(viewer, Permission.CONTACT_LOG, case):
        return none
    record_id = db.session.scalar(
        select(MediationRecord.id).where(MediationRecord.contact_record_id == contact_id)
    )
    write = record_id is None and can(viewer, Permission.RECORD_WRITE, case)
    return {
        "contact_url": url_for("contact_log.index", case_id=case.id) + f"#contact-{contact_id}",
        "record_url": (
            url_for("minutes.show", case_id=case.id, record_id=record_id) if record_id else None
        ),
        "write_record_url": (
            url_for("minutes.new", case_id=case.id, contact_id=contact_id) if write else None
        ),
    }


def _change(change: Any) -> dict[str, Any]:
    return {
        "change": change.change.value,
        "at": change.at,
        "from_at": change.from_at,
        "to_at": change.to_at,
        "side": str(SIDE_LABELS[change.side]) if change.side in SIDE_LABELS else None,
        "answer": str(ANSWER_LABELS[change.answer]) if change.answer is not None else None,
        "text": change.text,
    }
