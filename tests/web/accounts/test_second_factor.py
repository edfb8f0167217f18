"""Failed sign-ins never lock the owner out: they make the failing *address* wait, and
make the account ask for a second factor (a one-time code to the owner's phone or email)
that the owner, with the password, can always give — from any address."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import AuditEvent, OneTimeCode, OutboundMessage
from app.models.auth import LoginAttempt
from app.models.users import Role, User
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser
from tests.helpers import refused as refused_by_redirect

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
ASKS_CODE = "本次登录还需要验证码"


def browser_at(app: Flask, address: str) -> Browser:
    client: FlaskClient = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def login(browser: Browser, user: User, password: str = PASSWORD, code: str | None = None):
    data = {"identifier": user.email, "password": password}
    if code is not None:
        data["code"] = code
    return browser.submit("/login", data)


def sign_in_code(user: User) -> str:
    db.session.expire_all()
    body = db.session.scalars(
        select(OutboundMessage.body)
        .where(
            OutboundMessage.template == "sign_in_code",
            OutboundMessage.recipient_user_id == user.id,
        )
        .order_by(OutboundMessage.id.desc())
    ).first()
    assert body, "no sign-in code was sent"
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", body)
    assert match
    return match.group(1)


def attack(app: Flask, user: User, times: int, address: str = ATTACKER) -> Browser:
    attacker = browser_at(app, address)
    for _ in range(times):
        login(attacker, user, "not the password")
    return attacker


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(app: Flask) -> None:
    user = make_user(Role.MEDIATOR)
    attacker = attack(app, user, 10)
    assert login(attacker, user, PASSWORD).status_code == 429  # the attacking address waits
    owner = browser_at(app, OWNER)
    asked = login(owner, user)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert ASKS_CODE in page and 'name="code"' in page
    assert owner.get("/docket").status_code == 302  # not signed in on the password alone
    signed_in = login(owner, user, code=sign_in_code(user))
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/docket"
    assert owner.get("/docket").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).sign_in_attempts == 0  # the account is calm again


def test_the_second_factor_is_asked_after_five_failures_and_then_works(app: Flask) -> None:
    user = make_user()
    for n in range(5):  # five addresses, one failure each: no address waits
        attack(app, user, 1, address=f"192.0.2.{n + 1}")
    owner = browser_at(app, OWNER)
    assert ASKS_CODE in login(owner, user).get_data(as_text=True)
    message = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.template == "sign_in_code")
    ).one()
    assert message.address == user.phone or message.address == user.email
    assert message.due_at <= clock.now()  # requested: sent at once
    assert "登录验证码" in message.body
    wrong_password = login(owner, user, "not the password", code=sign_in_code(user))
    assert wrong_password.status_code == 200 and owner.get("/debtor").status_code == 302
    assert login(owner, user, code=sign_in_code(user)).headers["Location"] == "/debtor"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"auth:code:send", "auth:login"} <= actions


def test_without_failures_no_code_is_asked(app: Flask) -> None:
    user = make_user()
    attack(app, user, 4)
    assert login(browser_at(app, OWNER), user).status_code == 302


def test_a_wrong_code_is_counted_and_five_use_the_code_up(app: Flask) -> None:
    user = make_user()
    attack(app, user, 5, address="192.0.2.9")
    owner = browser_at(app, OWNER)
    login(owner, user)
    right = sign_in_code(user)
    wrong = "000000" if right != "000000" else "111111"
    first = login(owner, user, code=wrong)
    assert first.status_code == 200
    assert "验证码不正确" in first.get_data(as_text=True)
    for _ in range(4):
        login(owner, user, code=wrong)
    db.session.expire_all()
    otp = db.session.scalars(select(OneTimeCode).where(OneTimeCode.purpose == "sign_in")).one()
    assert otp.attempts == 5
    refused = login(owner, user, code=right)
    assert "错误次数过多" in refused.get_data(as_text=True)
    assert owner.get("/debtor").status_code == 302


def test_a_second_code_within_a_minute_is_refused_with_the_time(app: Flask, frozen_clock) -> None:
    user = make_user()
    attack(app, user, 5, address="192.0.2.9")
    owner = browser_at(app, OWNER)
    login(owner, user)
    again = login(owner, user)
    page = again.get_data(as_text=True)
    assert refused_by_redirect(again)
    assert "验证码刚刚已发送" in page
    assert len(db.session.scalars(select(OneTimeCode)).all()) == 1
    frozen_clock.move_to(clock.now() + timedelta(seconds=61))
    assert ASKS_CODE in login(owner, user).get_data(as_text=True)


def test_while_the_global_budget_is_spent_an_account_with_one_failure_asks(app: Flask) -> None:
    now = clock.now()
    db.session.add_all(
        LoginAttempt(
            identifier=f"x{n}@example.com", ip=f"10.9.{n // 250}.{n % 250}", at=now, succeeded=False
        )
        for n in range(100)
    )
    db.session.commit()
    once = make_user()
    attack(app, once, 1)
    calm = make_user()
    assert ASKS_CODE in login(browser_at(app, OWNER), once).get_data(as_text=True)
    assert login(browser_at(app, OWNER), calm).status_code == 302
