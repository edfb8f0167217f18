"""Re-authentication at the moment of signing (电子签名法 Art. 13): the signer proves again
that the signing means are theirs alone — their password and a one-time code sent to their
own phone or email, valid ten minutes, five tries, usable once.

The signing use case asks :func:`attempt` inside its transaction: a right answer uses the
code up together with the signature; a wrong one is counted, and the use case commits the
count before it refuses, so retrying cannot reset it. The password itself is checked by
the caller (``app.accounts.auth.verify_password``, a layer above this one) and passed in
as ``password_ok``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.counters import atomic_increment
from app.core.errors import InvalidInput
from app.core.format import local_datetime
from app.extensions import db
from app.models.cases import Case
from app.models.invitations import OneTimeCode
from app.models.notifications import Channel
from app.models.users import Role, User
from app.notifications.outbox import queue_message
from app.notifications.texts import common as messages
from app.rules.throttle import code_send_wait, tries_used_up, try_allowed

CODE_MINUTES = 10
MAX_TRIES = 5


class ReauthError(InvalidInput):
    """Re-authentication refused; ``code`` names why. The signing form is shown again
    with the words (422, as every refused signing form)."""

    status = 422
    messages = {
        "no_channel": _l("There is no phone or email on your account to send a code to."),
        "no_code": _l("Ask for a one-time code first."),
        "code_expired": _l("The code has expired. Ask for a new one."),
        "code_locked": _l("Too many wrong tries. Ask for a new code."),
        "code_wrong": _l("The one-time code is not right."),
        "password_wrong": _l("The password is not right."),
    }


class CodeSendThrottled(ReauthError):
    """A code for this purpose was sent a moment ago (one a minute, five an hour:
    :data:`app.rules.throttle.CODE_SEND_LIMITS`); ``at`` is when the next one may be
    asked for."""

    status = 429
    default_code = "code_send_wait"

    def __init__(self, at: datetime, field: str | None = "code") -> None:
        super().__init__("code_send_wait", field)
        self.at = at

    @property
    def message(self) -> str:
        return str(
            _l(
                "A code was sent a moment ago. You can ask for a new one from %(time)s.",
                time=local_datetime(self.at),
            )
        )


def _digest(secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def channels_of(user: User) -> list[Channel]:
    """Where a code can reach this user, phone first."""
    return [c for c, a in ((Channel.SMS, user.phone), (Channel.EMAIL, user.email)) if a]


def check_send_limit(sent: list[datetime], field: str | None = "code") -> None:
    """Refuse one more code when ``sent`` (the earlier codes' times, same person and
    purpose) already use the send limits."""
    now = clock.now()
    wait = code_send_wait(sent, now)
    if wait is not None:
        raise CodeSendThrottled(now + wait, field)


def _sent_times(user: User, purpose: str) -> list[datetime]:
    since = clock.now() - timedelta(hours=1)
    return list(
        db.session.scalars(
            select(OneTimeCode.created_at).where(
                OneTimeCode.user_id == user.id,
                OneTimeCode.purpose == purpose,
                OneTimeCode.created_at > since,
            )
        )
    )


def _issue(user: User, purpose: str, channel: Channel | None) -> tuple[Channel, str]:
    """A fresh code for ``purpose`` (earlier unused ones for it stop working), within the
    send limits; returns the channel and the code to send."""
    available = channels_of(user)
    if not available or (channel is not None and channel not in available):
        raise ReauthError("no_channel")
    check_send_limit(_sent_times(user, purpose))
    channel = channel or available[0]
    now = clock.now()
    for old in _open_codes(user, purpose):
        old.consumed_at = now
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.session.add(
        OneTimeCode(
            purpose=purpose,
            user_id=user.id,
            code_hash=_digest(code),
            channel=channel.value,
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
        )
    )
    return channel, code


def _address(user: User, channel: Channel) -> str:
    return (user.phone if channel == Channel.SMS else user.email) or ""


def send_code(user: User, case: Case, purpose: str, channel: Channel | None = None) -> Channel:
    """A fresh code for ``purpose`` (earlier unused ones for it stop working), queued at
    once: the signer asked for it, so quiet hours do not delay it (it still counts).
    Written in the caller's use case; the outbox delivers it after the commit."""
    channel, code = _issue(user, purpose, channel)
    subject, body = messages.one_time_code(
        case.mediation_org.name, case.reference, code, CODE_MINUTES, channel=channel
    )
    queue_message(
        address=_address(user, channel),
        channel=channel,
        template="signing_code",
        subject=subject,
        body=body,
        case_id=case.id,
        recipient_user_id=user.id,
        to_debtor=user.role == Role.DEBTOR,
        requested_by_recipient=True,
    )
    return channel


def send_sign_in_code(user: User, purpose: str, org_name: str | None) -> Channel:
    """The second factor of a sign-in: a fresh code for ``purpose`` to the account's own
    phone (else email), queued at once (the person signing in asked for it). Written in
    the caller's use case."""
    channel, code = _issue(user, purpose, None)
    subject, body = messages.sign_in_code(org_name, code, CODE_MINUTES, channel=channel)
    queue_message(
        address=_address(user, channel),
        channel=channel,
        template="sign_in_code",
        subject=subject,
        body=body,
        recipient_user_id=user.id,
        # About the account, not a debt: no case, so not a contact the debtor rules count.
        requested_by_recipient=True,
    )
    return channel


def _open_codes(user: User, purpose: str) -> list[OneTimeCode]:
    return list(
        db.session.scalars(
            select(OneTimeCode)
            .where(
                OneTimeCode.user_id == user.id,
                OneTimeCode.purpose == purpose,
                OneTimeCode.consumed_at.is_(None),
            )
            .order_by(OneTimeCode.id.desc())
        )
    )


def attempt(user: User, purpose: str, code: str, *, password_ok: bool) -> ReauthError | None:
    """One try at the password (checked by the caller) and the newest code for
    ``purpose``, in the caller's use case. The try is counted in the database before
    anything is compared (:func:`app.core.counters.atomic_increment`), so tries arriving
    together are counted one by one and only the first five are judged. Right: None, and
    the code is used up (a replay finds nothing to match; a signature that is not saved
    leaves it usable). Wrong: the refusal, and the try stays counted: the caller lets its
    use case commit the count, then raises the refusal (raising inside would roll the
    count back, and retrying would reset it)."""
    codes = _open_codes(user, purpose)
    otp = codes[0] if codes else None
    if otp is None:
        return ReauthError("no_code", "code")
    if otp.expires_at <= clock.now():
        return ReauthError("code_expired", "code")
    tries = atomic_increment(OneTimeCode.attempts, otp.id)
    if not try_allowed(tries, MAX_TRIES):
        return ReauthError("code_locked", "code")
    code_ok = hmac.compare_digest(otp.code_hash, _digest(code.strip()))
    if password_ok and code_ok:
        otp.consumed_at = clock.now()
        return None
    if tries_used_up(tries, MAX_TRIES):
        return ReauthError("code_locked", "code")
    if not password_ok:
        return ReauthError("password_wrong", "password")
    return ReauthError("code_wrong", "code")
