"""A creditor organisation's webhooks: the endpoints its administrator registers, each
delivery of an event to one of them, and every attempt at it (:mod:`app.webhooks`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.core.pii import EncryptedString
from app.extensions import db


class WebhookEndpoint(db.Model):
    """An HTTPS address of the creditor's own system and the events it wants. The signing
    secret (``whsec_…``) is encrypted at rest and shown to the administrator only once."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_org_id: Mapped[int] = mapped_column(
        ForeignKey("creditor_organisations.id"), index=True
    )
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(EncryptedString())
    # When the secret was shown (once, right after registering); never again after.
    secret_shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due at ``next_attempt_at``
    DELIVERED = "delivered"  # a 2xx answer
    FAILED = "failed"  # every attempt failed


class WebhookDelivery(db.Model):
    """One event for one endpoint: the exact body sent (signed as is) and where its
    attempts stand. A replay is a new delivery of the same body with a new message id."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, 16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    replay_of_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_deliveries.id"))

    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(db.Model):
    """One HTTP request of a delivery: the answer's status (None: no answer), how long it
    took, the error and the first bytes of the answer."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(500), default="")
    response_excerpt: Mapped[str] = mapped_column(String(500), default="")
