"""What the screen may say about who was told: "notified" only when the message went out
at once, otherwise when and how it will (the contact rules may hold a debtor's message
until 08:00, :mod:`app.rules.message_kinds`).

The outbox notes every message it queues during the current request
(:func:`note`); a view that has just run a use case asks for the sentence about the
debtor (:func:`debtor_sentence`). The time shown is the queued message's ``due_at`` on the
legal clock, so the screen and the outbox cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import g, has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import clock
from app.models.notifications import Channel, OutboundMessage

CHANNEL_NAMES = {Channel.SMS: _l("SMS"), Channel.EMAIL: _l("e-mail")}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Queued:
    """One message queued in this request, as the screen needs it (no ORM object: the
    request's commit expires those)."""

    case_id: int | None
    to_debtor: bool
    channel: Channel
    created_at: datetime
    due_at: datetime

    @property
    def at_once(self) -> bool:
        return self.due_at <= self.created_at


def note(message: OutboundMessage) -> None:
    """Remember a queued (or still pending) message for the rest of this request."""
    if not has_app_context():
        return
    queued = g.setdefault("queued_messages", [])
    queued.append(
        Queued(
            case_id=message.case_id,
            to_debtor=message.is_debtor,
            channel=message.channel,
            created_at=message.created_at,
            due_at=message.due_at,
        )
    )


def queued_in_request() -> list[Queued]:
    return list(g.get("queued_messages", [])) if has_app_context() else []


def debtor_sentence() -> str:
    """The truth about the debtor's message queued in this request: "The debtor has been
    notified." when every one went out at once, else when and by which channel the first
    one will; empty when no message to a debtor was queued."""
    messages = [m for m in queued_in_request() if m.to_debtor]
    if not messages:
        return ""
    if all(m.at_once for m in messages):
        return _("The debtor has been notified.")
    first = min(m.due_at for m in messages)
    names = [
        str(CHANNEL_NAMES[c]) for c in sorted({m.channel for m in messages if m.due_at == first})
    ]
    channel = names[0] if len(names) == 1 else _("%(a)s and %(b)s", a=names[0], b=names[1])
    return _(
        "The debtor will be notified by %(channel)s on %(when)s.",
        channel=channel,
        when=format_due(first),
    )


def format_due(moment: datetime) -> str:
    """``12月4日 08:00`` in Chinese, ``4 Dec at 08:00`` in English, on the legal clock."""
    local = clock.local(moment)
    if str(get_locale() or "zh").startswith("zh"):
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.day} {_MONTHS[local.month - 1]} at {local:%H:%M}"


def with_truth(text: str) -> str:
    """``text`` followed by the sentence about the debtor, if any (one flash message)."""
    sentence = debtor_sentence()
    if not sentence:
        return text
    separator = "" if str(get_locale() or "zh").startswith("zh") else " "
    return f"{text}{separator}{sentence}"
