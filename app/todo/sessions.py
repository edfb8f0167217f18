"""A party's upcoming mediation sessions on their to-do list: one to answer, else the
session itself (a caucus only on its own side's list)."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select

from app.access import SESSION_STATES
from app.core import clock
from app.core.format import local_datetime
from app.extensions import db
from app.models.cases import Case
from app.models.sessions import MediationSession, SessionResponse
from app.models.users import User
from app.rules import todo as rules
from app.rules.sessions import Answer, SessionKind, SessionStatus, visible_to
from app.todo.common import NO_ID_NUMBER, Entry, TodoItem, case_url


def sessions_for(case: Case, side: str) -> list[Entry]:
    """The scheduled, future sessions of ``case`` that ``side`` is invited to."""
    kinds = [k for k in SessionKind if visible_to(k, side)]
    sessions = db.session.scalars(
        select(MediationSession)
        .where(
            MediationSession.case_id == case.id,
            MediationSession.status == SessionStatus.SCHEDULED,
            MediationSession.starts_at > clock.now(),
            MediationSession.kind.in_(kinds),
        )
        .order_by(MediationSession.starts_at)
    )
    entries: list[Entry] = []
    for session in sessions:
        response = session.response_of(side)
        when = local_datetime(session.starts_at)
        urgency = rules.Urgency(clock.day_of(session.starts_at), session.created_at)
        if response is not None and response.answer is Answer.PENDING:
            item = TodoItem(
                "session_answer",
                _(
                    "Case %(ref)s: answer the invitation to the mediation session on %(when)s.",
                    ref=case.reference,
                    when=when,
                ),
                case.reference,
                url_for("sessions.respond", case_id=case.id, session_id=session.id),
                clock.day_of(session.starts_at),
            )
        else:
            item = TodoItem(
                "session_upcoming",
                _("Case %(ref)s: mediation session on %(when)s.", ref=case.reference, when=when),
                case.reference,
                case_url(case, "sessions"),
                clock.day_of(session.starts_at),
            )
        entries.append((urgency, item))
    return entries


_SENTENCES = {
    ("debtor", Answer.DECLINED): _l(
        "Case %(ref)s: the debtor cannot attend the session on %(when)s."
    ),
    ("creditor", Answer.DECLINED): _l(
        "Case %(ref)s: the creditor cannot attend the session on %(when)s."
    ),
    ("debtor", Answer.OTHER_TIME): _l(
        "Case %(ref)s: the debtor asks for another time than %(when)s for the session."
    ),
    ("creditor", Answer.OTHER_TIME): _l(
        "Case %(ref)s: the creditor asks for another time than %(when)s for the session."
    ),
}


@cache
def declined_sessions() -> Select[Any]:
    """Built once (building costs more than the cached compilation); the mediator and the
    time are bound per call."""
    return (
        select(SessionResponse, MediationSession, Case)
        .join(MediationSession, MediationSession.id == SessionResponse.session_id)
        .join(Case, Case.id == MediationSession.case_id)
        .where(
            Case.mediator_id == bindparam("mediator_id"),
            Case.state.in_(SESSION_STATES),
            MediationSession.status == SessionStatus.SCHEDULED,
            MediationSession.starts_at > bindparam("now"),
            SessionResponse.answer.in_([Answer.DECLINED, Answer.OTHER_TIME]),
        )
        .options(NO_ID_NUMBER)
        .order_by(MediationSession.starts_at, SessionResponse.id)
    )


def answers_to_consider(user: User) -> list[Entry]:
    """For the mediator: a party declined an upcoming session or asked for another time
    (one query for all their cases)."""
    rows = db.session.execute(declined_sessions(), {"mediator_id": user.id, "now": clock.now()})
    entries: list[Entry] = []
    for response, session, case in rows:
        when = local_datetime(session.starts_at)
        sentence = _SENTENCES[(response.side, response.answer)]
        item = TodoItem(
            "session_answer_received",
            str(sentence) % {"ref": case.reference, "when": when},
            case.reference,
            case_url(case, f"session-{session.id}"),
            clock.day_of(session.starts_at),
        )
        entries.append((rules.Urgency(clock.day_of(session.starts_at), response.answered_at), item))
    return entries
