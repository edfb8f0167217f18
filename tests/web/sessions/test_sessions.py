"""Mediation sessions over HTTP: the mediator schedules (refused in quiet hours with the
message on the form again), moves, cancels and records one as held (a contact-log row);
the invited parties answer; the invitation is outreach with an .ics attached; a caucus
stays invisible to the other side; every route refuses everyone else."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import AuditEvent
from app.models.contacts import ContactRecord
from app.models.notifications import Channel, OutboundMessage
from app.models.sessions import MediationSession
from app.models.users import User
from app.notifications.channels import build_email
from app.rules.contact_log import ContactChannel, Outcome
from app.rules.message_kinds import MessageKind
from app.rules.sessions import Answer, SessionKind, SessionStatus
from app.sessions.reminders import send_session_reminders
from tests import agreement_support as support
from tests.factories import PASSWORD, make_case
from tests.helpers import Browser, refused

BJ = ZoneInfo("Asia/Shanghai")
OUTSIDERS = ("other_creditor", "other_debtor", "colleague_mediator", "foreign_mediator")


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _tomorrow(hour: int, minute: int = 0) -> datetime:
    day = clock.local(clock.now()).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BJ)


def _form(moment: datetime, **kw: str) -> dict[str, str]:
    return {
        "kind": "joint",
        "means": "video",
        "day": moment.date().isoformat(),
        "time": moment.strftime("%H:%M"),
        "minutes": "60",
        "place": "",
        **kw,
    }


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    from app.rules.cases import CaseState

    who = support.people()
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
    )
    return {"who": who, "case": case}


def _schedule(app: Flask, w: dict[str, Any], **kw: str) -> MediationSession:
    case = w["case"]
    mediator = _as(app, w["who"]["mediator"])
    moment = _tomorrow(10)
    answer = mediator.submit(
        f"/cases/{case.id}/sessions/new", _form(moment, **kw), page=f"/cases/{case.id}"
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    return db.session.scalars(select(MediationSession).order_by(MediationSession.id.desc())).first()


def _session_messages(case_id: int) -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.case_id == case_id, OutboundMessage.template.like("session_%"))
            .order_by(OutboundMessage.id)
        )
    )


def test_the_mediator_schedules_a_joint_video_session_and_both_parties_are_invited(
    app: Flask, world: dict[str, Any]
) -> None:
    session = _schedule(app, world)
    assert session.kind is SessionKind.JOINT and session.status is SessionStatus.SCHEDULED
    assert session.starts_at == _tomorrow(10)
    settings = app.config["SETTINGS"]
    assert session.meeting_url.startswith(settings.video_meeting_base_url + "/")
    assert len(session.meeting_url) > len(settings.video_meeting_base_url) + 16
    assert {r.side: r.answer for r in session.responses} == {
        "debtor": Answer.PENDING,
        "creditor": Answer.PENDING,
    }
    messages = _session_messages(world["case"].id)
    debtor = [m for m in messages if m.is_debtor]
    assert len(debtor) == 1 and debtor[0].kind is MessageKind.OUTREACH
    assert debtor[0].template == "session_invitation" and debtor[0].channel is Channel.EMAIL
    creditor = [m for m in messages if m.recipient_user_id == world["who"]["creditor"].id]
    assert len(creditor) == 1
    for message in (debtor[0], creditor[0]):
        assert message.attachment_name == "session.ics"
        assert "METHOD:REQUEST" in message.attachment_text
        assert session.uid in message.attachment_text
        assert world["case"].reference in message.body
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_id == world["case"].id)
    ).all()
    assert "case:session:schedule" in events
    # the e-mail as SMTP would send it carries the calendar file
    email = message_from_bytes(bytes(build_email(debtor[0], settings)))
    parts = [p for p in email.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "session.ics"
    assert b"BEGIN:VEVENT" in parts[0].get_payload(decode=True)


def test_a_session_at_22_00_beijing_time_is_refused_on_the_form_shown_again(
    app: Flask, world: dict[str, Any]
) -> None:
    case = world["case"]
    mediator = _as(app, world["who"]["mediator"])
    late = _tomorrow(22)
    response = mediator.submit(
        f"/cases/{case.id}/sessions/new",
        _form(late, means="in_person", place="调解室 3"),
        page=f"/cases/{case.id}",
    )
    assert refused(response) and response.status_code == 400
    html = response.get_data(as_text=True)
    assert "21:00" in html and "08:00" in html and 'id="starts_at-error"' in html
    assert 'value="22:00"' in html and "调解室 3" in html  # what was typed comes back
    assert db.session.scalar(select(MediationSession.id)) is None
    assert _session_messages(case.id) == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"minutes": "5"}, "minutes"),
        ({"minutes": "abc"}, "minutes"),
        ({"time": "9点"}, "time"),
        ({"means": "in_person", "place": ""}, "place"),
        ({"kind": "secret"}, "kind"),
    ],
)
def test_bad_input_is_refused_with_the_message_at_its_field(
    app: Flask, world: dict[str, Any], data: dict[str, str], field: str
) -> None:
    case = world["case"]
    response = _as(app, world["who"]["mediator"]).submit(
        f"/cases/{case.id}/sessions/new", _form(_tomorrow(10), **data), page="/account/"
    )
    assert refused(response) and response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(MediationSession.id)) is None


def test_a_debtor_caucus_is_invisible_to_the_creditor(app: Flask, world: dict[str, Any]) -> None:
    session = _schedule(app, world, kind="caucus_debtor", means="in_person", place="CAUCUS-ROOM-x7")
    case, who = world["case"], world["who"]
    base = f"/cases/{case.id}/sessions/{session.id}"
    for name in ("creditor", "creditor_colleague"):
        browser = _as(app, who[name])
        assert "CAUCUS-ROOM-x7" not in browser.get(f"/cases/{case.id}").get_data(as_text=True)
        assert "CAUCUS-ROOM-x7" not in browser.get("/creditor").get_data(as_text=True)
        assert browser.get(f"{base}/calendar.ics").status_code == 404
        assert browser.get(f"{base}/respond").status_code == 404
    assert "CAUCUS-ROOM-x7" in _as(app, who["debtor"]).get(f"/cases/{case.id}").get_data(
        as_text=True
    )
    assert "CAUCUS-ROOM-x7" in _as(app, who["mediator"]).get(f"/cases/{case.id}").get_data(
        as_text=True
    )
    # only the debtor was told; nobody on the creditor's side
    messages = _session_messages(case.id)
    assert messages and all(m.is_debtor for m in messages)
    from app.models.inbox import Notification

    told = set(
        db.session.scalars(select(Notification.user_id).where(Notification.case_id == case.id))
    )
    assert who["creditor"].id not in told and who["debtor"].id in told


def test_a_creditor_caucus_is_invisible_to_the_debtor(app: Flask, world: dict[str, Any]) -> None:
    session = _schedule(app, world, kind="caucus_creditor", means="phone")
    case, debtor = world["case"], _as(app, world["who"]["debtor"])
    html = debtor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'data-session="{session.id}"' not in html
    assert debtor.get(f"/cases/{case.id}/sessions/{session.id}/calendar.ics").status_code == 404
    assert "CAUCUS" not in debtor.get("/debtor").get_data(as_text=True)
    assert not [m for m in _session_messages(case.id) if m.is_debtor]


def _routes(case_id: int, session_id: int) -> dict[str, tuple[str, str, dict[str, str]]]:
    base = f"/cases/{case_id}/sessions/{session_id}"
    moved = _form(_tomorrow(15))
    return {
        "new_page": ("GET", f"/cases/{case_id}/sessions/new", {}),
        "new": ("POST", f"/cases/{case_id}/sessions/new", moved),
        "reschedule_page": ("GET", f"{base}/reschedule", {}),
        "reschedule": ("POST", f"{base}/reschedule", moved),
        "cancel_page": ("GET", f"{base}/cancel", {}),
        "cancel": ("POST", f"{base}/cancel", {"reason": "调解员有事"}),
        "held_page": ("GET", f"{base}/held", {}),
        "held": ("POST", f"{base}/held", {"attended": "debtor"}),
        "respond_page": ("GET", f"{base}/respond", {}),
        "respond": ("POST", f"{base}/respond", {"answer": "accepted"}),
        "calendar": ("GET", f"{base}/calendar.ics", {}),
    }


@pytest.mark.parametrize("outsider", [*OUTSIDERS, "foreign_admin"])
@pytest.mark.parametrize("route", list(_routes(1, 1)))
def test_every_route_refuses_people_outside_the_case(
    app: Flask, world: dict[str, Any], outsider: str, route: str
) -> None:
    from app.models.users import Role
    from tests.factories import make_mediation_org, make_user

    session = _schedule(app, world)
    who = dict(world["who"])
    who["foreign_admin"] = make_user(Role.ADMIN, mediation_org=make_mediation_org())
    method, url, data = _routes(world["case"].id, session.id)[route]
    browser = _as(app, who[outsider])
    if method == "GET":
        status = browser.get(url).status_code
    else:
        status = browser.submit(url, data, page="/account/").status_code
    assert status in (403, 404), (outsider, route, status)
    db.session.refresh(session)
    assert session.status is SessionStatus.SCHEDULED and session.sequence == 0


@pytest.mark.parametrize(
    ("actor", "route"),
    [
        ("creditor", "new"),
        ("debtor", "new"),
        ("creditor", "cancel"),
        ("debtor", "reschedule"),
        ("debtor", "held"),
        ("admin", "cancel"),
        ("admin", "respond"),
        ("mediator", "respond"),
    ],
)
def test_only_the_mediator_schedules_and_only_invited_parties_answer(
    app: Flask, world: dict[str, Any], actor: str, route: str
) -> None:
    session = _schedule(app, world)
    method, url, data = _routes(world["case"].id, session.id)[route]
    response = _as(app, world["who"][actor]).submit(url, data, page="/account/")
    assert response.status_code in (403, 404)
    db.session.refresh(session)
    assert session.status is SessionStatus.SCHEDULED and session.sequence == 0
    assert {r.answer for r in session.responses} == {Answer.PENDING}


def test_a_refused_reschedule_cancel_held_or_answer_redirects_back_to_its_page(
    app: Flask, world: dict[str, Any]
) -> None:
    session = _schedule(app, world)
    case, who = world["case"], world["who"]
    base = f"/cases/{case.id}/sessions/{session.id}"
    mediator = _as(app, who["mediator"])
    for url, data in (
        (f"{base}/reschedule", _form(_tomorrow(23))),
        (f"{base}/cancel", {"reason": "  "}),
        (f"{base}/held", {"attended": "debtor", "start_day": "x"}),
    ):
        answer = mediator.submit(url, data, page="/account/", follow_refusal=False)
        assert answer.status_code == 303 and answer.headers["Location"].endswith(url), url
        assert mediator.get(url).status_code == 400
    debtor = _as(app, who["debtor"])
    data = {
        "answer": "other_time",
        "suggested_day": _tomorrow(23).date().isoformat(),
        "suggested_time": "23:00",
    }
    answer = debtor.submit(f"{base}/respond", data, page="/account/", follow_refusal=False)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"{base}/respond")
    page = debtor.get(f"{base}/respond").get_data(as_text=True)
    assert "08:00" in page and "21:00" in page
    db.session.refresh(session)
    assert session.status is SessionStatus.SCHEDULED and session.sequence == 0


def test_the_parties_answer_and_the_mediator_sees_the_answers(
    app: Flask, world: dict[str, Any]
) -> None:
    session = _schedule(app, world)
    case, who = world["case"], world["who"]
    base = f"/cases/{case.id}/sessions/{session.id}"
    assert (
        _as(app, who["debtor"])
        .submit(f"{base}/respond", {"answer": "accepted"}, page="/account/")
        .status_code
        == 302
    )
    later = _tomorrow(16)
    assert (
        _as(app, who["creditor_colleague"])
        .submit(
            f"{base}/respond",
            {
                "answer": "other_time",
                "suggested_day": later.date().isoformat(),
                "suggested_time": "16:00",
                "note": "下午更方便",
            },
            page="/account/",
        )
        .status_code
        == 302
    )
    db.session.refresh(session)
    debtor, creditor = session.response_of("debtor"), session.response_of("creditor")
    assert debtor.answer is Answer.ACCEPTED
    assert creditor.answer is Answer.OTHER_TIME and creditor.suggested_at == later
    assert creditor.note == "下午更方便"
    html = _as(app, who["mediator"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-answer="accepted"' in html and 'data-answer="other_time"' in html
    assert "下午更方便" in html
    # the debtor sees their own answer, not the creditor's note
    html = _as(app, who["debtor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-answer="accepted"' in html and "下午更方便" not in html
    to_mediator = [
        m for m in _session_messages(case.id) if m.recipient_user_id == who["mediator"].id
    ]
    assert [m.template for m in to_mediator] == ["session_response", "session_response"]


def test_moving_a_session_raises_its_sequence_and_asks_the_parties_again(
    app: Flask, world: dict[str, Any]
) -> None:
    session = _schedule(app, world)
    case, who = world["case"], world["who"]
    base = f"/cases/{case.id}/sessions/{session.id}"
    _as(app, who["debtor"]).submit(f"{base}/respond", {"answer": "accepted"}, page="/account/")
    moved = _form(_tomorrow(15), means="phone")
    assert (
        _as(app, who["mediator"]).submit(f"{base}/reschedule", moved, page="/account/").status_code
        == 302
    )
    db.session.refresh(session)
    assert session.sequence == 1 and session.starts_at == _tomorrow(15)
    assert session.meeting_url is None
    assert {r.answer for r in session.responses} == {Answer.PENDING}
    changes = [c.change.value for c in session.history]
    assert changes == ["scheduled", "responded", "rescheduled"]
    assert session.history[-1].from_at == _tomorrow(10)
    ics = _as(app, who["debtor"]).get(f"{base}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    assert "SEQUENCE:1" in ics.get_data(as_text=True).replace("\r\n ", "")
    moved_messages = [m for m in _session_messages(case.id) if m.template == "session_rescheduled"]
    assert moved_messages and all(m.kind is MessageKind.OUTREACH for m in moved_messages)


def test_cancelling_tells_the_parties_with_a_calendar_cancel(
    app: Flask, world: dict[str, Any]
) -> None:
    session = _schedule(app, world)
    case, who = world["case"], world["who"]
    base = f"/cases/{case.id}/sessions/{session.id}"
    assert (
        _as(app, who["mediator"])
        .submit(f"{base}/cancel", {"reason": "调解员临时出差"}, page="/account/")
        .status_code
        == 302
    )
    db.session.refresh(session)
    assert session.status is SessionStatus.CANCELLED and session.cancel_reason == "调解员临时出差"
    cancels = [m for m in _session_messages(case.id) if m.template == "session_cancelled"]
    assert cancels and all("METHOD:CANCEL" in (m.attachment_text or "") for m in cancels)
    assert all(m.kind is MessageKind.CASE_NOTICE for m in cancels)
    html = _as(app, who["debtor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "调解员临时出差" in html and f"{base}/respond" not in html


def test_marking_held_logs_a_contact_the_session_keeps(
    app: Flask, world: dict[str, Any], frozen_clock: Any
) -> None:
    session = _schedule(app, world)
    case, who = world["case"], world["who"]
    start = _tomorrow(10, 5)
    frozen_clock.move_to(_tomorrow(11, 30))
    response = _as(app, who["mediator"]).submit(
        f"/cases/{case.id}/sessions/{session.id}/held",
        {
            "attended": ["debtor", "creditor"],
            "start_day": start.date().isoformat(),
            "start_time": "10:05",
            "end_time": "11:00",
        },
        page="/account/",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2500:]
    db.session.refresh(session)
    assert session.status is SessionStatus.HELD and session.attended == "mediator,debtor,creditor"
    record = db.session.get(ContactRecord, session.contact_record_id)
    assert record is not None and record.case_id == case.id
    assert record.channel is ContactChannel.VIDEO and record.outcome is Outcome.REACHED
    assert record.duration_seconds == 55 * 60 and record.occurred_at == start
    assert record.logged_by_id == who["mediator"].id
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_id == case.id)
    ).all()
    assert "case:session:held" in actions and "case:contact:log" in actions


def test_reminders_go_the_day_before_and_an_hour_before_once_each(
    app: Flask, world: dict[str, Any], frozen_clock: Any
) -> None:
    session = _schedule(app, world)
    starts = _tomorrow(10)
    frozen_clock.move_to(starts - timedelta(hours=23))
    assert send_session_reminders() == 1
    assert send_session_reminders() == 0
    frozen_clock.move_to(starts - timedelta(minutes=50))
    assert send_session_reminders() == 1
    assert send_session_reminders() == 0
    templates = [m.template for m in _session_messages(world["case"].id) if m.is_debtor]
    assert templates == ["session_invitation", "session_reminder_day", "session_reminder_hour"]
    db.session.refresh(session)
    assert session.reminded_day_at is not None and session.reminded_hour_at is not None


def test_the_parties_find_the_session_on_their_to_do_list(
    app: Flask, world: dict[str, Any]
) -> None:
    session = _schedule(app, world)
    case, who = world["case"], world["who"]
    url = f"/cases/{case.id}/sessions/{session.id}/respond"
    assert url in _as(app, who["debtor"]).get("/debtor").get_data(as_text=True)
    assert url in _as(app, who["creditor"]).get("/creditor").get_data(as_text=True)
    _as(app, who["debtor"]).submit(url, {"answer": "accepted"}, page="/account/")
    html = _as(app, who["debtor"]).get("/debtor").get_data(as_text=True)
    assert url not in html and 'data-kind="session_upcoming"' in html


def test_the_mediator_finds_an_answer_asking_for_another_time_on_their_list(
    app: Flask, world: dict[str, Any]
) -> None:
    session = _schedule(app, world)
    case, who = world["case"], world["who"]
    mediator = _as(app, who["mediator"])
    assert 'data-kind="session_answer_received"' not in mediator.get("/docket").get_data(
        as_text=True
    )
    _as(app, who["debtor"]).submit(
        f"/cases/{case.id}/sessions/{session.id}/respond", {"answer": "declined"}, page="/account/"
    )
    html = mediator.get("/docket").get_data(as_text=True)
    assert 'data-kind="session_answer_received"' in html and f"#session-{session.id}" in html
    other = _as(app, who["colleague_mediator"]).get("/docket").get_data(as_text=True)
    assert 'data-kind="session_answer_received"' not in other


def test_the_downloaded_calendar_escapes_an_organisation_name_with_newlines_and_semicolons(
    app: Flask, world: dict[str, Any]
) -> None:
    session = _schedule(app, world, means="in_person", place="调解室;3,\n二楼")
    case = world["case"]
    case.mediation_org.name = "和衷;调解\nATTENDEE:mailto:x@evil.example"
    db.session.commit()
    text = (
        _as(app, world["who"]["creditor"])
        .get(f"/cases/{case.id}/sessions/{session.id}/calendar.ics")
        .get_data(as_text=True)
    )
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = text.replace("\r\n ", "").split("\r\n")
    assert not [line for line in lines if line.startswith("ATTENDEE")]
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary.startswith("SUMMARY:和衷\\;调解\\nATTENDEE:mailto:x@evil.example ")
    assert case.reference in summary
    # the place typed was put on one line when it was scheduled, then escaped
    assert "LOCATION:调解室\\;3\\, 二楼" in lines
