"""A forgotten password is reset with a one-time code sent to the account's own phone or
email; the answers never tell whether an account uses the address typed; the code has the
limits of every other code (one a minute, five an hour; five tries, ten minutes)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import AuditEvent, OutboundMessage, PasswordReset
from app.models.notifications import Channel
from app.models.users import Role, User
from app.rules.contacts import mask_email
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser, refused

NEW_PASSWORD = "a brand new secret 2026"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
SENT = "我们已向其发送 6 位验证码"


def _reset_messages() -> list[OutboundMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.template == "password_reset_code")
            .order_by(OutboundMessage.id)
        )
    )


def _code() -> str:
    match = CODE.search(_reset_messages()[-1].body)
    assert match
    return match.group(1)


def ask(browser: Browser, identifier: str):
    return browser.submit(
        "/login/forgot", {"identifier": identifier}, page="/login/forgot", follow_redirects=True
    )


def reset(browser: Browser, code: str, new: str = NEW_PASSWORD, confirm: str | None = None):
    data = {"code": code, "new": new, "confirm": new if confirm is None else confirm}
    return browser.submit("/login/reset", data, page="/login/reset")


@pytest.fixture
def user(app: Flask) -> User:
    return make_user(Role.DEBTOR)


def test_a_code_by_email_resets_the_password_and_ends_every_session(app: Flask, user: User) -> None:
    elsewhere = Browser(app.test_client())
    assert elsewhere.login(user.email, PASSWORD).status_code == 302
    assert elsewhere.get("/debtor").status_code == 200

    browser = Browser(app.test_client())
    page = ask(browser, user.email.upper())  # typed as the person likes
    assert SENT in page.get_data(as_text=True)
    message = _reset_messages()[-1]
    assert (message.channel, message.address) == (Channel.EMAIL, user.email)
    assert message.due_at == message.created_at  # requested: sent at once
    assert message.case_id is None

    done = reset(browser, _code())
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "您的密码已更改" in browser.get("/login").get_data(as_text=True)

    assert elsewhere.get("/debtor").status_code == 302  # the old session ended
    assert browser.login(user.email, PASSWORD).status_code == 200  # the old password: refused
    assert browser.login(user.email, NEW_PASSWORD).status_code == 302
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id))
    )
    assert {"account:password:reset_code", "account:password:reset"} <= actions


def test_a_mobile_number_gets_the_code_by_sms(app: Flask, user: User) -> None:
    browser = Browser(app.test_client())
    ask(browser, user.phone)
    message = _reset_messages()[-1]
    assert (message.channel, message.address) == (Channel.SMS, user.phone)
    assert reset(browser, _code()).status_code == 302


def test_a_used_code_does_not_work_twice(app: Flask, user: User, frozen_clock) -> None:
    browser = Browser(app.test_client())
    ask(browser, user.email)
    code = _code()
    assert reset(browser, code).status_code == 302
    frozen_clock.move_to(clock.now() + timedelta(seconds=61))
    other = Browser(app.test_client())
    ask(other, user.email)  # a new request (a new code), then the old code
    assert code != _code()
    assert refused(reset(other, code))


def test_five_wrong_codes_use_the_code_up(app: Flask, user: User) -> None:
    browser = Browser(app.test_client())
    ask(browser, user.email)
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(4):
        page = reset(browser, wrong)
        assert refused(page) and "验证码不正确" in page.get_data(as_text=True)
    fifth = reset(browser, wrong)
    assert "错误次数过多" in fifth.get_data(as_text=True)
    sixth = reset(browser, right)
    assert refused(sixth) and "错误次数过多" in sixth.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(PasswordReset)).one().attempts == 6  # counted, unjudged
    assert browser.login(user.email, PASSWORD).status_code == 302  # password unchanged


def test_a_second_code_within_a_minute_is_refused_then_allowed(
    app: Flask, user: User, frozen_clock
) -> None:
    browser = Browser(app.test_client())
    ask(browser, user.email)
    again = ask(browser, user.email)
    assert "验证码刚刚已发送" in again.get_data(as_text=True)
    assert len(_reset_messages()) == 1
    frozen_clock.move_to(clock.now() + timedelta(seconds=61))
    assert SENT in ask(browser, user.email).get_data(as_text=True)
    assert len(_reset_messages()) == 2


def test_an_unknown_address_gets_the_same_answers(app: Flask, user: User, frozen_clock) -> None:
    def answers(identifier: str) -> list[str]:
        browser = Browser(app.test_client())
        first = ask(browser, identifier).get_data(as_text=True)
        code_page = reset(browser, "000000").get_data(as_text=True)
        again = ask(browser, identifier).get_data(as_text=True)
        return [
            _notice(first).replace(mask_email(identifier), "<address>"),
            _notice(code_page),
            _notice(again),
        ]

    known = answers(user.email)
    unknown = answers("nobody-here@example.com")
    assert unknown == known
    assert SENT in unknown[0] and "验证码不正确" in unknown[1] and "验证码刚刚已发送" in unknown[2]
    assert all(m.address == user.email for m in _reset_messages())  # nothing to the stranger


def _notice(html: str) -> str:
    """The words of the page's notice (flash or refusal)."""
    found = re.search(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no notice on the page"
    return " ".join(found.group(1).split())


def test_the_reset_step_without_a_request_goes_back_to_the_first(app: Flask) -> None:
    response = Browser(app.test_client()).get("/login/reset")
    assert response.status_code == 302 and response.headers["Location"] == "/login/forgot"


def test_a_weak_or_mistyped_new_password_is_refused_before_the_code_is_tried(
    app: Flask, user: User
) -> None:
    browser = Browser(app.test_client())
    ask(browser, user.email)
    code = _code()
    assert "两次输入的密码不一致" in reset(browser, code, confirm="other").get_data(as_text=True)
    assert "最常见的密码" in reset(browser, code, new="password123").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(PasswordReset)).one().attempts == 0
    assert reset(browser, code).status_code == 302


def test_neither_the_code_nor_the_password_is_kept_across_the_redirect(
    app: Flask, user: User
) -> None:
    browser = Browser(app.test_client())
    ask(browser, user.email)
    answer = reset_refused_without_following(browser)
    assert answer.status_code == 303
    with browser.client.session_transaction() as session:
        kept = repr(dict(session))
    assert "123456" not in kept and NEW_PASSWORD not in kept
    page = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "123456" not in page and NEW_PASSWORD not in page
    assert "验证码不正确" in page or "错误次数过多" in page


def reset_refused_without_following(browser: Browser):
    data = {"code": "123456", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    if _code() == "123456":  # the one case where this code would be right
        data["code"] = "654321"
    return browser.submit("/login/reset", data, page="/login/reset", follow_refusal=False)


def test_nothing_typed_is_refused_with_a_message(app: Flask) -> None:
    page = Browser(app.test_client()).submit(
        "/login/forgot", {"identifier": "  "}, page="/login/forgot"
    )
    assert refused(page) and "请输入您账户的电子邮箱或手机号码" in page.get_data(as_text=True)


def test_the_sign_in_page_links_to_the_reset(app: Flask) -> None:
    page = Browser(app.test_client()).get("/login").get_data(as_text=True)
    assert 'href="/login/forgot"' in page and "忘记密码" in page
