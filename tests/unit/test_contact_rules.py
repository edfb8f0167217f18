"""No message to a debtor in quiet hours (21:00–08:00 Shanghai) and at most three a day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.rules.contact_rules import ContactPolicy, earliest_delivery, is_quiet

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A moment in Shanghai in March 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def three_on(day: int) -> list[datetime]:
    return [sh(day, 9), sh(day, 12), sh(day, 18)]


@pytest.mark.parametrize(
    ("wanted", "scheduled", "expected"),
    [
        (sh(10, 21, 30), [], sh(11, 8)),  # queued in the evening: next morning
        (sh(10, 21, 0), [], sh(11, 8)),  # quiet hours start at 21:00 sharp
        (sh(10, 23, 59), [], sh(11, 8)),
        (sh(11, 0, 0), [], sh(11, 8)),  # after midnight: the same morning
        (sh(10, 7, 59), [], sh(10, 8)),
        (sh(10, 8, 0), [], sh(10, 8)),
        (sh(10, 20, 59), [], sh(10, 20, 59)),
        (sh(10, 14), [sh(10, 9), sh(10, 12)], sh(10, 14)),  # the third of the day goes
        (sh(10, 14), three_on(10), sh(11, 8)),  # the fourth waits for tomorrow
        (sh(10, 14), three_on(10) + three_on(11), sh(12, 8)),  # tomorrow full too
        (sh(10, 23), three_on(11), sh(12, 8)),  # night message, next day full
        (sh(10, 23), three_on(11) + three_on(12), sh(13, 8)),
        (sh(10, 7), three_on(10), sh(11, 8)),  # early and the day already full
        (sh(10, 14), three_on(9) + three_on(11), sh(10, 14)),  # other days do not count
        (sh(31, 22), [sh(1, 9, month=4)] * 3, sh(2, 8, month=4)),  # across a month end
    ],
)
def test_delivery_waits_for_daytime_and_a_day_with_room(
    wanted: datetime, scheduled: list[datetime], expected: datetime
) -> None:
    delivered = earliest_delivery(wanted, scheduled)
    assert delivered == expected
    assert delivered.tzinfo is UTC


@pytest.mark.parametrize(
    ("wanted", "scheduled", "expected"),
    [
        # 13:30 UTC is 21:30 in Shanghai: delivered at 08:00 Shanghai, 00:00 UTC.
        (datetime(2026, 3, 10, 13, 30, tzinfo=UTC), [], datetime(2026, 3, 11, 0, 0, tzinfo=UTC)),
        (datetime(2026, 3, 10, 12, 59, tzinfo=UTC), [], datetime(2026, 3, 10, 12, 59, tzinfo=UTC)),
        # 23:30 UTC on the 10th is 07:30 on the 11th in Shanghai.
        (datetime(2026, 3, 10, 23, 30, tzinfo=UTC), [], datetime(2026, 3, 11, 0, 0, tzinfo=UTC)),
        # Scheduled times given in UTC are counted on their Shanghai day (the 11th).
        (
            sh(11, 10),
            [datetime(2026, 3, 10, 16, 0, tzinfo=UTC)] * 3,
            datetime(2026, 3, 12, 0, 0, tzinfo=UTC),
        ),
        # New York 09:30 (EDT) is 21:30 in Shanghai.
        (
            datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo("America/New_York")),
            [],
            datetime(2026, 3, 11, 0, 0, tzinfo=UTC),
        ),
    ],
)
def test_times_in_other_zones_are_read_in_shanghai_time(
    wanted: datetime, scheduled: list[datetime], expected: datetime
) -> None:
    assert earliest_delivery(wanted, scheduled) == expected


@pytest.mark.parametrize(
    ("wanted", "scheduled"),
    [
        (datetime(2026, 3, 10, 12, 0), []),
        (sh(10, 12), [datetime(2026, 3, 10, 9, 0)]),
    ],
)
def test_naive_datetimes_are_refused(wanted: datetime, scheduled: list[datetime]) -> None:
    with pytest.raises(ValueError, match="naive"):
        earliest_delivery(wanted, scheduled)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (sh(10, 20, 59), False),
        (sh(10, 21, 0), True),
        (sh(10, 3, 0), True),
        (sh(10, 7, 59), True),
        (sh(10, 8, 0), False),
        (datetime(2026, 3, 10, 13, 0, tzinfo=UTC), True),  # 21:00 in Shanghai
        (datetime(2026, 3, 10, 8, 0, tzinfo=timezone(timedelta(hours=8))), False),
        (datetime(2026, 3, 10, 0, 0, tzinfo=timezone(timedelta(hours=8))), True),
    ],
)
def test_quiet_hours_run_from_nine_in_the_evening_to_eight_in_the_morning(
    moment: datetime, quiet: bool
) -> None:
    assert is_quiet(moment) is quiet


def test_is_quiet_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        is_quiet(datetime(2026, 3, 10, 22, 0))


@pytest.mark.parametrize(
    ("policy", "wanted", "scheduled", "expected"),
    [
        (ContactPolicy(quiet_start=time(22, 0)), sh(10, 21, 30), [], sh(10, 21, 30)),
        (ContactPolicy(quiet_end=time(9, 0)), sh(10, 8, 30), [], sh(10, 9)),
        (ContactPolicy(daily_limit=1), sh(10, 14), [sh(10, 9)], sh(11, 8)),
        # A quiet window inside the day (12:00–14:00): a full day moves to midnight.
        (
            ContactPolicy(quiet_start=time(12), quiet_end=time(14)),
            sh(10, 13),
            [],
            sh(10, 14),
        ),
        (
            ContactPolicy(quiet_start=time(12), quiet_end=time(14)),
            sh(10, 15),
            three_on(10),
            sh(11, 0),
        ),
    ],
)
def test_the_rules_follow_the_policy(
    policy: ContactPolicy, wanted: datetime, scheduled: list[datetime], expected: datetime
) -> None:
    assert earliest_delivery(wanted, scheduled, policy) == expected


@pytest.mark.parametrize(
    "settings",
    [{"daily_limit": 0}, {"daily_limit": -1}, {"tz": "Mars/Olympus_Mons"}],
)
def test_a_policy_that_could_never_deliver_is_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ContactPolicy(**settings)  # type: ignore[arg-type]


def test_the_defaults_are_the_brief_s_rules() -> None:
    assert ContactPolicy() == ContactPolicy(time(21), time(8), 3, "Asia/Shanghai")
