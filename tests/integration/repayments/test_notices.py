"""The payment notices: each names the organisation and the case, carries no amount, and
fits one SMS."""

from __future__ import annotations

import pytest

from app.models.notifications import Channel
from app.notifications.texts.common import SMS_MAX_CHARS
from app.notifications.texts.repayments import PAYMENT_EVENTS, payment_notice

ORG = "北京市朝阳区金融纠纷人民调解委员会"
LINK = "https://concord.example.cn/cases/123"


@pytest.mark.parametrize("event", PAYMENT_EVENTS)
@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_each_payment_notice_names_the_organisation_and_case_and_no_amount(
    event: str, channel: Channel
) -> None:
    subject, body = payment_notice(event, ORG, "HZ-2026-000123", LINK, channel=channel)
    assert ORG in body and "HZ-2026-000123" in body and LINK in body
    assert "¥" not in body + subject and "元" not in body
    if channel == Channel.SMS:
        assert len(body) <= SMS_MAX_CHARS


def test_an_unknown_event_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        payment_notice("payment_lost", ORG, "HZ-2026-000123", LINK)
