"""Server-side sessions and login attempts.

A signed cookie alone survives logout (a copy replayed later still works), so the cookie
only carries a random token; the session row decides whether it is still valid.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime
from app.extensions import db
from app.models.users import User


class UserSession(db.Model):
    __tablename__ = "user_sessions"
    # Who else signed in from an address (app.confirmation.collusion).
    __table_args__ = (Index("ix_user_sessions_ip", "ip"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_identifier_at", "identifier", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
        # The global budget counts failures across all addresses by time.
        Index("ix_login_attempts_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class PasswordReset(db.Model):
    """A request to reset a password with a one-time code (:mod:`app.accounts.recovery`).

    Kept by the hash of what was typed, whether or not an account uses it: the send
    limits and the tries are counted on these rows alike for every address, so the
    answers never tell which accounts exist. A request for an unknown address has no
    user and no code (nothing can match)."""

    __tablename__ = "password_resets"
    __table_args__ = (
        Index("ix_password_resets_identifier_created", "identifier_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
