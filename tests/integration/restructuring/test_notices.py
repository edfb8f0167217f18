"""The restructuring notices: each names the organisation and the case, carries no amount,
and fits one SMS; each step of a request reaches the people it concerns."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import OutboundMessage
from app.models.notifications import Channel
from app.notifications.texts.common import SMS_MAX_CHARS
from app.notifications.texts.restructuring import RESTRUCTURING_EVENTS, restructuring_notice
from app.restructuring import requests
from tests import restructuring_support as support

ORG = "北京市朝阳区金融纠纷人民调解委员会"
LINK = "https://concord.example.cn/cases/123"


@pytest.mark.parametrize("event", RESTRUCTURING_EVENTS)
@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_each_restructuring_notice_names_the_organisation_and_case_and_no_amount(
    event: str, channel: Channel
) -> None:
    subject, body = restructuring_notice(event, ORG, "HZ-2026-000123", LINK, channel=channel)
    assert ORG in body and "HZ-2026-000123" in body and LINK in body
    assert "¥" not in body + subject and "元" not in body
    if channel == Channel.SMS:
        assert len(body) <= SMS_MAX_CHARS


def _sent(case_id: int, template: str) -> set[str]:
    """Whom the messages went to: ``debtor:<case>`` or ``user:<id>`` (the contact rules' key)."""
    return set(
        db.session.scalars(
            select(OutboundMessage.recipient_key).where(
                OutboundMessage.case_id == case_id, OutboundMessage.template == template
            )
        )
    )


def test_a_counter_offer_reaches_the_debtor_and_a_decline_the_debtor_not_the_decider(
    app: Flask,
) -> None:
    who, case, _ = support.partly_paid_case()
    requests.file_request(who["debtor"], case, "失业", support.new_schedule())
    debtor, creditor = f"debtor:{case.id}", f"user:{who['creditor'].id}"
    mediator = f"user:{who['mediator'].id}"
    requested = _sent(case.id, "restructuring_requested")
    assert {creditor, mediator} <= requested and debtor not in requested
    requests.counter_offer(who["creditor"], case, support.new_schedule(count=12))
    countered = _sent(case.id, "restructuring_countered")
    assert debtor in countered and creditor not in countered
    requests.decline_request(who["debtor"], case, "每月还不起")
    declined = _sent(case.id, "restructuring_declined")
    assert creditor in declined and debtor not in declined
