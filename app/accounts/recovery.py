"""Account recovery: a forgotten password is reset with a one-time code sent to the
account's own phone or email, then a new password; every session of the account ends.

The answers never tell whether an account uses the address typed (PIPL Art. 51: the
platform must not disclose who is a party to a debt dispute). Every request is kept by
the hash of the address (:class:`app.models.auth.PasswordReset`), known or not, and the
send limits (one a minute, five an hour: :func:`app.signing.reauth.check_send_limit`) and
the tries (five per code, ten minutes: the limits of every other code) are counted on
those rows alike. A request for an unknown address sends nothing and has no code, so
every code typed for it is wrong, exactly as a wrong code for a real account.

The message is *requested* (the person asked for it on the sign-in page): it is due at
once, at any hour (:func:`app.notifications.outbox.queue_message`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app import audit
from app.accounts.auth import find_user, hash_password, org_name_of, revoke_all_sessions
from app.accounts.errors import AccountInvalid
from app.audit import AuditAction
from app.core import clock
from app.core.counters import atomic_increment
from app.core.errors import DomainError, InvalidInput
from app.core.transaction import use_case
from app.extensions import db
from app.models.auth import PasswordReset
from app.models.notifications import Channel
from app.models.users import User
from app.notifications.outbox import queue_message
from app.notifications.texts import common as messages
from app.rules.contacts import normalise_login
from app.rules.passwords import password_problem
from app.rules.throttle import tries_used_up, try_allowed
from app.signing.reauth import CODE_MINUTES, MAX_TRIES, ReauthError, check_send_limit


class RecoveryInvalid(InvalidInput):
    """What was typed on the reset forms cannot be used; ``field`` names the input."""

    messages = {
        "identifier_required": _l("Enter the email address or mobile number of your account."),
        "passwords_differ": _l("The two passwords differ."),
    }


def _digest(secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def login_key(identifier: str) -> str:
    """The canonical address typed (an email in lower case, or a mobile number)."""
    return normalise_login(identifier)[:254]


def channel_for(key: str) -> Channel:
    """The code goes where the address typed points: an email, else an SMS."""
    return Channel.EMAIL if "@" in key else Channel.SMS


def request_reset(identifier: str, *, ip: str) -> Channel:
    """Send a reset code to ``identifier`` if an account uses it; returns the channel the
    code would go by. Refused alike for every address: nothing typed
    (:class:`RecoveryInvalid`), or the send limits of that address used up
    (:class:`app.signing.reauth.CodeSendThrottled`)."""
    key = login_key(identifier)
    if not key:
        raise RecoveryInvalid("identifier_required", "identifier")
    return _request_reset(key, ip)


@use_case
def _request_reset(key: str, ip: str) -> Channel:
    now = clock.now()
    digest = _digest(key)
    check_send_limit(_sent_times(digest, now), "identifier")
    for old in _open_requests(digest):
        old.consumed_at = now  # only the newest code counts
    channel = channel_for(key)
    user = find_user(key)
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.session.add(
        PasswordReset(
            identifier_hash=digest,
            user_id=user.id if user is not None else None,
            channel=channel.value,
            code_hash=_digest(code) if user is not None else None,
            ip=ip[:64],
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
        )
    )
    if user is not None:
        _send_code(user, key, channel, code)
    return channel


def _send_code(user: User, address: str, channel: Channel, code: str) -> None:
    subject, body = messages.password_reset_code(
        org_name_of(user), code, CODE_MINUTES, channel=channel
    )
    queue_message(
        address=address,
        channel=channel,
        template="password_reset_code",
        subject=subject,
        body=body,
        recipient_user_id=user.id,
        # About the account, not a debt: no case; the person asked for it, so at once.
        requested_by_recipient=True,
    )
    audit.record(
        AuditAction.ACCOUNT_PASSWORD_RESET_CODE,
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"channel": channel.value},
    )


def _sent_times(digest: str, now: datetime) -> list[datetime]:
    return list(
        db.session.scalars(
            select(PasswordReset.created_at).where(
                PasswordReset.identifier_hash == digest,
                PasswordReset.created_at > now - timedelta(hours=1),
            )
        )
    )


def _open_requests(digest: str) -> list[PasswordReset]:
    return list(
        db.session.scalars(
            select(PasswordReset)
            .where(PasswordReset.identifier_hash == digest, PasswordReset.consumed_at.is_(None))
            .order_by(PasswordReset.id.desc())
        )
    )


def reset_password(key: str, code: str, new: str, confirm: str, *, ip: str) -> None:
    """The newest code sent for ``key`` (ten minutes, five tries) and a new password: the
    password is replaced and every session of the account ends. The new password is
    checked first (nothing secret compared yet, nothing to count); a wrong code's try is
    committed by its own use case before the refusal is raised, so call this outside any
    use case (a request does)."""
    if new != confirm:
        raise RecoveryInvalid("passwords_differ", "confirm")
    problem = password_problem(new)
    if problem is not None:
        raise AccountInvalid(problem, "new")
    refusal = _reset_password(key, code, new, ip)
    if refusal is not None:
        raise refusal


@use_case
def _reset_password(key: str, code: str, new: str, ip: str) -> DomainError | None:
    requests = _open_requests(_digest(key))
    row = requests[0] if requests else None
    if row is None:
        return ReauthError("no_code", "code")
    if row.expires_at <= clock.now():
        return ReauthError("code_expired", "code")
    tries = atomic_increment(PasswordReset.attempts, row.id)  # counted before judged
    if not try_allowed(tries, MAX_TRIES):
        return ReauthError("code_locked", "code")
    right = row.code_hash is not None and hmac.compare_digest(row.code_hash, _digest(code.strip()))
    user = db.session.get(User, row.user_id) if right and row.user_id else None
    if user is None:
        used_up = tries_used_up(tries, MAX_TRIES)
        return ReauthError("code_locked" if used_up else "code_wrong", "code")
    now = clock.now()
    row.consumed_at = now
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(sign_in_attempts=0, password_check_attempts=0, password_check_started_at=None)
    )
    ended = revoke_all_sessions(user)
    audit.record(
        AuditAction.ACCOUNT_PASSWORD_RESET,
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"channel": row.channel, "sessions_ended": ended, "ip": ip},
    )
    return None
