"""The closing texts follow the content rules: each names the organisation and the case,
no text a debtor may receive threatens or invokes courts or police, an SMS fits in 160
characters; the creditor's enforcement reminder names the deadline and its source."""

from __future__ import annotations

from datetime import date

import pytest

from app.models.notifications import Channel
from app.notifications.texts.closing import CLOSING_EVENTS, closing_notice, enforcement_reminder
from app.notifications.texts.common import SMS_MAX_CHARS
from tests.integration.notifications.test_messages import FORBIDDEN, LINK, ORG, REF


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
@pytest.mark.parametrize("event", CLOSING_EVENTS)
def test_every_closing_notice_names_the_case_and_stays_calm(event: str, channel: Channel) -> None:
    subject, body = closing_notice(event, ORG, REF, LINK, channel=channel)
    assert ORG in body and REF in body and REF in subject
    assert not [word for word in FORBIDDEN if word in subject + body]
    if channel == Channel.SMS:
        assert body.startswith(f"【{ORG}】") and len(body) <= SMS_MAX_CHARS


def test_the_enforcement_reminder_names_the_last_day_and_the_law() -> None:
    subject, body = enforcement_reminder(ORG, REF, LINK, date(2029, 3, 30), 30)
    assert REF in subject and ORG in body
    assert "2029年3月30日" in body and "第二百五十条" in body and LINK in body
