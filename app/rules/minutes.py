"""The mediation record (调解笔录) of a held session, as plain rules: which contacts are
sessions a record is written for, what a record must say, and who signs it when
(人民调解法 Art. 27: the mediation's records are kept; 电子签名法 Arts. 13–14 for the
signatures). The parties confirm the record in any order, the mediator signs last with
the organisation's seal, as on the agreement (:mod:`app.rules.agreement_signing`)."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.rules.agreement_signing import is_in_force, who_may_sign_next
from app.rules.contact_log import ContactChannel, Outcome

# A held session: a call, a video session or a meeting (not a text, an email or a letter).
SESSION_CHANNELS = frozenset({ContactChannel.PHONE, ContactChannel.VIDEO, ContactChannel.IN_PERSON})
SIGNERS = ("debtor", "creditor", "mediator")
MAX_TEXT = 2000  # what a refused form keeps of a field (app.core.prg)
MAX_PLACE = 200
MAX_NAME = 100
MAX_ROLE = 40
MAX_PARTICIPANTS = 12
MAX_SESSION = timedelta(hours=12)
# A record is written after the session; a clock a few minutes ahead is tolerated.
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Participant:
    name: str
    role: str


@dataclass(frozen=True)
class RecordContent:
    """What the mediator writes: time, place or means, who took part, what each side
    said, what was agreed and what was not."""

    started_at: datetime
    ended_at: datetime
    place: str
    participants: tuple[Participant, ...]
    debtor_statement: str
    creditor_statement: str
    agreed: str
    not_agreed: str


def is_session(channel: str) -> bool:
    return channel in SESSION_CHANNELS


def is_held_session(channel: str, outcome: str, by_mediation_side: bool) -> bool:
    """A session the organisation held: a call, video session or meeting logged by the
    mediation side (not a creditor's collector) that reached the person."""
    return is_session(channel) and outcome == Outcome.REACHED and by_mediation_side


def content_problems(content: RecordContent, now: datetime) -> dict[str, str]:
    """Each field that cannot be printed, with its refusal code; empty when it can.
    Codes: ``time_order``, ``too_long_session``, ``future``, ``place_required``,
    ``too_long``, ``participants``, ``statement_required``."""
    problems: dict[str, str] = {}
    if content.ended_at <= content.started_at:
        problems["ended_at"] = "time_order"
    elif content.ended_at - content.started_at > MAX_SESSION:
        problems["ended_at"] = "too_long_session"
    if content.ended_at > now + FUTURE_TOLERANCE:
        problems.setdefault("ended_at", "future")
    if not content.place.strip():
        problems["place"] = "place_required"
    elif len(content.place) > MAX_PLACE:
        problems["place"] = "too_long"
    if not _participants_ok(content.participants):
        problems["participants"] = "participants"
    for name in ("debtor_statement", "creditor_statement"):
        text = getattr(content, name)
        if not text.strip():
            problems[name] = "statement_required"
        elif len(text) > MAX_TEXT:
            problems[name] = "too_long"
    for name in ("agreed", "not_agreed"):
        if len(getattr(content, name)) > MAX_TEXT:
            problems[name] = "too_long"
    return problems


def _participants_ok(people: Sequence[Participant]) -> bool:
    """At least two people (the mediator and a party), every one named with a role."""
    if not 2 <= len(people) <= MAX_PARTICIPANTS:
        return False
    return all(
        p.name.strip() and p.role.strip() and len(p.name) <= MAX_NAME and len(p.role) <= MAX_ROLE
        for p in people
    )


def next_signers(signed: Set[str]) -> set[str]:
    """Who may sign the current version now: the parties in any order, then the mediator."""
    return who_may_sign_next(signed)


def is_confirmed(signed: Set[str]) -> bool:
    """Confirmed once both parties and the mediator signed the current version."""
    return is_in_force(signed)
