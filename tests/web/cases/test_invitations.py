"""The mediator accepts; the debtor is invited, proves who they are, consents and joins —
or declines. Links work once and expire; codes expire and allow five tries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import AuditEvent, Case, Consent, Invitation, OneTimeCode, OutboundMessage
from app.models.notifications import Channel
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_user
from tests.helpers import Browser, refused

DEBTOR_PASSWORD = "my own secret 2026"


@pytest.fixture
def mediator(app: Flask) -> User:
    return make_user(Role.MEDIATOR)


@pytest.fixture
def case(mediator: User) -> Case:
    return make_case(mediator=mediator)


def accept(app: Flask, mediator: User, case: Case):
    browser = Browser(app.test_client())
    browser.login(mediator.email, PASSWORD)
    return browser.submit(f"/cases/{case.id}/accept", page=f"/cases/{case.id}")


def _messages(channel: Channel | None = None) -> list[OutboundMessage]:
    db.session.expire_all()
    stmt = select(OutboundMessage).order_by(OutboundMessage.id)
    if channel:
        stmt = stmt.where(OutboundMessage.channel == channel)
    return list(db.session.scalars(stmt))


def invitation_token() -> str:
    body = [m for m in _messages(Channel.EMAIL) if m.template == "invitation"][-1].body
    match = re.search(r"/invite/([A-Za-z0-9_\-]+)", body)
    assert match
    return match.group(1)


def latest_code() -> str:
    body = [m for m in _messages() if m.template == "one_time_code"][-1].body
    match = re.search(r"(?<![\d-])(\d{6})(?!\d)", body)  # not the HZ-2026-000001 reference
    assert match
    return match.group(1)


def confirm_identity(debtor: Browser, token: str, suffix: str = "31002X"):
    page = f"/invite/{token}"
    debtor.submit(f"/invite/{token}/identity", {"id_suffix": suffix, "channel": "sms"}, page=page)
    return debtor.submit(f"/invite/{token}/code", {"code": latest_code()}, page=page)


def join(debtor: Browser, consents=("share_organisation", "share_creditor", "e_service")):
    return debtor.submit(
        "/invite/join",
        {"password": DEBTOR_PASSWORD, "confirm": DEBTOR_PASSWORD, "consent": list(consents)},
        page="/invite/join",
    )


def test_accepting_invites_the_debtor_by_email_and_sms(app: Flask, mediator, case) -> None:
    assert accept(app, mediator, case).status_code == 302
    db.session.refresh(case)
    assert case.state == CaseState.INVITED
    email, sms = _messages(Channel.EMAIL)[0], _messages(Channel.SMS)[0]
    assert email.address == "debtor@example.com" and sms.address == "13800138001"
    for message in (email, sms):
        assert case.reference in message.body
        assert case.mediation_org.name in message.body
        assert "/invite/" in message.body
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    assert invitation_token() not in invitation.token_hash


def test_the_whole_way_in(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    debtor = Browser(app.test_client())
    start = debtor.get(f"/invite/{token}")
    assert start.status_code == 200 and case.reference in start.get_data(as_text=True)
    assert confirm_identity(debtor, token).headers["Location"] == "/invite/join"
    response = join(debtor)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.id}"
    page = debtor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "31,800.00" in page and "11010519491231002X" not in page
    db.session.expire_all()
    assert case.state == CaseState.NEGOTIATING
    user = db.session.get(User, case.debtor_user_id)
    assert user.role == Role.DEBTOR and user.phone == "13800138001"
    kinds = {c.kind: c.text_version for c in db.session.scalars(select(Consent))}
    assert kinds == {
        "share_organisation": "2026-11",
        "share_creditor": "2026-11",
        "e_service": "2026-11",
    }
    again = Browser(app.test_client())
    assert again.login("13800138001", DEBTOR_PASSWORD).headers["Location"] == "/debtor"


def test_the_link_works_once(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    confirm_identity(Browser(app.test_client()), token)
    second = Browser(app.test_client())
    response = second.get(f"/invite/{token}")
    assert response.status_code == 410
    assert "已被使用" in response.get_data(as_text=True)


def test_an_expired_link_is_refused(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    invitation = db.session.scalars(select(Invitation)).one()
    invitation.expires_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    response = Browser(app.test_client()).get(f"/invite/{invitation_token()}")
    assert response.status_code == 410
    assert "已过期" in response.get_data(as_text=True)


def test_an_unknown_link_is_404(app: Flask) -> None:
    assert Browser(app.test_client()).get("/invite/not-a-real-token").status_code == 404


def test_five_wrong_id_answers_revoke_the_link(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    debtor = Browser(app.test_client())
    for _ in range(4):
        r = debtor.submit(
            f"/invite/{token}/identity",
            {"id_suffix": "000000", "channel": "sms"},
            page=f"/invite/{token}",
        )
        assert refused(r)
    fifth = debtor.submit(
        f"/invite/{token}/identity", {"id_suffix": "000000", "channel": "sms"}, page="/login"
    )
    assert fifth.status_code == 410
    assert debtor.get(f"/invite/{token}").status_code == 410


def test_a_sixth_code_attempt_is_refused_even_if_right(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    debtor = Browser(app.test_client())
    debtor.submit(
        f"/invite/{token}/identity",
        {"id_suffix": "31002x", "channel": "sms"},
        page=f"/invite/{token}",
    )
    code = latest_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert refused(debtor.submit(f"/invite/{token}/code", {"code": wrong}, page="/login"))
    sixth = debtor.submit(f"/invite/{token}/code", {"code": code}, page="/login")
    assert refused(sixth)
    assert "错误次数过多" in sixth.get_data(as_text=True)
    assert db.session.scalars(select(OneTimeCode)).one().attempts == 6  # counted, unjudged


def test_a_code_expires_after_ten_minutes(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    debtor = Browser(app.test_client())
    debtor.submit(
        f"/invite/{token}/identity",
        {"id_suffix": "31002X", "channel": "email"},
        page=f"/invite/{token}",
    )
    otp = db.session.scalars(select(OneTimeCode)).one()
    assert otp.expires_at - otp.created_at == timedelta(minutes=10)
    otp.expires_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    response = debtor.submit(f"/invite/{token}/code", {"code": latest_code()}, page="/login")
    assert refused(response)
    assert "已过期" in response.get_data(as_text=True)


def test_joining_needs_the_required_consents(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())
    response = join(debtor, consents=("e_service",))
    assert refused(response)
    db.session.expire_all()
    assert case.state == CaseState.INVITED
    assert db.session.scalars(select(Consent)).all() == []


def test_the_debtor_may_decline_which_closes_the_case(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())
    empty = debtor.submit("/invite/decline", {"reason": " "}, page="/invite/join")
    assert refused(empty)
    response = debtor.submit("/invite/decline", {"reason": "已经还清"}, page="/invite/join")
    assert response.status_code == 302 and response.headers["Location"] == "/invite/declined"
    assert debtor.get("/invite/declined").status_code == 200  # a reload shows it again
    assert debtor.get("/invite/declined").status_code == 200
    db.session.expire_all()
    assert case.state == CaseState.CLOSED_NOT_MEDIATED
    assert case.close_reason == "已经还清"
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id))
    )
    assert {
        "case:accept",
        "case:invite",
        "invitation:identity:confirm",
        "case:debtor:decline",
    } <= actions


def test_a_debtor_sees_only_their_own_case(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())
    join(debtor)
    other = make_case(
        mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=make_user(Role.DEBTOR).id
    )
    assert debtor.get(f"/cases/{other.id}").status_code == 404
    assert debtor.get(f"/cases/{case.id}").status_code == 200


def test_only_the_assigned_mediator_may_accept(app: Flask, case) -> None:
    colleague = make_user(Role.MEDIATOR, mediation_org_id=case.mediation_org_id)
    browser = Browser(app.test_client())
    browser.login(colleague.email, PASSWORD)
    assert browser.submit(f"/cases/{case.id}/accept", page="/login").status_code == 404
    db.session.refresh(case)
    assert case.state == CaseState.SUBMITTED


def test_decline_needs_a_reason_and_passes_the_case_on(app: Flask, mediator, case) -> None:
    successor = make_user(Role.MEDIATOR, mediation_org_id=case.mediation_org_id)
    browser = Browser(app.test_client())
    browser.login(mediator.email, PASSWORD)
    browser.submit(f"/cases/{case.id}/decline", {"reason": ""}, page="/login")
    db.session.refresh(case)
    assert case.mediator_id == mediator.id
    browser.submit(f"/cases/{case.id}/decline", {"reason": "与债权人有利害关系"}, page="/login")
    db.session.refresh(case)
    assert case.mediator_id == successor.id and case.state == CaseState.SUBMITTED


def test_deadlines_follow_the_stage(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    db.session.refresh(case)
    invitation = db.session.scalars(select(Invitation)).one()
    assert case.next_deadline == (invitation.expires_at + timedelta(hours=8)).date()
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())
    join(debtor)
    db.session.refresh(case)
    assert case.next_deadline == (case.accepted_at + timedelta(days=30, hours=8)).date()


def test_the_two_passwords_must_match(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())
    response = debtor.submit(
        "/invite/join",
        {
            "password": DEBTOR_PASSWORD,
            "confirm": DEBTOR_PASSWORD + "x",
            "consent": ["share_organisation", "share_creditor", "e_service"],
        },
        page="/invite/join",
    )
    assert refused(response)
    assert "两次输入的密码不一致" in response.get_data(as_text=True)
    db.session.expire_all()
    assert case.state == CaseState.INVITED and case.debtor_user_id is None
    assert db.session.scalars(select(User).where(User.role == Role.DEBTOR)).all() == []


def test_a_password_too_short_names_the_minimum(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())
    response = debtor.submit(
        "/invite/join",
        {
            "password": "short",
            "confirm": "short",
            "consent": ["share_organisation", "share_creditor", "e_service"],
        },
        page="/invite/join",
    )
    assert refused(response)
    assert "请至少使用 10 个字符" in response.get_data(as_text=True)
    db.session.expire_all()
    assert case.state == CaseState.INVITED


def test_choosing_no_channel_is_not_a_wrong_answer(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    debtor = Browser(app.test_client())
    response = debtor.submit(
        f"/invite/{token}/identity", {"id_suffix": "000000"}, page=f"/invite/{token}"
    )
    assert refused(response)
    assert "请选择验证码的接收方式" in response.get_data(as_text=True)
    assert db.session.scalars(select(Invitation)).one().id_attempts == 0


def test_a_wrong_answer_is_counted_although_it_is_refused(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    debtor = Browser(app.test_client())
    response = debtor.submit(
        f"/invite/{token}/identity",
        {"id_suffix": "000000", "channel": "sms"},
        page=f"/invite/{token}",
    )
    assert refused(response)
    assert "与登记的信息不一致" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(Invitation)).one().id_attempts == 1
    assert db.session.scalars(select(OneTimeCode)).all() == []


def test_declining_mediation_needs_a_reason(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())
    response = debtor.submit("/invite/decline", {"reason": " "}, page="/invite/join")
    assert refused(response)
    assert "请填写理由" in response.get_data(as_text=True)
    db.session.expire_all()
    assert case.state == CaseState.INVITED


def test_the_step_after_the_code_needs_a_confirmed_identity(app: Flask) -> None:
    response = Browser(app.test_client()).get("/invite/join")
    assert response.status_code == 410
    assert "该链接无效" in response.get_data(as_text=True)


def test_a_mediator_declining_without_a_reason_is_told_why(app: Flask, mediator, case) -> None:
    browser = Browser(app.test_client())
    browser.login(mediator.email, PASSWORD)
    response = browser.submit(f"/cases/{case.id}/decline", {"reason": ""}, page="/login")
    assert refused(response)  # a 303 back to the case page, which says why
    assert "请填写理由" in response.get_data(as_text=True)
    db.session.refresh(case)
    assert case.mediator_id == mediator.id and case.state == CaseState.SUBMITTED


def test_a_new_invitation_code_waits_a_minute(app: Flask, mediator, case, frozen_clock) -> None:
    accept(app, mediator, case)
    token = invitation_token()
    debtor = Browser(app.test_client())
    page = f"/invite/{token}"
    answer = {"id_suffix": "31002X", "channel": "sms"}
    assert debtor.submit(f"/invite/{token}/identity", answer, page=page).status_code == 302
    again = debtor.submit(f"/invite/{token}/identity", answer, page=page)
    assert refused(again)
    assert "验证码刚刚已发送" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(OneTimeCode)).all()) == 1
    frozen_clock.move_to(clock.now() + timedelta(seconds=61))
    assert debtor.submit(f"/invite/{token}/identity", answer, page=page).status_code == 302


def test_a_common_password_is_refused_when_joining(app: Flask, mediator, case) -> None:
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())
    response = debtor.submit(
        "/invite/join",
        {
            "password": "password123",
            "confirm": "password123",
            "consent": ["share_organisation", "share_creditor", "e_service"],
        },
        page="/invite/join",
    )
    assert refused(response)
    assert "最常见的密码" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.role == Role.DEBTOR)) is None


def test_an_existing_accounts_password_is_counted_when_joining(app: Flask, mediator, case) -> None:
    existing = make_user(Role.DEBTOR, phone=case.debtor_phone, email=None)
    accept(app, mediator, case)
    debtor = Browser(app.test_client())
    confirm_identity(debtor, invitation_token())

    def join_with(password: str):
        return debtor.submit(
            "/invite/join",
            {
                "password": password,
                "confirm": password,
                "consent": ["share_organisation", "share_creditor", "e_service"],
            },
            page="/invite/join",
        )

    for _ in range(4):
        assert refused(join_with("not my password"))
    assert "输错次数过多" in join_with("not my password").get_data(as_text=True)
    paused = join_with(PASSWORD)  # the right one waits too
    assert refused(paused)
    assert "输错次数过多" in paused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, existing.id).password_check_attempts == 6
    assert db.session.get(Case, case.id).debtor_user_id is None
