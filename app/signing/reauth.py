"""Re-authentication at the moment of signing (电子签名法 Art. 13; BRIEF §6): the signer
proves again that the signing means are theirs alone — their password and a one-time code
sent to their own phone or email, valid ten minutes, five tries, usable once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts.auth import verify_password
from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.invitations import OneTimeCode
from app.models.notifications import Channel
from app.models.users import Role, User
from app.notifications.outbox import queue_message
from app.notifications.texts import common as messages

CODE_MINUTES = 10
MAX_TRIES = 5


class ReauthError(Exception):
    """Re-authentication refused; ``code`` names why: ``no_channel``, ``no_code``,
    ``code_expired``, ``code_locked``, ``code_wrong``, ``password_wrong``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _digest(secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def channels_of(user: User) -> list[Channel]:
    """Where a code can reach this user, phone first."""
    return [c for c, a in ((Channel.SMS, user.phone), (Channel.EMAIL, user.email)) if a]


def send_code(user: User, case: Case, purpose: str, channel: Channel | None = None) -> Channel:
    """A fresh code for ``purpose`` (earlier unused ones for it stop working), queued at
    once: the signer asked for it, so quiet hours do not delay it (it still counts)."""
    available = channels_of(user)
    if not available or (channel is not None and channel not in available):
        raise ReauthError("no_channel")
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
    subject, body = messages.one_time_code(
        case.mediation_org.name, case.reference, code, CODE_MINUTES, channel=channel
    )
    queue_message(
        address=user.phone if channel == Channel.SMS else user.email,  # type: ignore[arg-type]
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


def check(user: User, purpose: str, password: str, code: str) -> None:
    """Password and the newest code for ``purpose``. A wrong answer counts a try and is
    committed (so retrying cannot reset it); success consumes the code in the caller's
    transaction, so a replayed code finds nothing to match."""
    codes = _open_codes(user, purpose)
    otp = codes[0] if codes else None
    if otp is None:
        raise ReauthError("no_code")
    if otp.expires_at <= clock.now():
        raise ReauthError("code_expired")
    if otp.attempts >= MAX_TRIES:
        raise ReauthError("code_locked")
    password_ok = verify_password(user, password)
    code_ok = hmac.compare_digest(otp.code_hash, _digest(code.strip()))
    if not (password_ok and code_ok):
        otp.attempts += 1
        db.session.commit()
        if otp.attempts >= MAX_TRIES:
            raise ReauthError("code_locked")
        raise ReauthError("password_wrong" if not password_ok else "code_wrong")
    otp.consumed_at = clock.now()
