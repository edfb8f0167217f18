"""Telling the invited parties about a session: by e-mail with the .ics attached (else
SMS) under the contact rules of each message's kind, and at once in the notification
centre. Only the invited sides are told: a caucus stays unknown to the other side."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.core import clock
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.sessions import MediationSession
from app.notifications.outbox import queue_message
from app.notifications.recipients import case_link, creditor_staff, notify_accounts
from app.notifications.texts.sessions import session_notice
from app.rules.sessions import invited_sides
from app.sessions.calendar_file import session_attachment


def _compose(session: MediationSession, event: str, **extra: str):  # type: ignore[no-untyped-def]
    case = session.case
    org, ref, link = case.mediation_org.name, case.reference, sessions_link(case)
    when = clock.local(session.starts_at)

    def compose(channel: Channel) -> tuple[str, str]:
        return session_notice(
            event,
            org,
            ref,
            link,
            kind=session.kind.value,
            means=session.means.value,
            when=when,
            channel=channel,
            **extra,
        )

    return compose


def sessions_link(case: Case) -> str:
    return f"{case_link(case)}#sessions"


def tell_parties(
    session: MediationSession,
    event: str,
    *,
    with_calendar: bool = True,
    now: datetime | None = None,
) -> None:
    """Queue ``event``'s text for every invited side of ``session`` and notify their
    accounts. The debtor's message goes under the contact rules of its kind (an
    invitation is outreach: quiet hours and the daily cap)."""
    case = session.case
    compose = _compose(session, event)
    sides = invited_sides(session.kind)
    notify_accounts(case, event, compose, roles=sides, link=sessions_link(case), now=now)
    attachment = session_attachment(session, sessions_link(case)) if with_calendar else None

    def send(address: str, channel: Channel, **who: object) -> None:
        subject, body = compose(channel)
        queue_message(
            address=address,
            channel=channel,
            template=event,
            subject=subject,
            body=body,
            case_id=case.id,
            now=now,
            attachment=attachment if channel == Channel.EMAIL else None,
            **who,  # type: ignore[arg-type]
        )

    if "debtor" in sides:
        if case.debtor_email:
            send(case.debtor_email, Channel.EMAIL, to_debtor=True)
        elif case.debtor_phone:
            send(case.debtor_phone, Channel.SMS, to_debtor=True)
    if "creditor" in sides:
        for user in creditor_staff(case):
            send(user.email, Channel.EMAIL, recipient_user_id=user.id)  # type: ignore[arg-type]


def tell_mediator(session: MediationSession, side: str, answer: str) -> None:
    """A party answered: the mediator is told (centre and e-mail)."""
    case = session.case
    compose = _compose(session, "session_response", side=side, answer=answer)
    notify_accounts(
        case, "session_response", compose, roles=("mediator",), link=sessions_link(case)
    )
    mediator = case.mediator
    if mediator is not None and mediator.email:
        subject, body = compose(Channel.EMAIL)
        queue_message(
            address=mediator.email,
            channel=Channel.EMAIL,
            template="session_response",
            subject=subject,
            body=body,
            case_id=case.id,
            recipient_user_id=mediator.id,
        )


def video_base_url() -> str:
    return str(current_app.config["SETTINGS"].video_meeting_base_url)


# The contact log's summary of a session held (a neutral sentence, no content of it).
KIND_SUMMARY = {
    "joint": "调解会议（双方当事人）",
    "caucus_creditor": "背对背调解会议（申请人）",
    "caucus_debtor": "背对背调解会议（被申请人）",
}
