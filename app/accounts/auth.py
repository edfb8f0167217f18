"""Signing in and out, server-side sessions, password changes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, or_, select, update

from app import audit
from app.core import clock
from app.extensions import db
from app.models.auth import LoginAttempt, UserSession
from app.models.users import User
from app.rules.contacts import normalise_login
from app.rules.throttle import ThrottlePolicy, retry_after

_hashers: dict[tuple[int, int], tuple[PasswordHasher, str]] = {}


def _hasher() -> tuple[PasswordHasher, str]:
    """The argon2id hasher for the configured cost, and a dummy hash made with it that is
    verified when the account does not exist, so both paths take the same time."""
    settings = current_app.config["SETTINGS"]
    key = (settings.argon2_time_cost, settings.argon2_memory_kib)
    if key not in _hashers:
        hasher = PasswordHasher(time_cost=key[0], memory_cost=key[1])
        _hashers[key] = (hasher, hasher.hash("not-a-real-password"))
    return _hashers[key]


MIN_PASSWORD_LENGTH = 10


class AuthError(Exception):
    """Sign-in refused; ``code`` says why (the view picks the message)."""

    def __init__(self, code: str, wait: timedelta | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.wait = wait


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(user: User | None, password: str) -> bool:
    hasher, dummy = _hasher()
    try:
        return hasher.verify(user.password_hash if user else dummy, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


def find_user(identifier: str) -> User | None:
    key = normalise_login(identifier)
    if not key:
        return None
    return db.session.scalar(select(User).where(or_(User.email == key, User.phone == key)))


@dataclass(frozen=True)
class SessionLimits:
    policy: ThrottlePolicy
    lifetime: timedelta


def _throttle_wait(key: str, ip: str, now: datetime, policy: ThrottlePolicy) -> timedelta | None:
    since = now - policy.window
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.identifier == key, LoginAttempt.succeeded.is_(True)
        )
    )
    account_since = max(since, last_success) if last_success else since
    by_account = db.session.scalars(
        select(LoginAttempt.at).where(
            LoginAttempt.identifier == key,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > account_since,
        )
    ).all()
    by_ip = db.session.scalars(
        select(LoginAttempt.at).where(
            LoginAttempt.ip == ip, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since
        )
    ).all()
    waits = [
        w for w in (retry_after(by_account, now, policy), retry_after(by_ip, now, policy)) if w
    ]
    return max(waits) if waits else None


def sign_in(
    identifier: str, password: str, *, ip: str, user_agent: str, limits: SessionLimits
) -> tuple[User, str]:
    """Check the credentials and open a server-side session; return the user and token.

    After ``max_failures`` failed attempts for one account or from one address inside the
    window, further attempts are refused with the time to wait, without checking the
    password (so guessing cannot continue during the wait).
    """
    now = clock.now()
    key = normalise_login(identifier)[:254]
    wait = _throttle_wait(key, ip, now, limits.policy)
    if wait is not None:
        raise AuthError("throttled", wait)
    user = find_user(identifier)
    if not verify_password(user, password):
        db.session.add(LoginAttempt(identifier=key, ip=ip, at=now, succeeded=False))
        db.session.commit()
        raise AuthError("bad_credentials")
    assert user is not None
    if user.is_locked:
        raise AuthError("locked")
    db.session.add(LoginAttempt(identifier=key, ip=ip, at=now, succeeded=True))
    token = open_session(user, ip, user_agent, limits.lifetime)
    audit.record("auth:login", actor=user, object_type="user", object_id=user.id, data={"ip": ip})
    db.session.commit()
    return user, token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, ip: str, user_agent: str, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            expires_at=clock.now() + lifetime,
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    user.session_token = token
    return token


def load_session_user(token: str) -> User | None:
    """The user of a live session, or ``None`` if it is unknown, revoked or expired."""
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
        return None
    user = row.user
    user.session_token = token
    return user


def sign_out(user: User, token: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    audit.record("auth:logout", actor=user, object_type="user", object_id=user.id)
    db.session.commit()


def revoke_all_sessions(user: User) -> int:
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return int(result.rowcount or 0)


def change_password(
    user: User, current: str, new: str, *, ip: str, user_agent: str, lifetime: timedelta
) -> str:
    """Replace the password and end every session of the account, this one included;
    the caller continues in a fresh session whose token is returned."""
    if not verify_password(user, current):
        raise AuthError("bad_current_password")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AuthError("password_too_short")
    user.password_hash = hash_password(new)
    user.password_changed_at = clock.now()
    ended = revoke_all_sessions(user)
    token = open_session(user, ip, user_agent, lifetime)
    audit.record(
        "account:password:change",
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"sessions_ended": ended},
    )
    db.session.commit()
    return token


def set_locale(user: User, locale: str) -> None:
    if user.locale == locale:
        return
    user.locale = locale
    audit.record(
        "account:locale:set",
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"locale": locale},
    )
    db.session.commit()
