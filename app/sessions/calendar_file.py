"""A session as an iCalendar file (RFC 5545, :mod:`app.rules.ics`): attached to the
invitation e-mails and offered for download on the case page."""

from __future__ import annotations

from email.utils import parseaddr

from flask import current_app

from app.core import clock
from app.models.sessions import MediationSession
from app.notifications.outbox import Attachment
from app.notifications.texts.sessions import KIND_WORDS, MEANS_WORDS
from app.rules.ics import Event, calendar
from app.rules.sessions import SessionMeans, SessionStatus

FILENAME = "session.ics"  # ASCII: readers garble other names


def session_calendar(session: MediationSession, link: str) -> str:
    """The .ics text of ``session`` as it stands: a request, or a cancel once cancelled."""
    settings = current_app.config["SETTINGS"]
    case = session.case
    org = case.mediation_org.name
    summary = f"{org} {KIND_WORDS[session.kind.value]}（案件 {case.reference}）"
    location = session.place or session.meeting_url or ""
    if session.means is SessionMeans.PHONE:
        location = "电话（调解员将致电）"
    _, sender = parseaddr(settings.mail_sender)
    event = Event(
        uid=session.uid,
        sequence=session.sequence,
        stamp=clock.now(),
        starts_at=session.starts_at,
        minutes=session.minutes,
        summary=summary,
        description=f"{org}，案件编号 {case.reference}，方式：{MEANS_WORDS[session.means.value]}。"
        f"详情：{link}",
        location=location,
        url=session.meeting_url or link,
        organizer_name=org,
        organizer_email=sender,
        cancelled=session.status is SessionStatus.CANCELLED,
    )
    return calendar(event, clock.legal_tz())


def session_attachment(session: MediationSession, link: str) -> Attachment:
    method = "CANCEL" if session.status is SessionStatus.CANCELLED else "REQUEST"
    return Attachment(
        name=FILENAME,
        media_type=f"text/calendar; method={method}",
        text=session_calendar(session, link),
    )
