"""The suite's clock: every test starts at the frozen instant (``CONCORD_TEST_NOW``), time
flows from there, and a test that needs another moment travels and comes back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from app.core import clock
from tests.conftest import BEIJING, TEST_NOW


def _close_to(moment: datetime, expected: datetime) -> bool:
    return timedelta(0) <= moment - expected < timedelta(minutes=1)


def test_a_test_starts_at_the_frozen_instant_and_time_flows() -> None:
    first = clock.now()
    assert _close_to(first, TEST_NOW)
    assert clock.now() >= first  # tick=True: time is not stuck


def test_a_test_may_travel_and_comes_back(frozen_clock: time_machine.Traveller) -> None:
    night = datetime(2026, 12, 1, 23, 15, tzinfo=BEIJING)
    with time_machine.travel(night, tick=False):
        assert clock.now() == night
        assert clock.local(clock.now()).hour == 23
    assert _close_to(clock.now(), TEST_NOW)
    frozen_clock.move_to(night)
    assert _close_to(clock.now(), night)


def test_replaying_sets_the_application_clock_back_and_returns() -> None:
    """The demo seeder's replay: the application's clock (and the model defaults that read
    it) runs from the replayed instant inside the block, the present after it, even when
    the block fails; a naive instant is refused."""
    past = datetime(2026, 7, 28, 10, 0, tzinfo=BEIJING)
    with clock.replaying(past):
        assert _close_to(clock.now(), past)
        assert clock.today() == past.date()
        later = datetime(2026, 8, 17, 10, 0, tzinfo=BEIJING)
        with clock.replaying(later):  # nests
            assert _close_to(clock.now(), later)
        assert _close_to(clock.now(), past)
    assert _close_to(clock.now(), TEST_NOW)
    with pytest.raises(RuntimeError), clock.replaying(past):
        raise RuntimeError("the step failed")
    assert _close_to(clock.now(), TEST_NOW)
    with pytest.raises(ValueError), clock.replaying(datetime(2026, 7, 28, 10, 0)):
        pass
