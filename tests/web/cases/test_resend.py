"""The mediator sends a new invitation link (the old one says it was replaced) and sees the
delivery status of every message sent on the case; the invitation steps survive a reload
and Back (post/redirect/get)."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import AuditEvent, Case, OutboundMessage
from app.models.notifications import Channel, OutboxStatus
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_user
from tests.helpers import Browser, refused
from tests.web.cases.test_invitations import accept, confirm_identity, invitation_token, join

REPLACED = "此链接已被新的链接取代"


@pytest.fixture
def mediator(app: Flask) -> User:
    return make_user(Role.MEDIATOR)


@pytest.fixture
def case(mediator: User) -> Case:
    return make_case(mediator=mediator)


def signed_in(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def resend(browser: Browser, case: Case):
    return browser.submit(f"/cases/{case.id}/invitation/resend", page=f"/cases/{case.id}")


def test_a_new_link_voids_the_old_one_which_says_it_was_replaced(
    app: Flask, mediator: User, case: Case
) -> None:
    staff = signed_in(app, mediator)
    accept(app, mediator, case)
    old = invitation_token()
    answer = resend(staff, case)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/cases/{case.id}/messages"
    new = invitation_token()
    assert new != old

    debtor = Browser(app.test_client())
    gone = debtor.get(f"/invite/{old}")
    assert gone.status_code == 410 and REPLACED in gone.get_data(as_text=True)
    assert debtor.get(f"/invite/{new}").status_code == 200
    confirm_identity(debtor, new)
    assert join(debtor).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == CaseState.NEGOTIATING
    resent = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "invitation:resend")
    ).one()
    assert resent.actor_id == mediator.id and resent.case_id == case.id


def test_a_debtor_half_way_in_on_the_old_link_is_stopped(
    app: Flask, mediator: User, case: Case
) -> None:
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())  # identity confirmed on the old link
    resend(signed_in(app, mediator), case)
    page = debtor.get("/invite/join")
    assert page.status_code == 410 and REPLACED in page.get_data(as_text=True)


def test_the_new_invitation_follows_the_contact_rules(
    app: Flask, mediator: User, case: Case, frozen_clock
) -> None:
    accept(app, mediator, case)
    evening = datetime(2026, 12, 1, 22, 30, tzinfo=clock.legal_tz())  # quiet hours
    frozen_clock.move_to(evening)
    resend(signed_in(app, mediator), case)
    db.session.expire_all()
    newest = db.session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.template == "invitation")
        .order_by(OutboundMessage.id.desc())
        .limit(2)
    ).all()
    morning = datetime(2026, 12, 2, 8, 0, tzinfo=clock.legal_tz())
    assert [m.due_at for m in newest] == [morning, morning]


def test_only_the_cases_mediator_may_resend_or_see_the_messages(
    app: Flask, mediator: User, case: Case
) -> None:
    accept(app, mediator, case)
    old = invitation_token()
    colleague = make_user(Role.MEDIATOR, mediation_org_id=case.mediation_org_id)
    creditor = make_user(Role.CREDITOR, creditor_org_id=case.creditor_org_id)
    for other, status in ((colleague, 404), (creditor, 403)):
        browser = signed_in(app, other)
        assert resend(browser, case).status_code == status
        assert browser.get(f"/cases/{case.id}/messages").status_code == status
    assert invitation_token() == old  # nothing was sent
    assert Browser(app.test_client()).get(f"/invite/{old}").status_code == 200


def test_no_new_link_once_the_debtor_has_joined(app: Flask, mediator: User, case: Case) -> None:
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())
    join(debtor)
    staff = signed_in(app, mediator)
    assert resend(staff, case).status_code == 404
    assert staff.get(f"/cases/{case.id}/messages").status_code == 200  # still readable


def test_the_mediator_sees_each_messages_delivery_status(
    app: Flask, mediator: User, case: Case
) -> None:
    accept(app, mediator, case)
    db.session.expire_all()
    email, sms = (
        db.session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.case_id == case.id, OutboundMessage.channel == channel
            )
        ).one()
        for channel in (Channel.EMAIL, Channel.SMS)
    )
    email.status, email.sent_at, email.attempts = OutboxStatus.SENT, clock.now(), 1
    sms.status, sms.attempts = OutboxStatus.FAILED, 5
    db.session.commit()

    page = signed_in(app, mediator).get(f"/cases/{case.id}/messages").get_data(as_text=True)
    assert page.count('class="delivery delivery-sent"') == 1
    assert page.count('class="delivery delivery-failed"') == 1
    assert "已于 2026年12月1日 10:30 发送" in page
    assert "尝试 5 次后发送失败" in page
    assert f"债务人 {case.debtor_name}" in page
    assert case.debtor_phone not in page and case.debtor_email not in page  # masked
    assert case.debtor_phone[-4:] in page


def test_a_queued_message_says_when_it_goes_out(
    app: Flask, mediator: User, case: Case, frozen_clock
) -> None:
    frozen_clock.move_to(datetime(2026, 12, 1, 22, 30, tzinfo=clock.legal_tz()))
    accept(app, mediator, case)
    page = signed_in(app, mediator).get(f"/cases/{case.id}/messages").get_data(as_text=True)
    assert page.count('class="delivery delivery-queued"') == 2
    assert "将于 2026年12月2日 08:00 发送" in page


def test_the_case_page_offers_the_resend_while_the_debtor_is_invited(
    app: Flask, mediator: User, case: Case
) -> None:
    accept(app, mediator, case)
    page = signed_in(app, mediator).get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'action="/cases/{case.id}/invitation/resend"' in page
    assert f'href="/cases/{case.id}/messages"' in page


# --- reload and Back: post/redirect/get on the invitation steps -----------------------


def test_reloading_the_identity_step_shows_it_again(app: Flask, mediator: User, case) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    page = Browser(app.test_client()).get(f"/invite/{token}/identity")
    assert page.status_code == 200
    assert f'action="/invite/{token}/identity"' in page.get_data(as_text=True)


def test_a_wrong_answer_redirects_to_the_step_with_the_choice_and_the_error(
    app: Flask, mediator: User, case
) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    debtor = Browser(app.test_client())
    answer = debtor.submit(
        f"/invite/{token}/identity",
        {"id_suffix": "000000", "channel": "email"},
        page=f"/invite/{token}",
        follow_refusal=False,
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/invite/{token}/identity"
    page = debtor.get(answer.headers["Location"]).get_data(as_text=True)
    assert "与登记的信息不一致" in page
    assert 'value="email" checked' in page  # the choice is kept
    assert "000000" not in page  # the answer to the secret question is not
    again = debtor.get(f"/invite/{token}/identity").get_data(as_text=True)
    assert "与登记的信息不一致" not in again  # shown once: a reload shows the step fresh


def test_the_code_step_and_the_join_step_survive_a_reload(app: Flask, mediator: User, case) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    debtor = Browser(app.test_client())
    sent = debtor.submit(
        f"/invite/{token}/identity",
        {"id_suffix": "31002X", "channel": "sms"},
        page=f"/invite/{token}",
    )
    assert sent.status_code == 302 and sent.headers["Location"] == f"/invite/{token}/code"
    assert debtor.get(f"/invite/{token}/code").status_code == 200
    assert debtor.get(f"/invite/{token}/code").status_code == 200
    wrong = debtor.submit(f"/invite/{token}/code", {"code": "x"}, page="/login")
    assert refused(wrong) and "验证码不正确" in wrong.get_data(as_text=True)
    confirm_identity(debtor, token)
    refusal = debtor.submit(
        "/invite/join",
        {"password": "short", "confirm": "short", "consent": ["e_service"]},
        page="/invite/join",
    )
    html = refusal.get_data(as_text=True)
    assert refused(refusal) and 'value="e_service" checked' in html
    assert 'value="share_creditor" checked' not in html
    assert debtor.get("/invite/join").status_code == 200


def test_a_refused_sign_in_keeps_the_identifier_never_the_password(app: Flask) -> None:
    user = make_user()
    browser = Browser(app.test_client())
    answer = browser.submit(
        "/login",
        {"identifier": user.email, "password": "a wrong one"},
        follow_refusal=False,
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/login"
    page = browser.get("/login").get_data(as_text=True)
    assert f'value="{user.email}"' in page and "a wrong one" not in page
    assert "密码不正确" in page
    assert user.email not in browser.get("/login").get_data(as_text=True)  # once


def test_the_messages_page_is_guarded(app: Flask, case: Case) -> None:
    assert Browser(app.test_client()).get(f"/cases/{case.id}/messages").status_code == 302
    debtor = signed_in(app, make_user(Role.DEBTOR))
    assert debtor.get(f"/cases/{case.id}/messages").status_code == 403
