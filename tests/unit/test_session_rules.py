"""The rules of mediation sessions: when, how long, who is invited and who may know."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.rules.sessions import (
    SessionKind,
    SessionRefused,
    SessionStatus,
    Slot,
    check_held,
    check_slot,
    check_suggestion,
    due_reminder,
    invited_sides,
    may_answer,
    meeting_link,
    new_room_id,
    visible_to,
)

BJ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 30, tzinfo=BJ)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BJ)


@pytest.mark.parametrize(
    ("start", "minutes", "code"),
    [
        (_at(2, 22), 60, "quiet_hours"),  # 22:00 Beijing
        (_at(2, 21), 30, "quiet_hours"),
        (_at(3, 7, 59), 30, "quiet_hours"),
        (_at(2, 20, 30), 60, "runs_into_quiet_hours"),
        (_at(1, 9), 60, "past"),
        (_at(1, 10, 30), 60, "past"),
        (_at(2, 10), 10, "length"),
        (_at(2, 10), 241, "length"),
    ],
)
def test_a_session_outside_the_rules_is_refused(start: datetime, minutes: int, code: str) -> None:
    with pytest.raises(SessionRefused) as refused:
        check_slot(Slot(start, minutes), NOW)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("start", "minutes"),
    [(_at(2, 8), 15), (_at(2, 20), 60), (_at(1, 11), 240), (_at(2, 19, 59), 61)],
)
def test_a_session_within_the_rules_passes(start: datetime, minutes: int) -> None:
    check_slot(Slot(start, minutes), NOW)


def test_quiet_hours_are_reckoned_on_the_legal_clock_whatever_the_zone_given() -> None:
    # 14:00 UTC is 22:00 in Beijing.
    with pytest.raises(SessionRefused):
        check_slot(Slot(datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("UTC")), 30), NOW)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        check_slot(Slot(datetime(2026, 12, 2, 10, 0), 30), NOW)


def test_a_caucus_is_invisible_to_the_other_side() -> None:
    assert visible_to(SessionKind.CAUCUS_DEBTOR, "debtor")
    assert not visible_to(SessionKind.CAUCUS_DEBTOR, "creditor")
    assert not visible_to(SessionKind.CAUCUS_CREDITOR, "debtor")
    assert visible_to(SessionKind.CAUCUS_CREDITOR, None)  # the mediation staff
    assert visible_to(SessionKind.JOINT, "creditor") and visible_to(SessionKind.JOINT, "debtor")
    assert invited_sides(SessionKind.JOINT) == ("debtor", "creditor")
    assert invited_sides(SessionKind.CAUCUS_CREDITOR) == ("creditor",)


def test_another_time_suggested_must_be_future_and_outside_quiet_hours() -> None:
    check_suggestion(_at(2, 9), NOW)
    for moment, code in ((_at(1, 9), "suggest_past"), (_at(2, 23), "suggest_quiet_hours")):
        with pytest.raises(SessionRefused) as refused:
            check_suggestion(moment, NOW)
        assert refused.value.code == code


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (_at(1, 12), _at(1, 13), "held_future"),
        (_at(1, 9), _at(1, 9), "held_order"),
        (_at(1, 9), _at(1, 8), "held_order"),
        (_at(1, 0), _at(1, 10, 1), "held_length"),
    ],
)
def test_what_was_held_must_make_sense(start: datetime, end: datetime, code: str) -> None:
    with pytest.raises(SessionRefused) as refused:
        check_held(start, end, NOW)
    assert refused.value.code == code


def test_parties_answer_a_scheduled_session_until_it_starts() -> None:
    assert may_answer(SessionStatus.SCHEDULED, _at(2, 10), NOW)
    assert not may_answer(SessionStatus.SCHEDULED, _at(1, 10), NOW)
    assert not may_answer(SessionStatus.CANCELLED, _at(2, 10), NOW)


@pytest.mark.parametrize(
    ("start", "sent", "due"),
    [
        (_at(3, 10), set(), None),  # two days ahead: nothing yet
        (_at(2, 10), set(), "session_reminder_day"),
        (_at(2, 10), {"session_reminder_day"}, None),
        (_at(1, 11), set(), "session_reminder_hour"),  # both due: only the later
        (_at(1, 11), {"session_reminder_day"}, "session_reminder_hour"),
        (_at(1, 11), {"session_reminder_hour"}, None),
        (_at(1, 10), set(), None),  # already started
    ],
)
def test_reminders(start: datetime, sent: set[str], due: str | None) -> None:
    assert due_reminder(start, NOW, sent) == due


def test_room_ids_are_random_and_links_join_the_base() -> None:
    assert new_room_id() != new_room_id() and len(new_room_id()) >= 20
    assert meeting_link("https://meet.example.org/r/", "abc") == "https://meet.example.org/r/abc"
