"""What the sessions feature shares: who is on which side, who may see a session, the
refusals' words, the labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.access import Permission, can
from app.extensions import db
from app.models.cases import Case
from app.models.sessions import MediationSession
from app.models.users import Role, User
from app.rules.sessions import (
    MAX_NOTE,
    MAX_PLACE,
    MAX_REASON,
    Answer,
    SessionKind,
    SessionMeans,
    SessionRefused,
    SessionStateRefused,
    SessionStatus,
    visible_to,
)

SessionRefused.messages.update(
    {
        "quiet_hours": _l(
            "No session may start between 21:00 and 08:00 (Beijing time): these are quiet "
            "hours for the parties. Choose a time between 08:00 and 21:00."
        ),
        "runs_into_quiet_hours": _l(
            "The session would run past 21:00 (Beijing time), into the parties' quiet "
            "hours: start earlier or make it shorter."
        ),
        "past": _l("A session is scheduled for a time in the future."),
        "length": _l("A session lasts from %(low)s to %(high)s minutes."),
        "minutes_format": _l("Enter the expected length in whole minutes."),
        "time_format": _l("Enter a time as HH:MM, e.g. 14:30."),
        "place_required": _l("Say where the parties meet."),
        "place_too_long": _l("The place is too long (at most 200 characters)."),
        "suggest_past": _l("Suggest a time in the future."),
        "suggest_quiet_hours": _l("Suggest a time between 08:00 and 21:00 (Beijing time)."),
        "suggest_required": _l("Suggest the day and time that would suit you."),
        "note_too_long": _l("The note is too long (at most 500 characters)."),
        "reason_required": _l("Give the reason for cancelling: the parties are told."),
        "reason_too_long": _l("The reason is too long (at most 500 characters)."),
        "held_future": _l("A session is recorded as held once it has started."),
        "held_order": _l("The end comes after the start."),
        "held_length": _l("A session recorded lasted at most ten hours."),
        "nobody_attended": _l(
            "Tick who attended. If no party came, cancel the session with the reason."
        ),
    }
)
SessionStateRefused.messages.update(
    {
        "not_scheduled": _l("This session has been held or cancelled: it cannot change now."),
        "started": _l("This session has started: it can no longer be answered."),
        "not_invited": _l("Your side is not invited to this session."),
    }
)

KIND_LABELS = {
    SessionKind.JOINT: _l("Joint session (both parties)"),
    SessionKind.CAUCUS_CREDITOR: _l("Private session with the creditor only"),
    SessionKind.CAUCUS_DEBTOR: _l("Private session with the debtor only"),
}
MEANS_LABELS = {
    SessionMeans.PHONE: _l("Phone"),
    SessionMeans.VIDEO: _l("Video"),
    SessionMeans.IN_PERSON: _l("In person"),
}
STATUS_LABELS = {
    SessionStatus.SCHEDULED: _l("Scheduled"),
    SessionStatus.HELD: _l("Held"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}
ANSWER_LABELS = {
    Answer.PENDING: _l("No answer yet"),
    Answer.ACCEPTED: _l("Will take part"),
    Answer.DECLINED: _l("Cannot take part"),
    Answer.OTHER_TIME: _l("Asked for another time"),
}
SIDE_LABELS = {"debtor": _l("Debtor"), "creditor": _l("Creditor")}
# Asked at the start of the session (the contact log's consent, app.cases.contact_log).
CONSENT_LABELS = {
    "": _l("Not asked: the session was not recorded"),
    "yes": _l("Asked at the start: the parties consented to being recorded"),
    "no": _l("Asked at the start: a party refused to be recorded"),
}
# Who attended a held session besides the mediator (MediationSession.attended, sorted).
ATTENDED_LABELS = {
    ("debtor",): _l("Attended: the debtor."),
    ("creditor",): _l("Attended: the creditor."),
    ("creditor", "debtor"): _l("Attended: both parties."),
}
CONSENT_VALUES: dict[str, bool | None] = {"": None, "yes": True, "no": False}

__all__ = ["MAX_NOTE", "MAX_PLACE", "MAX_REASON"]


def side_of(user: User, case: Case) -> str | None:
    """The party ``user`` answers for on ``case``: the creditor's staff answer for the
    creditor, the debtor for themself; the mediation staff and anyone else: None."""
    if user.role == Role.CREDITOR and user.creditor_org_id == case.creditor_org_id:
        return "creditor"
    if user.role == Role.DEBTOR and case.debtor_user_id == user.id:
        return "debtor"
    return None


def is_staff(user: User) -> bool:
    return user.role in (Role.MEDIATOR, Role.ADMIN)


def may_see(user: User, case: Case, session: MediationSession) -> bool:
    """The case's mediator and its organisation's admin see every session; a party sees
    the joint ones and its own caucus, never the other side's (人民调解法 Art. 15(4));
    a guarantor or co-borrower sees none (they are not invited)."""
    if session.case_id != case.id or not can(user, Permission.CASE_VIEW, case):
        return False
    if is_staff(user):
        return True
    side = side_of(user, case)
    return side is not None and visible_to(session.kind, side)


def visible_sessions(case: Case, viewer: User) -> list[MediationSession]:
    """The sessions of ``case`` that ``viewer`` may know of, the soonest first."""
    if not can(viewer, Permission.CASE_VIEW, case):
        return []
    query = select(MediationSession).where(MediationSession.case_id == case.id)
    if not is_staff(viewer):
        side = side_of(viewer, case)
        if side is None:
            return []
        kinds = [k for k in SessionKind if visible_to(k, side)]
        query = query.where(MediationSession.kind.in_(kinds))
    return list(db.session.scalars(query.order_by(MediationSession.starts_at)))


def session_of(case: Case, session_id: int) -> MediationSession | None:
    session = db.session.get(MediationSession, session_id)
    return session if session is not None and session.case_id == case.id else None
