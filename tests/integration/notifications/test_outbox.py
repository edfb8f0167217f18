"""The outbox applies the contact rules (:mod:`app.rules.contact_rules`) on the legal clock
when a message is queued and delivers each message once, logging every debtor contact in
the audit chain."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.notifications import channels
from app.notifications.outbox import MAX_ATTEMPTS, deliver_due, queue_message
from tests.integration.notifications.conftest import (
    beijing,
    make_case,
    statuses,
    to_debtor,
    to_staff,
    use_settings,
)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- planning -----------------------------------------------------------------------


def test_a_debtor_message_queued_in_quiet_hours_waits_for_8_next_morning(case: Case) -> None:
    message = to_debtor(case, beijing(1, 21, 30))
    assert message.due_at == beijing(2, 8, 0)
    assert message.recipient_key == f"debtor:{case.id}"
    assert message.is_debtor is True


def test_a_debtor_message_queued_before_dawn_waits_for_8_the_same_morning(case: Case) -> None:
    assert to_debtor(case, beijing(2, 6, 15)).due_at == beijing(2, 8, 0)


def test_a_debtor_message_in_allowed_hours_is_due_at_once(case: Case) -> None:
    assert to_debtor(case, beijing(1, 20, 59)).due_at == beijing(1, 20, 59)


def test_the_fourth_debtor_contact_of_a_local_day_moves_to_the_next_morning(case: Case) -> None:
    to_debtor(case, beijing(1, 9), Channel.SMS)
    to_debtor(case, beijing(1, 10), Channel.EMAIL)
    to_debtor(case, beijing(1, 11), Channel.SMS)
    assert to_debtor(case, beijing(1, 12), Channel.EMAIL).due_at == beijing(2, 8, 0)


def test_a_day_filled_by_planned_messages_pushes_the_next_one_a_day_further(case: Case) -> None:
    for _ in range(4):
        to_debtor(case, beijing(1, 22))  # all four aim at 08:00 on the 2nd
    assert [m.due_at for m in db.session.scalars(select(OutboundMessage))] == [
        beijing(2, 8),
        beijing(2, 8),
        beijing(2, 8),
        beijing(3, 8),
    ]


def test_failed_messages_do_not_count_towards_the_daily_limit(case: Case) -> None:
    for hour in (9, 10, 11):
        to_debtor(case, beijing(1, hour)).status = OutboxStatus.FAILED
    db.session.commit()
    assert to_debtor(case, beijing(1, 12)).due_at == beijing(1, 12)


def test_contacts_to_the_same_phone_on_another_case_count_too(case: Case) -> None:
    other = make_case(debtor_phone=case.debtor_phone)
    for hour in (9, 10, 11):
        to_debtor(other, beijing(1, hour))
    assert to_debtor(case, beijing(1, 12)).due_at == beijing(2, 8, 0)


def test_yesterdays_contacts_do_not_count_today(case: Case) -> None:
    for hour in (9, 10, 11):
        to_debtor(case, beijing(1, hour))
    assert to_debtor(case, beijing(2, 9)).due_at == beijing(2, 9)


def test_a_message_to_staff_at_23_is_due_at_once(app: Flask) -> None:
    message = to_staff(beijing(1, 23))
    assert message.due_at == beijing(1, 23)
    assert message.is_debtor is False
    assert message.recipient_key == f"user:{message.recipient_user_id}"


def test_a_message_to_a_bare_address_is_keyed_by_the_address(app: Flask) -> None:
    message = queue_message(
        address="someone@example.com",
        channel=Channel.EMAIL,
        template="t",
        subject="s",
        body="b",
        now=beijing(1, 23),
    )
    assert message.recipient_key == "addr:someone@example.com"


def test_a_code_the_debtor_requested_at_23_is_due_at_once(case: Case) -> None:
    code = to_debtor(case, beijing(1, 23), template="one_time_code", requested_by_recipient=True)
    assert code.due_at == beijing(1, 23)


def test_a_debtor_message_needs_its_case(app: Flask) -> None:
    with pytest.raises(ValueError, match="case"):
        queue_message(
            address="13900000001",
            channel=Channel.SMS,
            template="t",
            subject="s",
            body="b",
            to_debtor=True,
        )


def test_queue_message_flushes_but_leaves_the_commit_to_the_use_case(case: Case) -> None:
    message = queue_message(
        address="13900000001",
        channel=Channel.SMS,
        template="t",
        subject="s",
        body="b",
        case_id=case.id,
        to_debtor=True,
    )
    assert message.id is not None
    db.session.rollback()
    assert db.session.scalars(select(OutboundMessage)).all() == []


# --- delivery -----------------------------------------------------------------------


def test_deliver_due_sends_only_what_is_due(case: Case) -> None:
    waiting = to_debtor(case, beijing(1, 21, 30))  # due 08:00 on the 2nd
    staff = to_staff(beijing(1, 21, 30))
    assert deliver_due(beijing(1, 21, 31)) == 1
    assert statuses() == {waiting.id: OutboxStatus.QUEUED, staff.id: OutboxStatus.SENT}
    assert deliver_due(beijing(2, 7, 59)) == 0
    assert deliver_due(beijing(2, 8, 0)) == 1
    assert waiting.status == OutboxStatus.SENT
    assert waiting.sent_at == beijing(2, 8, 0)
    assert waiting.attempts == 1
    assert deliver_due(beijing(2, 9)) == 0  # nothing is sent twice


def test_deliver_due_sends_the_oldest_first_and_stops_at_the_limit(app: Flask) -> None:
    later, earlier = to_staff(beijing(1, 10, 5)), to_staff(beijing(1, 10, 0))
    assert deliver_due(beijing(1, 11), limit=1) == 1
    assert statuses() == {earlier.id: OutboxStatus.SENT, later.id: OutboxStatus.QUEUED}


def test_a_requested_code_goes_out_in_quiet_hours(case: Case) -> None:
    code = to_debtor(case, beijing(1, 23), template="one_time_code", requested_by_recipient=True)
    assert deliver_due(beijing(1, 23, 0)) == 1
    assert code.status == OutboxStatus.SENT


def test_a_debtor_message_still_unsent_when_quiet_hours_begin_waits_for_morning(
    case: Case,
) -> None:
    message = to_debtor(case, beijing(1, 20, 50))
    assert deliver_due(beijing(1, 21, 5)) == 0  # the worker was late
    assert message.status == OutboxStatus.QUEUED
    assert message.due_at == beijing(2, 8, 0)
    assert message.attempts == 0
    assert deliver_due(beijing(2, 8, 0)) == 1


def test_a_failing_channel_keeps_the_message_and_gives_up_after_five_attempts(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(message: OutboundMessage, settings: object) -> None:
        raise ConnectionRefusedError("gateway down")

    monkeypatch.setitem(channels.SENDERS, (Channel.SMS, "file"), refuse)
    message = to_debtor(case, beijing(1, 10))
    for attempt in range(1, MAX_ATTEMPTS):
        assert deliver_due(beijing(1, 10, attempt)) == 0
        assert (message.status, message.attempts) == (OutboxStatus.QUEUED, attempt)
        assert message.error == "ConnectionRefusedError: gateway down"
    assert deliver_due(beijing(1, 10, 30)) == 0
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert deliver_due(beijing(1, 11)) == 0  # a failed message is not retried
    assert audit_actions() == ["contact:failed"]


def test_a_message_that_fails_once_is_sent_on_the_next_run(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = channels.SENDERS[(Channel.SMS, "file")]

    def flaky(message: OutboundMessage, settings: object) -> None:
        calls.append(message.id)
        if len(calls) == 1:
            raise TimeoutError("timed out")
        original(message, settings)  # type: ignore[arg-type]

    monkeypatch.setitem(channels.SENDERS, (Channel.SMS, "file"), flaky)
    message = to_debtor(case, beijing(1, 10))
    assert deliver_due(beijing(1, 10)) == 0  # one attempt per run, not a tight loop
    assert deliver_due(beijing(1, 10, 1)) == 1
    assert (message.status, message.attempts, message.error) == (OutboxStatus.SENT, 2, None)


def test_an_unknown_backend_fails_loudly_without_using_up_attempts(app: Flask, case: Case) -> None:
    use_settings(app, sms_backend="carrier-pigeon")
    sms = to_debtor(case, beijing(1, 10), Channel.SMS)
    email = to_debtor(case, beijing(1, 10), Channel.EMAIL)
    assert deliver_due(beijing(1, 10)) == 1  # email still goes
    assert (sms.status, sms.attempts) == (OutboxStatus.QUEUED, 0)
    assert email.status == OutboxStatus.SENT


def test_a_crash_mid_run_keeps_what_was_already_sent(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = to_staff(beijing(1, 10)), to_staff(beijing(1, 10, 1))
    original = channels.SENDERS[(Channel.EMAIL, "file")]

    def crash_on_second(message: OutboundMessage, settings: object) -> None:
        if message.id == second.id:
            raise KeyboardInterrupt  # the worker dies mid-send
        original(message, settings)  # type: ignore[arg-type]

    monkeypatch.setitem(channels.SENDERS, (Channel.EMAIL, "file"), crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        deliver_due(beijing(1, 11))
    db.session.rollback()
    assert statuses() == {first.id: OutboxStatus.SENT, second.id: OutboxStatus.QUEUED}
    monkeypatch.setitem(channels.SENDERS, (Channel.EMAIL, "file"), original)
    assert deliver_due(beijing(1, 11)) == 1  # only the one in flight goes again


def test_delivered_debtor_contacts_are_logged_in_the_audit_chain(case: Case) -> None:
    sms = to_debtor(case, beijing(1, 21, 30), Channel.SMS)
    email = to_debtor(case, beijing(1, 21, 30), Channel.EMAIL)
    to_staff(beijing(1, 21, 30))
    deliver_due(beijing(1, 22))
    deliver_due(beijing(2, 8))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "contact:sent").order_by(AuditEvent.id)
    ).all()
    assert [(e.object_id, e.case_id) for e in events] == [
        (str(sms.id), case.id),
        (str(email.id), case.id),
    ]
    assert events[0].data == {
        "recipient": f"debtor:{case.id}",
        "channel": "sms",
        "template": "invitation",
        "due_at": "2026-12-02T00:00:00+00:00",
        "sent_at": "2026-12-02T00:00:00+00:00",
        "attempts": 1,
    }
    assert case.debtor_phone not in str(events[0].data)  # the chain cannot forget an address
    assert audit.verify_chain().intact
