"""Signing in and out through the real HTTP stack, including the attacks on it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import func, select

from app.accounts import auth as auth_service
from app.accounts.errors import AuthError, SecondFactorRequired, SignInThrottled
from app.core import clock
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import LoginAttempt, UserSession
from app.models.notifications import OutboundMessage
from app.models.users import Role
from app.rules.throttle import ThrottlePolicy
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser

HOMES = {
    Role.CREDITOR: "/creditor",
    Role.DEBTOR: "/debtor",
    Role.MEDIATOR: "/docket",
    Role.ADMIN: "/admin/",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_home_page(browser: Browser, role: Role) -> None:
    user = make_user(role)
    response = browser.login(user.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == HOMES[role]
    page = browser.get(HOMES[role])
    assert page.status_code == 200
    assert user.name in page.get_data(as_text=True)


def test_sign_in_with_a_mobile_number_in_any_common_spelling(browser: Browser) -> None:
    make_user(phone="13912345678")
    response = browser.login("+86 139-1234-5678", PASSWORD)
    assert response.headers["Location"] == "/debtor"


def test_email_is_case_insensitive(browser: Browser) -> None:
    user = make_user(email="mixed@example.com")
    assert browser.login("Mixed@Example.COM", PASSWORD).status_code == 302
    assert user.id


def test_wrong_password_and_unknown_account_get_the_same_clear_message(browser: Browser) -> None:
    user = make_user()
    wrong = browser.login(user.email, "not the password")
    unknown = browser.login("nobody@example.com", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "邮箱/手机号或密码不正确" in html
        assert 'role="alert"></div>' not in html  # no empty notice above the page
    assert browser.get("/debtor").status_code == 302  # still anonymous


def test_locked_account_is_told_so_after_a_correct_password(browser: Browser) -> None:
    user = make_user(is_locked=True)
    response = browser.login(user.email, PASSWORD)
    assert "此账户已被锁定" in response.get_data(as_text=True)
    assert browser.get("/debtor").status_code == 302


def test_an_address_with_ten_failures_waits_even_with_the_right_password(
    browser: Browser,
) -> None:
    user = make_user()
    for _ in range(10):
        assert browser.login(user.email, "wrong").status_code == 200
    refused = browser.login(user.email, PASSWORD)  # this address must wait
    assert refused.status_code == 429
    assert "请等待 15 分钟后再试" in refused.get_data(as_text=True)
    # The first failure was a moment ago (the clock ticks): the wait is about 15 minutes.
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert browser.get("/debtor").status_code == 302


def _failures() -> int:
    return db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
    )


@pytest.mark.commits  # "only what was committed remains" needs real commits
def test_a_failed_attempt_is_stored_although_the_sign_in_is_refused(browser: Browser) -> None:
    user = make_user()
    assert browser.login(user.email, "wrong").status_code == 200
    db.session.rollback()  # only what was committed remains
    assert _failures() == 1


def test_the_service_commits_the_failure_and_still_refuses(app: Flask) -> None:
    user = make_user()
    limits = auth_service.SessionLimits(
        policy=ThrottlePolicy(max_failures=2),
        lifetime=timedelta(hours=1),
        address=ThrottlePolicy(max_failures=3),
    )
    sign_in = {"ip": "10.0.0.1", "user_agent": "test", "limits": limits}
    with app.test_request_context(), pytest.raises(AuthError) as refused:
        auth_service.sign_in(user.email, "wrong", **sign_in)
    assert refused.value.code == "bad_credentials"
    db.session.rollback()
    assert _failures() == 1
    with app.test_request_context(), pytest.raises(AuthError):
        auth_service.sign_in(user.email, "wrong again", **sign_in)
    with app.test_request_context(), pytest.raises(SecondFactorRequired):
        auth_service.sign_in(user.email, PASSWORD, **sign_in)  # the account asks for a code
    assert _failures() == 2  # the right password is no failure
    with app.test_request_context(), pytest.raises(AuthError):
        auth_service.sign_in("nobody@example.com", "wrong", **sign_in)
    with app.test_request_context():
        with pytest.raises(SignInThrottled) as throttled:
            auth_service.sign_in(user.email, PASSWORD, **sign_in)
        assert throttled.value.status == 429
        assert "请等待 15 分钟后再试" in throttled.value.message
    assert _failures() == 3  # a refused wait is not another failure


def test_throttle_lifts_when_the_failures_age_out(browser: Browser) -> None:
    user = make_user()
    past = clock.now() - timedelta(minutes=16)
    for _ in range(5):
        db.session.add(
            LoginAttempt(identifier=user.email, ip="127.0.0.1", at=past, succeeded=False)
        )
    db.session.commit()
    assert browser.login(user.email, PASSWORD).status_code == 302


def test_one_address_guessing_many_accounts_is_throttled(browser: Browser) -> None:
    victims = [make_user() for _ in range(10)]
    for victim in victims:
        browser.login(victim.email, "wrong")
    fresh = make_user()
    assert browser.login(fresh.email, PASSWORD).status_code == 429


def test_form_without_csrf_token_is_refused_clearly(client) -> None:
    user = make_user()
    response = client.post("/login", data={"identifier": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_forged_session_cookie_is_ignored(app, client) -> None:
    user = make_user()
    db.session.add(
        UserSession(
            token_hash="0" * 64,
            user_id=user.id,
            expires_at=clock.now() + timedelta(hours=1),
            ip="x",
            user_agent="x",
        )
    )
    db.session.commit()
    other = app.__class__("forger")
    other.secret_key = "guessed-wrong-key"
    forged = SecureCookieSessionInterface().get_signing_serializer(other).dumps({"_user_id": "t"})
    client.set_cookie("concord_session", forged)
    response = client.get("/debtor")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_cookie_copied_before_logout_no_longer_works_after_it(app, browser: Browser) -> None:
    user = make_user()
    browser.login(user.email, PASSWORD)
    stolen = browser.client.get_cookie("concord_session").value
    assert browser.get("/debtor").status_code == 200
    assert browser.logout().status_code == 302
    thief = app.test_client()
    thief.set_cookie("concord_session", stolen)
    response = thief.get("/debtor")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_session_id_is_rotated_at_sign_in(browser: Browser) -> None:
    user = make_user()
    browser.get("/login")
    before = browser.client.get_cookie("concord_session").value
    browser.login(user.email, PASSWORD)
    after = browser.client.get_cookie("concord_session").value
    assert before != after
    tokens = db.session.scalars(
        select(UserSession.token_hash).where(UserSession.user_id == user.id)
    )
    assert len(list(tokens)) == 1


def test_session_cookie_flags(browser: Browser) -> None:
    user = make_user()
    response = browser.login(user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    ("next_param", "expected"),
    [
        ("/account/", "/account/"),
        ("https://evil.example/phish", "/debtor"),
        ("//evil.example/phish", "/debtor"),
        ("/\\evil.example", "/debtor"),
        ("javascript:alert(1)", "/debtor"),
    ],
)
def test_next_only_follows_same_site_paths(
    browser: Browser, next_param: str, expected: str
) -> None:
    user = make_user()
    response = browser.login(user.email, PASSWORD, query="?next=" + quote(next_param, safe=""))
    assert response.headers["Location"] == expected


def test_password_change_signs_out_every_other_session(app, browser: Browser) -> None:
    user = make_user()
    other_device = Browser(app.test_client())
    other_device.login(user.email, PASSWORD)
    assert other_device.get("/debtor").status_code == 200

    browser.login(user.email, PASSWORD)
    response = browser.submit(
        "/account/password",
        {"current": PASSWORD, "new": "a much newer secret", "confirm": "a much newer secret"},
        page="/account/",
    )
    assert response.status_code == 302
    assert browser.get("/debtor").status_code == 200  # this device continues
    assert other_device.get("/debtor").status_code == 302  # the other one is out
    assert browser.logout().status_code == 302
    assert browser.login(user.email, PASSWORD).status_code == 200  # old password refused
    assert browser.login(user.email, "a much newer secret").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id))
    assert "account:password:change" in list(actions)


def test_password_change_with_wrong_current_password_rerenders_with_message(
    browser: Browser,
) -> None:
    user = make_user()
    browser.login(user.email, PASSWORD)
    response = browser.submit(
        "/account/password",
        {"current": "wrong", "new": "a much newer secret", "confirm": "a much newer secret"},
        page="/account/",
    )
    assert response.status_code == 400
    assert "当前密码不正确" in response.get_data(as_text=True)
    assert browser.logout().status_code == 302
    assert browser.login(user.email, PASSWORD).status_code == 302


def test_password_change_refuses_short_or_mismatched_passwords(browser: Browser) -> None:
    user = make_user()
    browser.login(user.email, PASSWORD)
    short = browser.submit(
        "/account/password",
        {"current": PASSWORD, "new": "short", "confirm": "short"},
        page="/account/",
    )
    assert short.status_code == 400
    mismatch = browser.submit(
        "/account/password",
        {"current": PASSWORD, "new": "long enough one", "confirm": "long enough two"},
        page="/account/",
    )
    assert mismatch.status_code == 400


def test_logout_needs_post_with_token(browser: Browser) -> None:
    user = make_user()
    browser.login(user.email, PASSWORD)
    assert browser.get("/logout").status_code == 405
    assert browser.client.post("/logout").status_code == 400
    assert browser.get("/debtor").status_code == 200


def _change_password(browser: Browser, current: str, new: str = "a much newer secret"):
    return browser.submit(
        "/account/password", {"current": current, "new": new, "confirm": new}, page="/account/"
    )


def test_a_common_new_password_is_refused(browser: Browser) -> None:
    user = make_user()
    browser.login(user.email, PASSWORD)
    refused = _change_password(browser, PASSWORD, "password123")
    assert refused.status_code == 400
    assert "最常见的密码" in refused.get_data(as_text=True)
    assert _change_password(browser, PASSWORD, "晴天 bicycle 2026 灯笼").status_code == 302


def test_five_wrong_current_passwords_pause_the_changes_and_tell_the_owner(
    browser: Browser, frozen_clock
) -> None:
    user = make_user(phone=None, email="owner@example.com")
    browser.login(user.email, PASSWORD)
    for _ in range(4):
        assert _change_password(browser, "wrong").status_code == 400
    fifth = _change_password(browser, "wrong")
    assert fifth.status_code == 429
    assert "当前密码输错次数过多" in fifth.get_data(as_text=True)
    refused = _change_password(browser, PASSWORD)  # even the right one waits
    assert refused.status_code == 429
    db.session.expire_all()
    assert db.session.get(type(user), user.id).password_check_attempts == 6
    told = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.template == "password_checks_paused")
    ).one()
    assert told.address == "owner@example.com" and "暂停" in told.body
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert "account:password:checks_pause" in actions
    frozen_clock.move_to(clock.now() + timedelta(minutes=16))
    assert _change_password(browser, PASSWORD).status_code == 302
