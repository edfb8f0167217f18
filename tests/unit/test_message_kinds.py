"""The three kinds of message (app.rules.message_kinds): requested codes go at once,
case notices wait out quiet hours only, outreach waits for quiet hours and the cap."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.notifications.texts.closing import CLOSING_EVENTS
from app.notifications.texts.confirmation import CONFIRMATION_EVENTS
from app.notifications.texts.negotiation import AGREEMENT_EVENTS, PROPOSAL_EVENTS
from app.notifications.texts.repayments import PAYMENT_EVENTS
from app.notifications.texts.restructuring import RESTRUCTURING_EVENTS
from app.rules.message_kinds import (
    TEMPLATE_KINDS,
    MessageKind,
    counts_against_cap,
    held_back,
    kind_of,
    planned_delivery,
)

BEIJING = ZoneInfo("Asia/Shanghai")
R, N, OUT = MessageKind.REQUESTED, MessageKind.CASE_NOTICE, MessageKind.OUTREACH


def bj(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("template", "kind"),
    [
        ("one_time_code", R),
        ("signing_code", R),
        ("sign_in_code", R),
        ("password_checks_paused", R),
        ("invitation", OUT),
        ("reminder_before", OUT),
        ("reminder_due", OUT),
        ("reminder_missed", OUT),
        ("confirmation_day20", OUT),
        ("confirmation_day27", OUT),
        ("thread_message", N),
        ("objection_answered", N),
        ("objection_raised", N),
        ("proposal_counter", N),
        ("agreement_ready", N),
        ("agreement_in_force", N),
        ("package_released", N),
        ("payment_confirmed", N),
        ("case_breach", N),
        ("case_breach_unpaid", N),
        ("case_performed", N),
        ("complaint_filed", N),
        ("complaint_answered", N),
    ],
)
def test_every_template_has_its_kind(template: str, kind: MessageKind) -> None:
    assert kind_of(template) is kind


def test_every_event_text_the_application_sends_is_classified() -> None:
    events = {
        *PROPOSAL_EVENTS,
        *AGREEMENT_EVENTS,
        *CONFIRMATION_EVENTS,
        *PAYMENT_EVENTS,
        *CLOSING_EVENTS,
        *RESTRUCTURING_EVENTS,
    }
    assert events - set(TEMPLATE_KINDS) == set()


def test_an_unknown_template_is_treated_as_outreach_the_strictest_kind() -> None:
    assert kind_of("something_new") is OUT


@pytest.mark.parametrize(
    ("kind", "wanted", "outreach_today", "due"),
    [
        # requested: at once, whatever the hour or the count
        (R, bj(1, 23, 30), [], bj(1, 23, 30)),
        (R, bj(2, 3, 0), [bj(2, 8)] * 3, bj(2, 3, 0)),
        # case notice: out of quiet hours (21:00-08:00), never held by the cap
        (N, bj(1, 14, 0), [], bj(1, 14, 0)),
        (N, bj(1, 14, 0), [bj(1, 9), bj(1, 10), bj(1, 11)], bj(1, 14, 0)),
        (N, bj(1, 21, 0), [], bj(2, 8, 0)),
        (N, bj(1, 23, 0), [bj(2, 8)] * 5, bj(2, 8, 0)),
        (N, bj(2, 7, 59), [], bj(2, 8, 0)),
        (N, bj(1, 20, 59), [], bj(1, 20, 59)),
        # outreach: quiet hours and at most three a local day
        (OUT, bj(1, 14, 0), [], bj(1, 14, 0)),
        (OUT, bj(1, 14, 0), [bj(1, 9), bj(1, 10)], bj(1, 14, 0)),
        (OUT, bj(1, 14, 0), [bj(1, 9), bj(1, 10), bj(1, 11)], bj(2, 8, 0)),
        (OUT, bj(1, 22, 0), [], bj(2, 8, 0)),
        (OUT, bj(1, 22, 0), [bj(2, 8)] * 3, bj(3, 8, 0)),
    ],
)
def test_when_a_message_of_each_kind_may_reach_a_debtor(
    kind: MessageKind, wanted: datetime, outreach_today: list[datetime], due: datetime
) -> None:
    assert planned_delivery(kind, wanted, outreach_today) == due.astimezone(UTC)


@pytest.mark.parametrize(
    ("kind", "counted", "held"), [(R, False, False), (N, False, True), (OUT, True, True)]
)
def test_only_outreach_fills_the_cap_and_only_requested_codes_are_never_held(
    kind: MessageKind, counted: bool, held: bool
) -> None:
    assert counts_against_cap(kind) is counted
    assert held_back(kind) is held


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        planned_delivery(N, datetime(2026, 12, 1, 22, 0), [])
