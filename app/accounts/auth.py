"""Signing in and out (with a second factor for accounts under attack), server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from app import audit
from app.accounts.errors import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from app.accounts.errors import (
    AuthError,
    SecondFactorRequired,
    SignInThrottled,
)
from app.audit import AuditAction
from app.core import capacity, clock
from app.core.counters import atomic_increment
from app.core.errors import DomainError
from app.core.transaction import use_case
from app.extensions import db
from app.models.auth import LoginAttempt, UserSession
from app.models.notifications import Channel
from app.models.users import User
from app.rules.contacts import normalise_login
from app.rules.throttle import (
    SignInPolicy,
    ThrottlePolicy,
    needs_second_factor,
    retry_after,
)
from app.signing import reauth
from app.signing.reauth import ReauthError

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
    # Failures from one address, and from all of them, per window (app.rules.throttle).
    address: ThrottlePolicy = SignInPolicy.address
    everyone: ThrottlePolicy = SignInPolicy.everyone

    @property
    def sign_in(self) -> SignInPolicy:
        return SignInPolicy(account=self.policy, address=self.address, everyone=self.everyone)


SIGN_IN_PURPOSE = "sign_in"


def _failures_since(since: datetime, ip: str) -> list[datetime]:
    return list(
        db.session.scalars(
            select(LoginAttempt.at).where(
                LoginAttempt.ip == ip, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since
            )
        )
    )


def _address_wait(ip: str, now: datetime, policy: ThrottlePolicy) -> timedelta | None:
    """How long this address must wait after its failed sign-ins (any accounts)."""
    return retry_after(_failures_since(now - policy.window, ip), now, policy)


def _failures_everywhere(now: datetime, policy: ThrottlePolicy) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.succeeded.is_(False), LoginAttempt.at > now - policy.window)
        )
        or 0
    )


def sign_in(
    identifier: str,
    password: str,
    *,
    ip: str,
    user_agent: str,
    limits: SessionLimits,
    code: str = "",
) -> tuple[User, str]:
    """Check the credentials and open a server-side session; return the user and token.

    Failures never lock an account, only an *address*: after ``address.max_failures``
    failures from one address inside the window, that address waits, and its password
    tries are not checked meanwhile. An account whose password was tried
    ``policy.max_failures`` times since its last sign-in (or once, while the failures
    from everywhere exceed the global budget) asks for a second factor: the right
    password sends a one-time code to the owner's own phone or email
    (:class:`SecondFactorRequired`), and the password with that code signs in, from any
    address. So nobody can lock the owner out, and guessing stays bounded.

    Every try is written down before the password is checked: a failure row (committed
    at once, so simultaneous tries from one address see each other) and the account's
    try number (one UPDATE … RETURNING, :mod:`app.core.counters`). The row becomes the
    success on a sign-in, and is dropped when the right password only earns a code. Call
    it outside any use case (a request does): inside one, the counts would roll back
    with the refusal.
    """
    now = clock.now()
    key = normalise_login(identifier)[:254]
    wait = _address_wait(ip, now, limits.address)
    if wait is not None:
        raise SignInThrottled(wait)
    user = find_user(identifier)
    attempt_id, tries = _count_try(user, key, ip, now)
    # Tries from this address that arrived together with this one are counted now.
    recent = _failures_since(now - limits.address.window, ip)
    if len(recent) > limits.address.max_failures:
        raise SignInThrottled(retry_after(recent, now, limits.address) or limits.address.window)
    if not verify_password(user, password):
        raise AuthError("bad_credentials")
    assert user is not None
    if user.is_locked:
        raise AuthError("locked", status=403)
    if needs_second_factor(tries, _failures_everywhere(now, limits.everyone), limits.sign_in):
        refusal = _second_factor(user, attempt_id, code)
        if refusal is not None:
            raise refusal
    return user, begin_session(
        user, key, ip=ip, user_agent=user_agent, limits=limits, at=now, attempt_id=attempt_id
    )


@use_case
def _count_try(user: User | None, key: str, ip: str, at: datetime) -> tuple[int, int]:
    """Write the try down before the password is checked: a failure row (turned into a
    success or dropped later) and the account's try number; returns both."""
    row = LoginAttempt(identifier=key, ip=ip[:64], at=at, succeeded=False)
    db.session.add(row)
    db.session.flush()
    tries = atomic_increment(User.sign_in_attempts, user.id) if user is not None else 1
    return row.id, tries


def org_name_of(user: User) -> str | None:
    """Who signs a message about the account: its organisation, if it has one."""
    org = user.mediation_org or user.creditor_org
    return org.name if org is not None else None


def _second_factor(user: User, attempt_id: int, code: str) -> DomainError | None:
    """No code given: one is sent (within the send limits) and the sign-in waits for it.
    A code given: one counted try at it. Returns the refusal, its count committed."""
    if not code.strip():
        outcome = _send_sign_in_code(user, attempt_id)
        return SecondFactorRequired(outcome) if isinstance(outcome, Channel) else outcome
    return _answer_sign_in_code(user, code)


@use_case
def _send_sign_in_code(user: User, attempt_id: int) -> Channel | ReauthError:
    """The right password on an account under attack: not a failure (its row goes), but
    no session yet: a code to the owner. A refused send (too soon) is returned."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
    try:
        channel = reauth.send_sign_in_code(user, SIGN_IN_PURPOSE, org_name_of(user))
    except ReauthError as refused:
        return refused
    audit.record(
        AuditAction.AUTH_CODE_SEND,
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"channel": channel.value},
    )
    return channel


@use_case
def _answer_sign_in_code(user: User, code: str) -> ReauthError | None:
    """One counted try at the sign-in code (:func:`app.signing.reauth.attempt`): the
    refusal is returned so the count commits."""
    return reauth.attempt(user, SIGN_IN_PURPOSE, code, password_ok=True)


@use_case
def begin_session(
    user: User,
    key: str,
    *,
    ip: str,
    user_agent: str,
    limits: SessionLimits,
    at: datetime,
    attempt_id: int | None = None,
) -> str:
    """A successful sign-in: the attempt recorded as a success, the account's try count
    back to zero, a new server-side session and the audit event; returns the token."""
    if attempt_id is not None:
        db.session.execute(
            update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=True)
        )
    else:
        db.session.add(LoginAttempt(identifier=key, ip=ip[:64], at=at, succeeded=True))
    db.session.execute(update(User).where(User.id == user.id).values(sign_in_attempts=0))
    user.sign_in_attempts = 0
    token = open_session(user, ip, user_agent, limits.lifetime)
    # The address and the browser (the device) signed in from: evidence the sham-mediation
    # signals compare across parties and cases (app.confirmation.collusion; CPL Art. 115).
    audit.record(
        AuditAction.AUTH_LOGIN,
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"ip": ip, "user_agent": user_agent[:300]},
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
    # The session and its user in one statement: every signed-in request reads both.
    found = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or row.expires_at <= clock.now():
        return None
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
