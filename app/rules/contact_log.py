"""The contact rules applied to contacts people log (calls, visits, letters), and the
deadline of a complaint.

The product cannot stop a phone call, but it can make a breach visible: a logged
outbound contact with a debtor's side is checked against the same rules as the outbox
(:mod:`app.rules.contact_rules`): not in quiet hours (21:00–08:00 on the legal clock), at
most three outreach contacts a day across all channels and cases, and never anyone but
the debtor, a guarantor or their authorised agent. A contact the debtor starts (inbound)
is not outreach and breaks none of them. A letter has no hour worth checking.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from app.rules.contact_rules import DEFAULT_POLICY, ContactPolicy, is_quiet


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class ContactChannel(StrEnum):
    PHONE = "phone"
    VIDEO = "video"
    SMS = "sms"
    EMAIL = "email"
    IN_PERSON = "in_person"
    LETTER = "letter"


class Counterpart(StrEnum):
    """Whom the contact was with. The debtor's side may be contacted; ``other`` (a
    relative, an employer, a neighbour) may not (BRIEF rule: never anyone but the debtor,
    a guarantor or their authorised agent)."""

    DEBTOR = "debtor"
    DEBTOR_AGENT = "debtor_agent"
    GUARANTOR = "guarantor"
    CREDITOR = "creditor"
    OTHER = "other"


class Outcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    REFUSED = "refused"


class Flag(StrEnum):
    QUIET_HOURS = "quiet_hours"
    DAILY_CAP = "daily_cap"
    WRONG_PERSON = "wrong_person"


DEBTOR_SIDE = frozenset({Counterpart.DEBTOR, Counterpart.DEBTOR_AGENT, Counterpart.GUARANTOR})
# Channels a recording can be made of (a call or a session).
RECORDABLE = frozenset({ContactChannel.PHONE, ContactChannel.VIDEO, ContactChannel.IN_PERSON})

# Complaint handling: the mediation organisation answers within 15 days of receipt. No
# rule binds a mediation organisation to a period; we adopt the one the banking
# regulator sets for the institutions whose debts are mediated here (银行业保险业消费投诉
# 处理管理办法, CBIRC Order 2020 No. 3: a decision within 15 days of receipt, up to 30 for
# complex complaints).
COMPLAINT_DAYS = 15


def is_outreach(direction: Direction, counterpart: Counterpart) -> bool:
    """An outbound contact with anyone but the creditor's side counts against the debtor."""
    return direction == Direction.OUTBOUND and counterpart != Counterpart.CREDITOR


def contact_flags(
    *,
    moment: datetime,
    direction: Direction,
    channel: ContactChannel,
    counterpart: Counterpart,
    other_outreach_that_day: int,
    policy: ContactPolicy = DEFAULT_POLICY,
) -> list[Flag]:
    """The rules a logged contact breaks. ``other_outreach_that_day`` counts the debtor's
    other outreach on the same local day (logged contacts and the outbox's outreach)."""
    if not is_outreach(direction, counterpart):
        return []
    flags: list[Flag] = []
    if channel != ContactChannel.LETTER and is_quiet(moment, policy):
        flags.append(Flag.QUIET_HOURS)
    if other_outreach_that_day >= policy.daily_limit:
        flags.append(Flag.DAILY_CAP)
    if counterpart == Counterpart.OTHER:
        flags.append(Flag.WRONG_PERSON)
    return flags


def complaint_due(filed_on: date) -> date:
    """The last day to answer a complaint received on ``filed_on`` (calendar days)."""
    return filed_on + timedelta(days=COMPLAINT_DAYS)


def is_overdue(due_on: date, today: date, answered: bool) -> bool:
    return not answered and today > due_on
