"""What the mediator sees of the messages sent on a case: for each one, to whom, by which
channel and to which (masked) address, and whether it is queued (and until when), sent
(when) or failed (after how many attempts). Read from the outbox rows, which are also the
contact log (:mod:`app.notifications.outbox`); addresses stay masked (PIPL Art. 51)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.models.users import User
from app.rules.contacts import mask_email, mask_phone

STATUS_LABELS = {
    OutboxStatus.QUEUED: _l("Queued"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
}
CHANNEL_LABELS = {Channel.EMAIL: _l("Email"), Channel.SMS: _l("SMS")}


@dataclass(frozen=True)
class Delivery:
    subject: str
    recipient: str
    channel: str
    address: str
    status: str
    status_key: str
    queued_at: datetime
    due_at: datetime
    sent_at: datetime | None
    attempts: int


def masked(channel: Channel, address: str) -> str:
    return mask_email(address) if channel == Channel.EMAIL else mask_phone(address)


def _recipient(message: OutboundMessage, case: Case, users: dict[int, User]) -> str:
    if message.is_debtor:
        return str(_l("Debtor %(name)s", name=case.debtor_name))
    user = users.get(message.recipient_user_id or 0)
    if user is None:
        return "—"
    if user.id == case.mediator_id:
        return str(_l("Mediator %(name)s", name=user.name))
    return str(_l("%(org)s: %(name)s", org=case.creditor_org.name, name=user.name))


def deliveries_of(case: Case) -> list[Delivery]:
    """Every message queued on ``case``, newest first."""
    rows = list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.case_id == case.id)
            .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
        )
    )
    ids = {r.recipient_user_id for r in rows if r.recipient_user_id is not None}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return [
        Delivery(
            subject=r.subject,
            recipient=_recipient(r, case, users),
            channel=str(CHANNEL_LABELS[r.channel]),
            address=masked(r.channel, r.address),
            status=str(STATUS_LABELS[r.status]),
            status_key=r.status.value,
            queued_at=r.created_at,
            due_at=r.due_at,
            sent_at=r.sent_at,
            attempts=r.attempts,
        )
        for r in rows
    ]
