"""The content checker on thread messages: a creditor's or mediator's words that the
debtor reads are checked (app.notifications.content); a refusal keeps the text, marks the
refused words and sends nothing; the debtor's own words are never checked."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models.negotiation import Message
from app.models.notifications import OutboundMessage
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

THREAT = "再不还钱，我们就联系你的家人，后果自负。"


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    org = make_mediation_org()
    creditor = make_user(Role.CREDITOR)
    debtor = make_user(Role.DEBTOR)
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )
    return {"creditor": creditor, "debtor": debtor, "mediator": mediator, "case": case}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _post(browser: Browser, case, thread: str, body: str, **extra):
    return browser.submit(
        f"/cases/{case.id}/threads/{thread}", {"body": body, **extra}, page="/account/"
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    ("author", "thread"), [("creditor", "joint"), ("mediator", "caucus_debtor")]
)
def test_a_threat_to_the_debtor_is_refused_with_the_text_kept_and_marked(
    app: Flask, world, author: str, thread: str
) -> None:
    response = _post(_as(app, world[author]), world["case"], thread, THREAT)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f">{THREAT}</textarea>" in html  # the text kept in its form
    assert '<mark class="content-refused">联系你的家人</mark>' in html
    assert '<mark class="content-refused">后果自负</mark>' in html
    assert 'data-rule="third_party.contact"' in html and 'data-rule="threat.harm"' in html
    assert _count(Message) == 0 and _count(OutboundMessage) == 0


def test_the_debtors_own_words_are_not_checked(app: Flask, world) -> None:
    response = _post(_as(app, world["debtor"]), world["case"], "joint", THREAT)
    assert response.status_code == 302
    assert db.session.scalar(select(Message.body)) == THREAT


def test_the_creditors_caucus_is_not_checked_the_debtor_never_reads_it(app: Flask, world) -> None:
    text = "债务人说如果起诉他就去借钱。"
    response = _post(_as(app, world["mediator"]), world["case"], "caucus_creditor", text)
    assert response.status_code == 302 and _count(Message) == 1


def test_a_calm_message_from_the_creditor_is_sent(app: Flask, world) -> None:
    text = "您好，我们可以接受分十二期还款，您也可以向法院申请司法确认。"
    response = _post(_as(app, world["creditor"]), world["case"], "joint", text)
    assert response.status_code == 302 and _count(Message) == 1


def test_enforcement_may_be_stated_once_the_court_confirmed_and_the_sender_asserts_it(
    app: Flask, world
) -> None:
    case = world["case"]
    case.state = CaseState.CONFIRMED
    db.session.commit()
    text = "法院已裁定确认调解协议，逾期不履行，债权人将申请强制执行。"
    browser = _as(app, world["mediator"])
    refused = _post(browser, case, "joint", text)
    assert refused.status_code == 400
    assert 'name="asserted" value="misleading.enforcement"' in refused.get_data(as_text=True)
    sent = _post(browser, case, "joint", text, asserted="misleading.enforcement")
    assert sent.status_code == 302 and _count(Message) == 1


def test_asserting_enforcement_before_any_ruling_is_still_refused(app: Flask, world) -> None:
    text = "债权人将申请强制执行。"
    response = _post(
        _as(app, world["creditor"]), world["case"], "joint", text, asserted="misleading.enforcement"
    )
    assert response.status_code == 400 and _count(Message) == 0
    assert 'name="asserted"' not in response.get_data(as_text=True)
