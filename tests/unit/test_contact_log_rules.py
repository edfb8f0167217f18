"""The contact rules on logged contacts (app.rules.contact_log): quiet hours at their
edges on the Beijing clock, the fourth outreach of a day, the wrong person; and the
complaint deadline."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.rules.contact_log import (
    ContactChannel,
    Counterpart,
    Direction,
    Flag,
    complaint_due,
    contact_flags,
    is_overdue,
)

BJ = ZoneInfo("Asia/Shanghai")
OUT, IN = Direction.OUTBOUND, Direction.INBOUND
D, AGENT, G, CRED, OTHER = (
    Counterpart.DEBTOR,
    Counterpart.DEBTOR_AGENT,
    Counterpart.GUARANTOR,
    Counterpart.CREDITOR,
    Counterpart.OTHER,
)
PHONE, LETTER = ContactChannel.PHONE, ContactChannel.LETTER


def at(hh: int, mm: int) -> datetime:
    return datetime(2026, 12, 1, hh, mm, tzinfo=BJ)


@pytest.mark.parametrize(
    ("moment", "direction", "channel", "who", "others", "expected"),
    [
        # quiet hours 21:00–08:00 (BRIEF §6, stricter than the industry's 22:00)
        (at(20, 59), OUT, PHONE, D, 0, []),
        (at(21, 0), OUT, PHONE, D, 0, [Flag.QUIET_HOURS]),
        (at(21, 59), OUT, PHONE, D, 0, [Flag.QUIET_HOURS]),
        (at(22, 0), OUT, PHONE, D, 0, [Flag.QUIET_HOURS]),
        (at(0, 30), OUT, PHONE, D, 0, [Flag.QUIET_HOURS]),
        (at(7, 59), OUT, PHONE, D, 0, [Flag.QUIET_HOURS]),
        (at(8, 0), OUT, PHONE, D, 0, []),
        # the same instants given in UTC are judged on the Beijing clock
        (
            datetime(2026, 12, 1, 13, 59, tzinfo=ZoneInfo("UTC")),
            OUT,
            PHONE,
            D,
            0,
            [Flag.QUIET_HOURS],
        ),
        (datetime(2026, 12, 1, 0, 0, tzinfo=ZoneInfo("UTC")), OUT, PHONE, D, 0, []),
        # a debtor who calls in at night breaks no rule; a letter has no hour
        (at(22, 0), IN, PHONE, D, 0, []),
        (at(22, 0), OUT, LETTER, D, 0, []),
        # the daily cap: three outreach a day, the fourth is flagged
        (at(10, 0), OUT, PHONE, D, 2, []),
        (at(10, 0), OUT, PHONE, D, 3, [Flag.DAILY_CAP]),
        (at(10, 0), OUT, ContactChannel.VIDEO, AGENT, 5, [Flag.DAILY_CAP]),
        (at(10, 0), IN, PHONE, D, 3, []),
        # whom: the debtor, a guarantor or their agent; anyone else is the wrong person
        (at(10, 0), OUT, PHONE, AGENT, 0, []),
        (at(10, 0), OUT, PHONE, G, 0, []),
        (at(10, 0), OUT, PHONE, OTHER, 0, [Flag.WRONG_PERSON]),
        (at(22, 0), OUT, PHONE, OTHER, 3, [Flag.QUIET_HOURS, Flag.DAILY_CAP, Flag.WRONG_PERSON]),
        # the mediator's call to the creditor is not outreach to the debtor
        (at(22, 0), OUT, PHONE, CRED, 9, []),
    ],
)
def test_flags(moment, direction, channel, who, others, expected) -> None:
    flags = contact_flags(
        moment=moment,
        direction=direction,
        channel=channel,
        counterpart=who,
        other_outreach_that_day=others,
    )
    assert flags == expected


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        contact_flags(
            moment=datetime(2026, 12, 1, 22, 0),
            direction=OUT,
            channel=PHONE,
            counterpart=D,
            other_outreach_that_day=0,
        )


def test_complaint_deadline_is_fifteen_days() -> None:
    assert complaint_due(date(2026, 12, 1)) == date(2026, 12, 16)
    assert not is_overdue(date(2026, 12, 16), date(2026, 12, 16), answered=False)
    assert is_overdue(date(2026, 12, 16), date(2026, 12, 17), answered=False)
    assert not is_overdue(date(2026, 12, 16), date(2026, 12, 30), answered=True)
