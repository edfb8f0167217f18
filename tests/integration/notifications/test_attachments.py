"""An e-mail's text attachment (a session's .ics invitation): SMS cannot carry one, the
file backend notes it, SMTP sends it as its own MIME part, and a held case notice with a
file is never merged into a digest (its file would be lost)."""

from __future__ import annotations

from email import message_from_bytes

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.notifications.channels import build_email
from app.notifications.outbox import Attachment, deliver_due, queue_message
from tests.integration.notifications.conftest import beijing, to_debtor

ICS = Attachment(
    "session.ics", "text/calendar; method=CANCEL", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
)


def _with_file(case: Case, hour: int) -> OutboundMessage:
    message = queue_message(
        address=str(case.debtor_email),
        channel=Channel.EMAIL,
        template="session_cancelled",
        subject=f"调解会议已取消 {case.reference}",
        body=f"【测试调解委员会】案件编号{case.reference}",
        case_id=case.id,
        to_debtor=True,
        now=beijing(1, hour),
        attachment=ICS,
    )
    db.session.commit()
    return message


def test_an_sms_cannot_carry_a_file(app: Flask, case: Case) -> None:
    with pytest.raises(ValueError):
        queue_message(
            address="13900000001",
            channel=Channel.SMS,
            template="session_cancelled",
            subject="x",
            body="x",
            case_id=case.id,
            to_debtor=True,
            attachment=ICS,
        )


def test_smtp_sends_the_file_as_its_own_part_with_its_method(app: Flask, case: Case) -> None:
    message = _with_file(case, 14)
    email = message_from_bytes(bytes(build_email(message, app.config["SETTINGS"])))
    assert email.is_multipart()
    part = next(p for p in email.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "CANCEL" and part.get_filename() == "session.ics"
    assert part.get_payload(decode=True) == ICS.text.encode()
    body = next(p for p in email.walk() if p.get_content_type() == "text/plain")
    assert case.reference in body.get_payload(decode=True).decode("utf-8")


def test_the_file_backend_notes_the_attachment(app: Flask, case: Case) -> None:
    _with_file(case, 14)
    assert deliver_due(now=beijing(1, 14)) == 1
    log = (app.config["SETTINGS"].instance_path / "outbox" / "mail.log").read_text("utf-8")
    assert "Attachment: session.ics (text/calendar; method=CANCEL)" in log


def test_a_held_notice_with_a_file_is_not_merged_into_a_digest(app: Flask, case: Case) -> None:
    with_file = _with_file(case, 22)
    to_debtor(case, beijing(1, 23), Channel.EMAIL, template="thread_message")
    to_debtor(case, beijing(1, 23, 30), Channel.EMAIL, template="proposal_counter")
    assert deliver_due(now=beijing(2, 8)) == 2  # the digest of two, and the file's own
    db.session.expire_all()
    row = db.session.get(OutboundMessage, with_file.id)
    assert row.status is OutboxStatus.SENT and row.merged_into_id is None
    merged = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.status == OutboxStatus.MERGED)
    ).all()
    assert len(merged) == 2
