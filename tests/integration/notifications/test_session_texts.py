"""The session texts follow the content rules: each names the organisation and the case
and the time on the legal clock, none threatens or invokes courts or police, an SMS fits
in 160 characters, and a name with a line break stays on one line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.models.notifications import Channel
from app.notifications.texts.common import SMS_MAX_CHARS
from app.notifications.texts.sessions import SESSION_EVENTS, session_notice
from tests.integration.notifications.test_messages import FORBIDDEN, LINK, ORG, REF

WHEN = datetime(2026, 12, 3, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
@pytest.mark.parametrize("kind", ["joint", "caucus_debtor"])
@pytest.mark.parametrize("event", SESSION_EVENTS)
def test_every_session_notice_names_the_case_the_time_and_stays_calm(
    event: str, kind: str, channel: Channel
) -> None:
    subject, body = session_notice(
        event,
        ORG,
        REF,
        LINK,
        kind=kind,
        means="video",
        when=WHEN,
        side="debtor",
        answer="other_time",
        channel=channel,
    )
    assert ORG in body and REF in body and REF in subject
    assert "2026年12月3日 14:30" in body
    assert not [word for word in FORBIDDEN if word in subject + body]
    if channel == Channel.SMS:
        assert body.startswith(f"【{ORG}】") and len(body) <= SMS_MAX_CHARS


def test_a_name_with_a_line_break_stays_on_one_line_in_the_subject() -> None:
    subject, _ = session_notice(
        "session_invitation", "和衷\n调解", REF, LINK, kind="joint", means="phone", when=WHEN
    )
    assert "\n" not in subject and "和衷 调解" in subject
