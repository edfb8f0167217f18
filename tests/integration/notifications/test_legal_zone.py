"""``TIMEZONE`` is the legal clock, and the contact rules follow it: with the application
set to Europe/Berlin (UTC+1 in December, seven hours behind Beijing), quiet hours, the
local day of the daily limit and the outbox log's stamp are Berlin's, not Shanghai's.

Issue 10: the legal zone used to be hard-coded in the outbox, so the setting only changed
the display."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from app import create_app
from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.notifications import Channel, OutboxStatus
from app.notifications.outbox import contact_policy, deliver_due
from tests.conftest import make_settings
from tests.integration.notifications.conftest import beijing, to_debtor

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026, Berlin time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def app(instance_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The application started with ``TIMEZONE=Europe/Berlin``; the legal zone of the
    process is restored afterwards."""
    previous = clock.legal_tz().key
    monkeypatch.setenv("TIMEZONE", "Europe/Berlin")
    app = create_app(make_settings(instance_path, database_url))
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()  # the database_url fixture empties the database afterwards
    finally:
        clock.configure(previous)


def test_the_setting_reaches_the_contact_rules(app: Flask) -> None:
    assert app.config["SETTINGS"].timezone == "Europe/Berlin"
    assert clock.legal_tz() == BERLIN
    assert contact_policy().tz == "Europe/Berlin"


def test_quiet_hours_are_those_of_the_legal_zone(case: Case) -> None:
    # 21:30 in Beijing is 14:30 in Berlin: allowed hours, due at once.
    assert to_debtor(case, beijing(1, 21, 30)).due_at == berlin(1, 14, 30)
    # 21:30 in Berlin waits for 08:00 in Berlin, not in Beijing.
    assert to_debtor(case, berlin(1, 21, 30)).due_at == berlin(2, 8, 0)
    # 07:30 in Berlin (14:30 in Beijing) is still the night.
    assert to_debtor(case, berlin(3, 7, 30)).due_at == berlin(3, 8, 0)


def test_the_daily_limit_counts_the_local_day_of_the_legal_zone(case: Case) -> None:
    # 18:00-20:00 on the 1st in Berlin is 01:00-03:00 on the 2nd in Beijing.
    for hour in (18, 19, 20):
        assert to_debtor(case, berlin(1, hour)).due_at == berlin(1, hour)
    # The 2nd in Berlin is a new day; on Beijing's days it would be the fourth contact.
    assert to_debtor(case, berlin(2, 8, 0)).due_at == berlin(2, 8, 0)
    for hour in (9, 10):
        to_debtor(case, berlin(2, hour))
    assert to_debtor(case, berlin(2, 11)).due_at == berlin(3, 8, 0)


def test_a_message_unsent_when_quiet_hours_begin_in_the_legal_zone_waits(case: Case) -> None:
    message = to_debtor(case, berlin(1, 20, 50))
    assert deliver_due(berlin(1, 21, 5)) == 0
    assert (message.status, message.due_at) == (OutboxStatus.QUEUED, berlin(2, 8, 0))
    assert deliver_due(berlin(2, 8, 0)) == 1
    assert message.status == OutboxStatus.SENT


def test_the_outbox_log_is_stamped_on_the_legal_clock(app: Flask, case: Case) -> None:
    to_debtor(case, berlin(1, 10), Channel.SMS)
    assert deliver_due(berlin(1, 10)) == 1
    log = (app.config["SETTINGS"].instance_path / "outbox" / "sms.log").read_text("utf-8")
    found = re.search(r"^==== (\S+) sms #", log, re.MULTILINE)
    assert found is not None
    stamp = datetime.fromisoformat(found.group(1))
    assert stamp.utcoffset() == stamp.astimezone(BERLIN).utcoffset()
