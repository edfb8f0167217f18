"""The session use cases on a real database: the invitation is outreach under the daily
cap (BRIEF §6), nothing is half-written when a rule refuses, and a held or cancelled
session cannot change."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.core import clock
from app.extensions import db
from app.models import AuditEvent
from app.models.notifications import Channel, OutboundMessage
from app.models.sessions import MediationSession
from app.models.users import Role
from app.notifications.outbox import queue_message
from app.rules.cases import CaseState
from app.rules.sessions import (
    Answer,
    SessionKind,
    SessionMeans,
    SessionRefused,
    SessionStateRefused,
)
from app.sessions import scheduling
from app.sessions.responses import Reply, answer_session
from tests.factories import make_case, make_mediation_org, make_user

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def case(app: Flask):  # type: ignore[no-untyped-def]
    org = make_mediation_org()
    return make_case(
        creditor=make_user(Role.CREDITOR),
        mediator=make_user(Role.MEDIATOR, mediation_org=org),
        state=CaseState.NEGOTIATING,
        debtor_user_id=make_user(Role.DEBTOR).id,
    )


def _at(days: int, hour: int) -> datetime:
    day = clock.local(clock.now()).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=BJ)


def _draft(**kw: object) -> scheduling.SessionDraft:
    values: dict[str, object] = {
        "kind": SessionKind.JOINT,
        "means": SessionMeans.PHONE,
        "starts_at": _at(3, 10),
        "minutes": 45,
    }
    values.update(kw)
    return scheduling.SessionDraft(**values)  # type: ignore[arg-type]


def test_the_invitation_waits_for_the_next_day_when_the_debtor_had_three_outreach_contacts(
    case,  # type: ignore[no-untyped-def]
) -> None:
    for n in range(3):
        queue_message(
            address=case.debtor_email,
            channel=Channel.EMAIL,
            template="invitation",
            subject=f"调解邀请 {n}",
            body=case.reference,
            case_id=case.id,
            to_debtor=True,
        )
    db.session.commit()
    scheduling.schedule_session(case.mediator, case, _draft())
    invitation = db.session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.template == "session_invitation", OutboundMessage.is_debtor.is_(True)
        )
    ).one()
    today = clock.local(clock.now()).date()
    assert clock.local(invitation.due_at).date() == today + timedelta(days=1)
    assert clock.local(invitation.due_at).hour == 8


def test_a_refused_session_leaves_nothing_behind(case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SessionRefused):
        scheduling.schedule_session(case.mediator, case, _draft(starts_at=_at(1, 22)))
    with pytest.raises(SessionRefused):
        scheduling.schedule_session(case.mediator, case, _draft(means=SessionMeans.IN_PERSON))
    assert db.session.scalar(select(func.count(MediationSession.id))) == 0
    assert db.session.scalar(select(func.count(OutboundMessage.id))) == 0
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action.like("case:session:%"))
        )
        == 0
    )


def test_a_cancelled_session_cannot_be_moved_answered_or_cancelled_again(
    case,  # type: ignore[no-untyped-def]
) -> None:
    session = scheduling.schedule_session(case.mediator, case, _draft())
    scheduling.cancel_session(case.mediator, session, "调解员临时出差")
    with pytest.raises(SessionStateRefused):
        scheduling.reschedule_session(case.mediator, session, _draft(starts_at=_at(4, 10)))
    with pytest.raises(SessionStateRefused):
        scheduling.cancel_session(case.mediator, session, "again")
    with pytest.raises(SessionStateRefused):
        answer_session(case.debtor_user, session, "debtor", Reply(Answer.ACCEPTED))
    db.session.refresh(session)
    assert session.sequence == 1 and [c.change.value for c in session.history] == [
        "scheduled",
        "cancelled",
    ]


def test_a_side_not_invited_cannot_answer(case) -> None:  # type: ignore[no-untyped-def]
    session = scheduling.schedule_session(
        case.mediator, case, _draft(kind=SessionKind.CAUCUS_CREDITOR)
    )
    with pytest.raises(SessionStateRefused) as refused:
        answer_session(case.debtor_user, session, "debtor", Reply(Answer.ACCEPTED))
    assert refused.value.code == "not_invited"
