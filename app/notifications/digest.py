"""Case notices held by quiet hours for the same debtor go out as one digest.

Several notices on a debtor's own cases (app.rules.message_kinds) held overnight all fall
due at 08:00; one message saying "N new developments" serves the debtor better than a
burst of SMS at once. Only notices the contact rules held are merged — those queued for
the same address and channel and due at the same moment — so a notice that goes out at
once is never delayed or changed. The notices stay in the outbox as the contact log,
``merged`` into the digest that carried them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.notifications import OutboundMessage, OutboxStatus
from app.notifications.texts.common import case_digest
from app.rules.message_kinds import MessageKind

TEMPLATE = "case_digest"


def held_notices_with(message: OutboundMessage) -> list[OutboundMessage]:
    """The other held case notices to ``message``'s debtor address and channel due at the
    same moment (locked on PostgreSQL, like the message itself); empty when ``message`` is
    not a held case notice."""
    if not (
        message.is_debtor
        and message.kind is MessageKind.CASE_NOTICE
        and message.due_at > message.created_at
        and message.attachment_name is None  # its file would be lost in a digest
    ):
        return []
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.status == OutboxStatus.QUEUED,
                OutboundMessage.is_debtor.is_(True),
                OutboundMessage.kind == MessageKind.CASE_NOTICE,
                OutboundMessage.address == message.address,
                OutboundMessage.channel == message.channel,
                OutboundMessage.due_at == message.due_at,
                OutboundMessage.created_at < OutboundMessage.due_at,
                OutboundMessage.attachment_name.is_(None),
                OutboundMessage.id != message.id,
            )
            .order_by(OutboundMessage.id)
            .with_for_update(skip_locked=True)
        )
    )


def carrier_for(
    notices: list[OutboundMessage], moment: datetime, public_url: str
) -> OutboundMessage:
    """The digest message (added and flushed, not yet sent) carrying ``notices``."""
    lead = notices[0]
    case_ids = sorted({n.case_id for n in notices if n.case_id is not None})
    cases = [db.session.get(Case, case_id) for case_id in case_ids]
    found = [case for case in cases if case is not None]
    org = found[0].mediation_org.name if found else ""
    link = f"{public_url}/cases/{case_ids[0]}" if len(case_ids) == 1 else f"{public_url}/"
    subject, body = case_digest(
        org, [case.reference for case in found], len(notices), link, channel=lead.channel
    )
    carrier = OutboundMessage(
        case_id=lead.case_id,
        recipient_user_id=lead.recipient_user_id,
        recipient_key=lead.recipient_key,
        is_debtor=True,
        kind=MessageKind.CASE_NOTICE,
        channel=lead.channel,
        address=lead.address,
        template=TEMPLATE,
        subject=subject,
        body=body,
        created_at=moment,
        due_at=moment,
        status=OutboxStatus.QUEUED,
        attempts=0,
    )
    db.session.add(carrier)
    db.session.flush()
    return carrier
