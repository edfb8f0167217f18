"""Queueing by kind (app.rules.message_kinds) with the clock set by the test: a code the
debtor asked for goes at once, a case notice waits out quiet hours but never the cap,
outreach waits for quiet hours and the cap, which only outreach fills."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.notifications import Channel, OutboundMessage
from app.notifications.outbox import deliver_due
from app.rules.message_kinds import MessageKind
from tests.integration.notifications.conftest import beijing, to_debtor


def test_the_kind_is_stored_from_the_template(case: Case) -> None:
    assert to_debtor(case, beijing(1, 10), template="one_time_code").kind is MessageKind.REQUESTED
    assert to_debtor(case, beijing(1, 10), template="agreement_ready").kind is (
        MessageKind.CASE_NOTICE
    )
    assert to_debtor(case, beijing(1, 10), template="invitation").kind is MessageKind.OUTREACH


def test_a_requested_code_goes_at_once_in_quiet_hours(case: Case) -> None:
    assert to_debtor(case, beijing(1, 23, 30), template="one_time_code").due_at == beijing(
        1, 23, 30
    )


def test_a_case_notice_in_quiet_hours_waits_for_8(case: Case) -> None:
    for moment, due in ((beijing(1, 22, 15), beijing(2, 8)), (beijing(2, 2), beijing(2, 8))):
        assert to_debtor(case, moment, template="proposal_counter").due_at == due


def test_case_notices_are_never_held_by_the_cap(case: Case) -> None:
    for hour in (9, 10, 11):
        to_debtor(case, beijing(1, hour), template="invitation")  # the cap is full
    for minute in (0, 10, 20, 30):
        notice = to_debtor(case, beijing(1, 12, minute), template="objection_answered")
        assert notice.due_at == beijing(1, 12, minute)


def test_case_notices_and_codes_do_not_fill_the_cap(case: Case) -> None:
    for hour in (9, 10, 11, 12):
        to_debtor(case, beijing(1, hour), template="agreement_in_force")
        to_debtor(case, beijing(1, hour), template="signing_code")
    assert to_debtor(case, beijing(1, 13), template="reminder_due").due_at == beijing(1, 13)


def test_the_fourth_outreach_of_a_day_waits_for_the_next_morning(case: Case) -> None:
    for hour in (9, 10, 11):
        to_debtor(case, beijing(1, hour), template="reminder_due", channel=Channel.EMAIL)
    assert to_debtor(case, beijing(1, 12), template="invitation").due_at == beijing(2, 8)


def test_outreach_queued_in_quiet_hours_waits_for_8_and_then_the_cap(case: Case) -> None:
    dues = [to_debtor(case, beijing(1, 22), template="invitation").due_at for _ in range(4)]
    assert dues == [beijing(2, 8)] * 3 + [beijing(3, 8)]


def test_a_case_notice_unsent_when_quiet_hours_begin_moves_to_8_not_beyond(case: Case) -> None:
    for _ in range(3):
        to_debtor(case, beijing(2, 8), template="invitation")  # the 2nd's cap is full
    notice = to_debtor(case, beijing(1, 20, 50), template="package_released")
    assert notice.due_at == beijing(1, 20, 50)
    deliver_due(now=beijing(1, 21, 5))  # the worker was down until quiet hours
    db.session.expire_all()
    moved = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.template == "package_released")
    ).one()
    assert moved.due_at == beijing(2, 8) and moved.sent_at is None
