"""The channels that carry an outbound message: email and SMS, each with backends.

``MAIL_BACKEND`` picks ``smtp``, ``file`` or ``console``; ``SMS_BACKEND`` picks ``file`` or
``console``. A real SMS gateway plugs in with :func:`register_sender`. A backend is looked
up when a message is sent, so a misconfigured one fails loudly at the first delivery
instead of silently dropping messages.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from app.config import ConfigurationError, Settings
from app.core import clock
from app.models.notifications import Channel, OutboundMessage

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 30

Sender = Callable[[OutboundMessage, Settings], None]
SENDERS: dict[tuple[Channel, str], Sender] = {}


def register_sender(channel: Channel, backend: str, sender: Sender) -> None:
    """Make ``sender`` the way ``channel`` messages go out when its backend is ``backend``."""
    SENDERS[(channel, backend)] = sender


def backend_for(channel: Channel, settings: Settings) -> str:
    return settings.mail_backend if channel == Channel.EMAIL else settings.sms_backend


def send(message: OutboundMessage, settings: Settings) -> None:
    """Hand ``message`` to its channel's configured backend; raise if it was not accepted."""
    backend = backend_for(message.channel, settings)
    sender = SENDERS.get((message.channel, backend))
    if sender is None:
        known = sorted(b for (c, b) in SENDERS if c == message.channel)
        setting = "MAIL_BACKEND" if message.channel == Channel.EMAIL else "SMS_BACKEND"
        raise ConfigurationError(
            f"{setting}={backend!r} is not a known {message.channel.value} backend "
            f"(known: {', '.join(known)})"
        )
    sender(message, settings)


def build_email(message: OutboundMessage, settings: Settings) -> EmailMessage:
    """A UTF-8 email: RFC 2047 encoded subject, text body, our own Message-ID."""
    email = EmailMessage()
    email["From"] = settings.mail_sender
    email["To"] = message.address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(clock.now())
    email["Message-ID"] = make_msgid(domain=_sender_domain(settings.mail_sender))
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to us
    email.set_content(message.body, charset="utf-8")
    if message.attachment_text is not None:
        _attach(email, message)
    return email


def _attach(email: EmailMessage, message: OutboundMessage) -> None:
    """The message's text attachment (a session's .ics), its media type's parameters
    (``method=REQUEST``) kept, as RFC 5545 §8.1 registers them for text/calendar."""
    media_type, _, rest = (message.attachment_type or "application/octet-stream").partition(";")
    maintype, _, subtype = media_type.strip().partition("/")
    params = dict(
        (key.strip(), value.strip())
        for key, _, value in (part.partition("=") for part in rest.split(";") if part.strip())
    )
    params.setdefault("charset", "utf-8")
    email.add_attachment(
        (message.attachment_text or "").encode("utf-8"),
        maintype=maintype,
        subtype=subtype,
        filename=message.attachment_name or "attachment",
        params=params,
    )


def _sender_domain(sender: str) -> str:
    _, address = parseaddr(sender)
    return address.rpartition("@")[2] or "concord.invalid"


def _smtp(message: OutboundMessage, settings: Settings) -> None:
    email = build_email(message, settings)
    with smtplib.SMTP(settings.mail_host, settings.mail_port, timeout=SMTP_TIMEOUT_SECONDS) as s:
        s.send_message(email)


def _block(message: OutboundMessage, settings: Settings) -> str:
    """One readable block per message for the file and console backends, stamped on the
    legal clock."""
    stamp = clock.local(clock.now()).isoformat(timespec="seconds")
    sender = f"From: {settings.mail_sender}\n" if message.channel == Channel.EMAIL else ""
    if message.attachment_name:
        sender += f"Attachment: {message.attachment_name} ({message.attachment_type})\n"
    return (
        f"==== {stamp} {message.channel.value} #{message.id} ====\n"
        f"{sender}To: {message.address}\n"
        f"Subject: {message.subject}\n"
        f"Template: {message.template}  Case: {message.case_id or '-'}\n"
        f"\n{message.body.rstrip()}\n\n"
    )


def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)  # one write per block: concurrent writers do not interleave lines


def _file(name: str) -> Sender:
    def write(message: OutboundMessage, settings: Settings) -> None:
        _append(Path(settings.instance_path) / "outbox" / name, _block(message, settings))

    return write


def _console(message: OutboundMessage, settings: Settings) -> None:
    log.info("outbound message (console backend)\n%s", _block(message, settings))


register_sender(Channel.EMAIL, "smtp", _smtp)
register_sender(Channel.EMAIL, "file", _file("mail.log"))
register_sender(Channel.EMAIL, "console", _console)
register_sender(Channel.SMS, "file", _file("sms.log"))
register_sender(Channel.SMS, "console", _console)
