"""Case notices held by quiet hours for the same debtor, address and channel go out at
08:00 as one digest (app.notifications.digest); nothing sent at once is ever merged, and
the notices stay in the outbox, marked merged into the digest that carried them."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.notifications import channels
from app.notifications.outbox import deliver_due
from tests.integration.notifications.conftest import beijing, make_case, to_debtor, use_settings


def rows() -> list[OutboundMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def sms_log(app: Flask) -> str:
    return (app.config["SETTINGS"].instance_path / "outbox" / "sms.log").read_text("utf-8")


def test_notices_held_overnight_go_at_8_as_one_digest(app: Flask, case: Case) -> None:
    first = to_debtor(case, beijing(1, 21, 30), template="proposal_counter")
    second = to_debtor(case, beijing(1, 23, 0), template="thread_message")
    third = to_debtor(case, beijing(2, 6, 0), template="objection_answered")
    assert deliver_due(now=beijing(2, 8)) == 1
    *notices, carrier = rows()
    assert [n.id for n in notices] == [first.id, second.id, third.id]
    assert {(n.status, n.merged_into_id) for n in notices} == {(OutboxStatus.MERGED, carrier.id)}
    assert carrier.template == "case_digest" and carrier.status is OutboxStatus.SENT
    assert carrier.sent_at == beijing(2, 8) and carrier.channel is Channel.SMS
    assert "有3项新进展" in carrier.body and case.reference in carrier.body
    assert "【" in carrier.body and len(carrier.body) <= 160
    assert sms_log(app).count("==== ") == 1
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "contact:sent")).all()
    assert [e.object_id for e in logged] == [str(carrier.id)]


def test_a_notice_sent_at_once_is_never_merged(app: Flask, case: Case) -> None:
    to_debtor(case, beijing(1, 14), template="proposal_counter")
    to_debtor(case, beijing(1, 14), template="thread_message")
    assert deliver_due(now=beijing(1, 14)) == 2
    assert [m.status for m in rows()] == [OutboxStatus.SENT, OutboxStatus.SENT]


def test_outreach_and_other_channels_and_other_debtors_stay_apart(app: Flask, case: Case) -> None:
    other = make_case(debtor_phone="13900000002")
    to_debtor(case, beijing(1, 22), template="agreement_ready")
    to_debtor(case, beijing(1, 22), template="agreement_ready", channel=Channel.EMAIL)
    to_debtor(case, beijing(1, 22), template="invitation")
    to_debtor(other, beijing(1, 22), template="agreement_ready")
    assert deliver_due(now=beijing(2, 8)) == 4
    assert {m.status for m in rows()} == {OutboxStatus.SENT}


def test_a_refused_digest_keeps_every_notice_queued_with_an_attempt(
    app: Flask, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(message: OutboundMessage, settings: object) -> None:
        raise RuntimeError("gateway said no")

    monkeypatch.setitem(channels.SENDERS, (Channel.SMS, "refusing"), refuse)
    use_settings(app, sms_backend="refusing")
    to_debtor(case, beijing(1, 22), template="agreement_ready")
    to_debtor(case, beijing(1, 23), template="thread_message")
    assert deliver_due(now=beijing(2, 8)) == 0
    assert [(m.status, m.attempts) for m in rows()] == [(OutboxStatus.QUEUED, 1)] * 2
