"""The session record's rules (app.rules.minutes): which contacts are sessions, what a
record must say before it can be printed, and the order of signatures (the parties, then
the mediator)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.rules.minutes import (
    Participant,
    RecordContent,
    content_problems,
    is_confirmed,
    is_held_session,
    is_session,
    next_signers,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
GOOD = RecordContent(
    started_at=NOW - timedelta(hours=2),
    ended_at=NOW - timedelta(hours=1),
    place="本平台在线视频调解",
    participants=(Participant("王调解", "调解员"), Participant("吉某", "债务人")),
    debtor_statement="希望分期。",
    creditor_statement="要求一次性偿还。",
    agreed="",
    not_agreed="",
)


@pytest.mark.parametrize(
    ("channel", "session"),
    [
        ("phone", True),
        ("video", True),
        ("in_person", True),
        ("sms", False),
        ("email", False),
        ("letter", False),
    ],
)
def test_only_calls_video_sessions_and_meetings_are_sessions(channel: str, session: bool) -> None:
    assert is_session(channel) is session


@pytest.mark.parametrize(
    ("channel", "outcome", "ours", "held"),
    [
        ("video", "reached", True, True),
        ("video", "no_answer", True, False),
        ("phone", "reached", False, False),  # a creditor's collector's call
        ("letter", "reached", True, False),
    ],
)
def test_a_held_session_reached_someone_and_was_the_organisations(
    channel: str, outcome: str, ours: bool, held: bool
) -> None:
    assert is_held_session(channel, outcome, ours) is held


def test_a_complete_record_has_no_problem() -> None:
    assert content_problems(GOOD, NOW) == {}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"ended_at": NOW - timedelta(hours=3)}, "ended_at", "time_order"),
        ({"ended_at": NOW - timedelta(hours=2)}, "ended_at", "time_order"),
        ({"started_at": NOW - timedelta(hours=14)}, "ended_at", "too_long_session"),
        ({"ended_at": NOW + timedelta(minutes=10)}, "ended_at", "future"),
        ({"place": "  "}, "place", "place_required"),
        ({"place": "地" * 201}, "place", "too_long"),
        ({"participants": (Participant("王调解", "调解员"),)}, "participants", "participants"),
        (
            {"participants": (Participant("王调解", ""), Participant("吉某", "债务人"))},
            "participants",
            "participants",
        ),
        ({"participants": (Participant("某", "x"),) * 13}, "participants", "participants"),
        ({"debtor_statement": ""}, "debtor_statement", "statement_required"),
        ({"creditor_statement": "字" * 2001}, "creditor_statement", "too_long"),
        ({"not_agreed": "字" * 2001}, "not_agreed", "too_long"),
    ],
)
def test_a_record_that_cannot_be_printed_names_its_field(change, field, code) -> None:
    assert content_problems(replace(GOOD, **change), NOW)[field] == code


def test_a_clock_a_few_minutes_ahead_is_tolerated() -> None:
    late = replace(GOOD, ended_at=NOW + timedelta(minutes=4))
    assert content_problems(late, NOW) == {}


@pytest.mark.parametrize(
    ("signed", "next_", "confirmed"),
    [
        (set(), {"debtor", "creditor"}, False),
        ({"debtor"}, {"creditor"}, False),
        ({"creditor"}, {"debtor"}, False),
        ({"debtor", "creditor"}, {"mediator"}, False),
        ({"debtor", "creditor", "mediator"}, set(), True),
    ],
)
def test_the_parties_sign_in_any_order_and_the_mediator_last(signed, next_, confirmed) -> None:
    assert next_signers(signed) == next_
    assert is_confirmed(signed) is confirmed
