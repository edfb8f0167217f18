"""The built-in texts of the editable outreach messages, as an organisation's editor
starts from them (app.notifications.org_templates.starter): each passes every limit an
organisation's own version must pass (app.rules.message_templates), so the built-in
wording itself names the organisation, the case and the link and passes the content
checker."""

from __future__ import annotations

import pytest
from flask import Flask

from app.extensions import db
from app.models.message_templates import OrgMessageTemplate
from app.models.notifications import Channel
from app.models.users import Role
from app.notifications.org_templates import org_text, sample_values, starter
from app.rules import message_templates as rules
from tests.factories import make_mediation_org, make_user

EDITABLE = [(t, c) for t in rules.EDITABLE for c in rules.CHANNELS]


@pytest.mark.parametrize(("template", "channel"), EDITABLE)
def test_every_built_in_text_passes_the_limits_of_an_own_version(
    app: Flask, template: str, channel: str
) -> None:
    org = "某市金融纠纷人民调解委员会"
    subject, body = starter(template, Channel(channel), org)
    assert "{org}" in body and "{case}" in body and org not in body
    problems = rules.check_version(
        template, channel, subject, body, org_name=org, sample=sample_values(org)
    )
    assert problems == []


def test_without_an_own_version_the_built_in_text_is_sent(app: Flask) -> None:
    org = make_mediation_org()
    values = {"org": org.name, "case": "HZ-2026-1", "link": "https://x/1"}
    assert org_text(org.id, "reminder_due", Channel.SMS, values) is None
    assert org_text(org.id, "one_time_code", Channel.SMS, values) is None  # never editable


def test_an_own_sms_that_does_not_fit_once_filled_gives_way_to_the_built_in(app: Flask) -> None:
    """Saved versions are measured with long sample values; a longer real value (a very
    long creditor name) must still never send an SMS over 160 characters."""
    org = make_mediation_org()
    admin = make_user(Role.ADMIN, mediation_org=org)
    db.session.add(
        OrgMessageTemplate(
            mediation_org_id=org.id,
            template="invitation",
            channel="sms",
            body="【{org}】{creditor}申请调解（{case}）：{link}",
            updated_by_id=admin.id,
        )
    )
    db.session.commit()
    values = {"org": org.name, "case": "HZ-2026-1", "link": "https://x/1"}
    short = org_text(org.id, "invitation", Channel.SMS, values | {"creditor": "某银行"})
    assert (
        short is not None and short[1] == f"【{org.name}】某银行申请调解（HZ-2026-1）：https://x/1"
    )
    assert org_text(org.id, "invitation", Channel.SMS, values | {"creditor": "长" * 200}) is None
