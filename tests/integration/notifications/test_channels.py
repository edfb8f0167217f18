"""Channels: a real SMTP server on loopback receives our UTF-8 mail; the file backends
write readable blocks; an unknown backend is a configuration error."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from app.config import ConfigurationError
from app.extensions import db
from app.models.cases import Case
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.notifications import channels
from app.notifications.outbox import deliver_due, queue_message
from app.notifications.texts import common as messages
from tests.integration.notifications.conftest import beijing, use_settings

LINK = "http://127.0.0.1:5000/invite/tok-123"


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every envelope it is given."""

    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(e.original_content, policy=policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_settings(
        app,
        mail_backend="smtp",
        mail_host=controller.hostname,
        mail_port=controller.port,
        mail_sender="和衷调解平台 <noreply@concord.example.cn>",
    )
    try:
        yield inbox
    finally:
        controller.stop()


def queue_invitation(case: Case, channel: Channel) -> OutboundMessage:
    build = messages.invitation if channel == Channel.EMAIL else messages.invitation_sms
    subject, body = build(
        case.mediation_org.name, case.reference, case.creditor_org.name, LINK, date(2026, 12, 15)
    )
    message = queue_message(
        address=str(case.debtor_email if channel == Channel.EMAIL else case.debtor_phone),
        channel=channel,
        template="invitation",
        subject=subject,
        body=body,
        case_id=case.id,
        to_debtor=True,
        now=beijing(1, 10),
    )
    db.session.commit()
    return message


def test_an_invitation_email_reaches_a_real_smtp_server(smtp_server: Inbox, case: Case) -> None:
    message = queue_invitation(case, Channel.EMAIL)
    assert deliver_due(beijing(1, 10)) == 1
    assert message.status == OutboxStatus.SENT

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["zhangsan@example.com"]
    assert envelope.mail_from == "noreply@concord.example.cn"
    [mail] = smtp_server.messages()
    assert mail["To"] == "zhangsan@example.com"
    assert mail["Subject"] == f"【{case.mediation_org.name}】调解邀请（案件编号 {case.reference}）"
    assert mail["From"].addresses[0].display_name == "和衷调解平台"
    assert mail["Message-ID"].endswith("@concord.example.cn>")
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    body = mail.get_content()
    assert LINK in body
    assert case.reference in body
    assert case.creditor_org.name in body
    assert "2026年12月15日" in body


def test_an_smtp_server_that_is_down_leaves_the_message_queued(app: Flask, case: Case) -> None:
    use_settings(app, mail_backend="smtp", mail_host="127.0.0.1", mail_port=free_port())
    message = queue_invitation(case, Channel.EMAIL)
    assert deliver_due(beijing(1, 10)) == 0
    assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 1)
    assert message.error is not None and "ConnectionRefusedError" in message.error


def test_the_file_backends_write_one_readable_block_per_message(app: Flask, case: Case) -> None:
    email = queue_invitation(case, Channel.EMAIL)
    sms = queue_invitation(case, Channel.SMS)
    queue_invitation(case, Channel.SMS)
    assert deliver_due(beijing(1, 10)) == 3

    outbox = app.config["SETTINGS"].instance_path / "outbox"
    mail_log = (outbox / "mail.log").read_text(encoding="utf-8")
    assert mail_log.count("==== ") == 1
    assert f"email #{email.id} ====" in mail_log
    assert "To: zhangsan@example.com\n" in mail_log
    assert f"Subject: {email.subject}\n" in mail_log
    assert LINK in mail_log and case.reference in mail_log

    sms_log = (outbox / "sms.log").read_text(encoding="utf-8")
    assert sms_log.count("==== ") == 2  # appended, not overwritten
    assert f"sms #{sms.id} ====" in sms_log
    assert "To: 13900000001\n" in sms_log
    assert sms.body in sms_log
    assert "From:" not in sms_log


def test_the_console_backends_log_the_message(
    app: Flask, case: Case, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Alembic's fileConfig (run by the migration fixture) disables loggers created before it.
    monkeypatch.setattr(logging.getLogger(channels.__name__), "disabled", False)
    use_settings(app, mail_backend="console", sms_backend="console")
    queue_invitation(case, Channel.SMS)
    with caplog.at_level("INFO", logger="app.notifications.channels"):
        assert deliver_due(beijing(1, 10)) == 1
    assert case.reference in caplog.text


def test_an_unknown_backend_is_a_configuration_error_naming_the_setting(
    app: Flask, case: Case
) -> None:
    message = queue_invitation(case, Channel.EMAIL)
    settings = app.config["SETTINGS"]
    use_settings(app, mail_backend="sendgrid")
    with pytest.raises(ConfigurationError, match="MAIL_BACKEND='sendgrid'.*console, file, smtp"):
        channels.send(message, app.config["SETTINGS"])
    channels.send(message, settings)  # the configured one works


def test_a_new_backend_plugs_in_through_the_registry(
    app: Flask, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivered: list[str] = []
    monkeypatch.setitem(
        channels.SENDERS, (Channel.SMS, "gateway"), lambda m, s: delivered.append(m.address)
    )
    use_settings(app, sms_backend="gateway")
    queue_invitation(case, Channel.SMS)
    assert deliver_due(beijing(1, 10)) == 1
    assert delivered == ["13900000001"]
