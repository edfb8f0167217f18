"""The screen tells the truth (app.notifications.told): "notified" only when the message
went out at once, otherwise the time and channel it is queued for — one test per message
kind that the time shown equals the queued message's due time on the Beijing clock."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Case, OutboundMessage
from app.models.negotiation import Thread
from app.models.notifications import Channel
from app.models.users import Role, User
from app.notifications.outbox import queue_message
from app.rules.cases import CaseState
from app.rules.message_kinds import MessageKind
from tests import agreement_support as support
from tests.factories import PASSWORD, make_case, make_user
from tests.helpers import Browser

BEIJING = ZoneInfo("Asia/Shanghai")
NOTICE = re.compile(r'<div class="notice notice-success" role="status">([^<]+)</div>')


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BEIJING)


def as_user(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def flashed(browser: Browser, response: Any) -> str:
    assert response.status_code == 302, response.status_code
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    match = NOTICE.search(page)
    assert match, "no success notice on the page"
    return match.group(1)


def shown(moment: datetime) -> str:
    local = moment.astimezone(BEIJING)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def debtor_messages(template: str) -> list[OutboundMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.template == template, OutboundMessage.is_debtor.is_(True))
            .order_by(OutboundMessage.id)
        )
    )


@pytest.fixture
def negotiating(app: Flask) -> dict[str, Any]:
    creditor, mediator, debtor = (make_user(r) for r in (Role.CREDITOR, Role.MEDIATOR, Role.DEBTOR))
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )
    return {"case": case, "creditor": creditor, "mediator": mediator, "debtor": debtor}


def post_joint(app: Flask, w: dict[str, Any]) -> str:
    browser = as_user(app, w["creditor"])
    case: Case = w["case"]
    response = browser.submit(
        f"/cases/{case.id}/threads/{Thread.JOINT.value}",
        {"body": "我们同意把首付日期推迟一周。"},
        page=f"/cases/{case.id}",
    )
    return flashed(browser, response)


# --- case notice ------------------------------------------------------------------------


def test_a_case_notice_in_quiet_hours_shows_the_time_it_is_queued_for(
    app: Flask, negotiating: dict[str, Any], frozen_clock: Any
) -> None:
    frozen_clock.move_to(beijing(1, 23, 10))
    text = post_joint(app, negotiating)
    (message,) = debtor_messages("thread_message")
    assert message.kind is MessageKind.CASE_NOTICE and message.channel is Channel.SMS
    assert message.due_at == beijing(2, 8)
    assert text == f"消息已发送。将于 {shown(message.due_at)} 通过短信通知债务人。"
    assert "已通知" not in text


def test_a_case_notice_is_not_held_by_a_full_cap_and_says_notified(
    app: Flask, negotiating: dict[str, Any], frozen_clock: Any
) -> None:
    case: Case = negotiating["case"]
    for _ in range(3):  # three outreach contacts today: the cap is full
        queue_message(
            address=str(case.debtor_phone),
            channel=Channel.SMS,
            template="invitation",
            subject="s",
            body="b",
            case_id=case.id,
            to_debtor=True,
        )
    db.session.commit()
    text = post_joint(app, negotiating)
    (message,) = debtor_messages("thread_message")
    assert message.due_at <= message.created_at
    assert text == "消息已发送。系统已通知债务人。"


# --- outreach ---------------------------------------------------------------------------


def accept(app: Flask, mediator: User, case: Case) -> str:
    browser = as_user(app, mediator)
    response = browser.submit(f"/cases/{case.id}/accept", page=f"/cases/{case.id}")
    return flashed(browser, response)


def test_an_invitation_in_quiet_hours_shows_the_time_it_is_queued_for(
    app: Flask, frozen_clock: Any
) -> None:
    mediator = make_user(Role.MEDIATOR)
    case = make_case(mediator=mediator)
    frozen_clock.move_to(beijing(1, 22, 40))
    text = accept(app, mediator, case)
    messages = debtor_messages("invitation")
    assert {m.kind for m in messages} == {MessageKind.OUTREACH}
    assert {m.due_at for m in messages} == {beijing(2, 8)}
    assert text == f"您已受理该案件。将于 {shown(beijing(2, 8))} 通过电子邮件和短信通知债务人。"


def test_an_invitation_beyond_the_daily_cap_shows_the_next_morning(
    app: Flask, frozen_clock: Any
) -> None:
    mediator = make_user(Role.MEDIATOR)
    case = make_case(mediator=mediator, debtor_email=None)
    for hour in (9, 10, 11):
        frozen_clock.move_to(beijing(1, hour))
        queue_message(
            address=str(case.debtor_phone),
            channel=Channel.SMS,
            template="reminder_due",
            subject="s",
            body="b",
            case_id=case.id,
            to_debtor=True,
        )
        db.session.commit()
    frozen_clock.move_to(beijing(1, 14))
    text = accept(app, mediator, case)
    (message,) = debtor_messages("invitation")
    assert message.due_at == beijing(2, 8)
    assert text == f"您已受理该案件。将于 {shown(message.due_at)} 通过短信通知债务人。"


def test_in_english_the_time_reads_day_month_at_hour(
    app: Flask, negotiating: dict[str, Any], frozen_clock: Any
) -> None:
    frozen_clock.move_to(beijing(3, 21, 30))
    browser = as_user(app, negotiating["creditor"])
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    case: Case = negotiating["case"]
    response = browser.submit(
        f"/cases/{case.id}/threads/joint", {"body": "明天见。"}, page=f"/cases/{case.id}"
    )
    (message,) = debtor_messages("thread_message")
    assert message.due_at == beijing(4, 8)
    assert (
        flashed(browser, response)
        == "Message sent. The debtor will be notified by SMS on 4 Dec at 08:00."
    )


# --- requested --------------------------------------------------------------------------


def test_a_requested_code_goes_at_once_in_quiet_hours_and_the_page_says_sent(
    app: Flask, frozen_clock: Any
) -> None:
    who = support.people()
    case = support.settled_case(who)
    support.draft(case, who)
    frozen_clock.move_to(beijing(1, 23, 45))
    browser = as_user(app, who["debtor"])
    sign_page = f"/cases/{case.id}/agreement/1/sign"
    response = browser.submit(
        f"/cases/{case.id}/agreement/1/code", {"channel": "email"}, page=sign_page
    )
    text = flashed(browser, response)
    (message,) = debtor_messages("signing_code")
    assert message.kind is MessageKind.REQUESTED
    assert message.due_at == message.created_at  # the moment of the request: 23:45
    assert shown(message.due_at) == "12月1日 23:45"
    assert text.startswith("验证码已通过") and "将于" not in text
