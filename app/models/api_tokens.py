"""A creditor organisation's API tokens (``/api/v1``) and the answers kept for their
``Idempotency-Key`` requests.

Only the SHA-256 of a token's secret is stored (the secret is high-entropy, so a plain
hash is enough: nothing to guess by brute force); the secret itself is shown once, when
the organisation's administrator creates the token (:mod:`app.accounts.api_tokens`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime
from app.extensions import db
from app.models.users import User


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_org_id: Mapped[int] = mapped_column(
        ForeignKey("creditor_organisations.id"), index=True
    )
    # The administrator who created it: the API acts as this account (its permissions,
    # its name in the audit log); a token whose creator is locked stops working.
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the secret (``cnc_AbCd``), to recognise it in the list.
    prefix: Mapped[str] = mapped_column(String(16))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Space-separated scopes (app.api.auth.SCOPES).
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotentRequest(db.Model):
    """The first answer to a POST with an ``Idempotency-Key`` (per token): the same key
    with the same body gets it again; with another body, 409."""

    __tablename__ = "api_idempotent_requests"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, the path and the body.
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
