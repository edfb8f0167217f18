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
from app.accounts.errors import MIN_PASSWORD_LENGTH, AccountInvalid, AuthError, SignInThrottled
from app.audit import AuditAction
from app.core import capacity, clock
from app.core.transaction import use_case
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


@capacity.bounded("password")  # argon2 is CPU-bound: a host-wide cap (app/core/capacity.py)
def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


@capacity.bounded("password")
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

    Not one use case but the entry to two: a wrong password is refused *and* remembered.
    The failure is committed by its own use case (:func:`record_failed_sign_in`) before
    the refusal is raised, so the throttle counts it although the sign-in fails; a
    successful sign-in is :func:`begin_session`. Call it outside any use case (a request
    does): inside one, the failure would roll back with the refusal.
    """
    now = clock.now()
    key = normalise_login(identifier)[:254]
    wait = _throttle_wait(key, ip, now, limits.policy)
    if wait is not None:
        raise SignInThrottled(wait)
    user = find_user(identifier)
    if not verify_password(user, password):
        record_failed_sign_in(key, ip, now)
        raise AuthError("bad_credentials")
    assert user is not None
    if user.is_locked:
        raise AuthError("locked", status=403)
    return user, begin_session(user, key, ip=ip, user_agent=user_agent, limits=limits, at=now)


@use_case
def record_failed_sign_in(key: str, ip: str, at: datetime) -> None:
    """Remember a failed attempt for the throttle (its own transaction: it must outlive
    the refusal it causes)."""
    db.session.add(LoginAttempt(identifier=key, ip=ip, at=at, succeeded=False))


@use_case
def begin_session(
    user: User, key: str, *, ip: str, user_agent: str, limits: SessionLimits, at: datetime
) -> str:
    """A successful sign-in: the attempt (it resets the account's failure count), a new
    server-side session and the audit event; returns the session token."""
    db.session.add(LoginAttempt(identifier=key, ip=ip, at=at, succeeded=True))
    token = open_session(user, ip, user_agent, limits.lifetime)
    audit.record(
        AuditAction.AUTH_LOGIN, actor=user, object_type="user", object_id=user.id, data={"ip": ip}
    )
    return token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@use_case
def open_session(user: User, ip: str, user_agent: str, lifetime: timedelta) -> str:
    """A new server-side session for ``user``; returns its token (only its hash is kept)."""
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


@use_case
def sign_out(user: User, token: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    audit.record(AuditAction.AUTH_LOGOUT, actor=user, object_type="user", object_id=user.id)


@use_case
def revoke_all_sessions(user: User) -> int:
    """End every open session of ``user``; returns how many were open."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return int(result.rowcount or 0)


@use_case
def change_password(
    user: User, current: str, new: str, *, ip: str, user_agent: str, lifetime: timedelta
) -> str:
    """Replace the password and end every session of the account, this one included;
    the caller continues in a fresh session whose token is returned."""
    if not verify_password(user, current):
        raise AccountInvalid("bad_current_password", "current")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountInvalid("password_too_short", "new")
    user.password_hash = hash_password(new)
    user.password_changed_at = clock.now()
    ended = revoke_all_sessions(user)
    token = open_session(user, ip, user_agent, lifetime)
    audit.record(
        AuditAction.ACCOUNT_PASSWORD_CHANGE,
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"sessions_ended": ended},
    )
    return token


@use_case
def set_locale(user: User, locale: str) -> None:
    if user.locale == locale:
        return
    user.locale = locale
    audit.record(
        AuditAction.ACCOUNT_LOCALE_SET,
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"locale": locale},
    )
