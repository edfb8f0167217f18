"""Mediation sessions: when one may be held, who is invited, who may see it, and when its
reminders are due.

A session is joint (both parties with the mediator) or a private caucus (背对背调解) with
one party only; what is said in a caucus, and that it takes place at all, is kept from
the other side (人民调解法 Art. 15(4): a mediator keeps what parties tell in confidence).
No session is scheduled in quiet hours (21:00–08:00 on the legal clock, the contact rules
of :mod:`app.rules.contact_rules`), and the invitation to one is outreach under the daily
cap (:mod:`app.rules.message_kinds`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from app.rules.contact_rules import DEFAULT_POLICY, ContactPolicy, is_quiet
from app.rules.errors import InvalidInput, Refused

MIN_MINUTES = 15
MAX_MINUTES = 240
# A held session lasted at most this long (the contact log's own bound).
MAX_HELD_MINUTES = 600
MAX_PLACE = 200
MAX_NOTE = 500
MAX_REASON = 500
# Reminders before the session (case notices): the day before, and an hour before.
REMINDERS: tuple[tuple[str, timedelta], ...] = (
    ("session_reminder_day", timedelta(days=1)),
    ("session_reminder_hour", timedelta(hours=1)),
)


class SessionKind(StrEnum):
    JOINT = "joint"
    CAUCUS_CREDITOR = "caucus_creditor"  # the mediator with the creditor's side only
    CAUCUS_DEBTOR = "caucus_debtor"  # the mediator with the debtor only


class SessionMeans(StrEnum):
    PHONE = "phone"
    VIDEO = "video"
    IN_PERSON = "in_person"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class Answer(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    OTHER_TIME = "other_time"  # asked for another time, with a suggestion and a note


class Change(StrEnum):
    """What a line of a session's history records."""

    SCHEDULED = "scheduled"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    RESPONDED = "responded"
    HELD = "held"


SIDES = ("debtor", "creditor")
_INVITED: dict[SessionKind, tuple[str, ...]] = {
    SessionKind.JOINT: SIDES,
    SessionKind.CAUCUS_CREDITOR: ("creditor",),
    SessionKind.CAUCUS_DEBTOR: ("debtor",),
}


class SessionRefused(InvalidInput):
    """A session, or an answer to it, that the rules do not allow; ``code`` says why. The
    words are the sessions feature's: it fills ``messages``."""

    messages: ClassVar[dict[str, Any]] = {}


class SessionStateRefused(Refused):
    """The session is no longer scheduled (held or cancelled), or already started."""

    messages: ClassVar[dict[str, Any]] = {}


def invited_sides(kind: SessionKind) -> tuple[str, ...]:
    """The parties invited: both to a joint session, one to a caucus."""
    return _INVITED[kind]


def visible_to(kind: SessionKind, side: str | None) -> bool:
    """Whether a viewer on ``side`` ("debtor", "creditor"; None for the mediation staff)
    may know of the session: a caucus is invisible to the other side."""
    return side is None or side in _INVITED[kind]


def is_caucus(kind: SessionKind) -> bool:
    return kind is not SessionKind.JOINT


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    minutes: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


def check_slot(slot: Slot, now: datetime, policy: ContactPolicy = DEFAULT_POLICY) -> None:
    """A session starts in the future, lasts between 15 minutes and 4 hours, and neither
    starts nor runs in quiet hours (21:00–08:00 on the legal clock)."""
    _aware(slot.starts_at, now)
    if not MIN_MINUTES <= slot.minutes <= MAX_MINUTES:
        raise SessionRefused("length", "minutes", low=MIN_MINUTES, high=MAX_MINUTES)
    if slot.starts_at <= now:
        raise SessionRefused("past", "starts_at")
    if is_quiet(slot.starts_at, policy):
        raise SessionRefused("quiet_hours", "starts_at")
    last_minute = slot.ends_at - timedelta(minutes=1)
    if is_quiet(last_minute, policy):
        raise SessionRefused("runs_into_quiet_hours", "minutes")


def check_suggestion(
    moment: datetime, now: datetime, policy: ContactPolicy = DEFAULT_POLICY
) -> None:
    """Another time a party suggests: in the future and outside quiet hours."""
    _aware(moment, now)
    if moment <= now:
        raise SessionRefused("suggest_past", "suggested_at")
    if is_quiet(moment, policy):
        raise SessionRefused("suggest_quiet_hours", "suggested_at")


def check_held(start: datetime, end: datetime, now: datetime) -> None:
    """What happened: it started no later than now and ended after it started, within
    ten hours."""
    _aware(start, now)
    _aware(end, now)
    if start > now + timedelta(minutes=5):
        raise SessionRefused("held_future", "held_start")
    if end <= start:
        raise SessionRefused("held_order", "held_end")
    if end - start > timedelta(minutes=MAX_HELD_MINUTES):
        raise SessionRefused("held_length", "held_end")


def may_change(status: SessionStatus) -> bool:
    """Only a scheduled session may be moved, cancelled, answered or marked held."""
    return status is SessionStatus.SCHEDULED


def may_answer(status: SessionStatus, starts_at: datetime, now: datetime) -> bool:
    """A party answers a scheduled session until it starts."""
    return status is SessionStatus.SCHEDULED and now < starts_at


def due_reminder(starts_at: datetime, now: datetime, sent: set[str]) -> str | None:
    """The reminder due at ``now`` for a session starting at ``starts_at``, or None: the
    latest one whose moment has come and that was not sent (when both are due at once,
    e.g. a session scheduled for the same afternoon, only the hour's goes); none once the
    session has started."""
    _aware(starts_at, now)
    if now >= starts_at:
        return None
    due = [kind for kind, ahead in REMINDERS if starts_at - ahead <= now]
    if not due or due[-1] in sent:
        return None
    return due[-1]


def new_room_id() -> str:
    """A random, unguessable room name for a video session (128 bits)."""
    return secrets.token_urlsafe(16)


def meeting_link(base_url: str, room_id: str) -> str:
    """The video service's link for the room: the configured base URL and the room."""
    return f"{base_url.rstrip('/')}/{room_id}"


def _aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("naive datetime: session times must be timezone-aware")
