"""The send path's side of an organisation's own wording (:mod:`app.rules.message_templates`):
when the case's mediation organisation saved a version of a template for a channel, the
message is built from it; otherwise, or when the filled version would not fit (a long
creditor name in an SMS), the built-in text of :mod:`app.notifications.texts` is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.message_templates import OrgMessageTemplate
from app.models.notifications import Channel
from app.notifications.texts import common as messages
from app.notifications.texts.common import long_date
from app.notifications.texts.confirmation import deadline_reminder
from app.notifications.texts.repayments import payment_notice
from app.rules import message_templates as rules

Compose = Callable[[Channel], tuple[str, str]]


def sample_values(org_name: str) -> dict[str, str]:
    """The longest values a version is filled with, to measure it when it is saved."""
    public_url = current_app.config["SETTINGS"].public_url
    return {
        "org": org_name,
        "case": "HZ-2026-0000000000",
        "link": f"{public_url}/invite/{'x' * 43}",
        "creditor": "某" * 20,
        "expires_on": "2026年12月31日",
        "last_day": "2026年12月31日",
    }


def org_version(org_id: int, template: str, channel: Channel) -> OrgMessageTemplate | None:
    return db.session.scalar(
        select(OrgMessageTemplate).where(
            OrgMessageTemplate.mediation_org_id == org_id,
            OrgMessageTemplate.template == template,
            OrgMessageTemplate.channel == channel.value,
        )
    )


def org_text(
    org_id: int, template: str, channel: Channel, values: Mapping[str, str]
) -> tuple[str, str] | None:
    """``(subject, body)`` from the organisation's version, or None (use the built-in)."""
    if template not in rules.EDITABLE:
        return None
    version = org_version(org_id, template, channel)
    if version is None:
        return None
    body = rules.render(version.body, values)
    subject = rules.render(version.subject, values) if channel == Channel.EMAIL else ""
    if not rules.fits(channel.value, subject, body):
        return None
    if channel == Channel.SMS:
        subject = f"{template} {values.get('case', '')}".strip()  # the outbox's label only
    return subject, body


def org_compose(case: Case, template: str, default: Compose, values: Mapping[str, str]) -> Compose:
    """``default`` unless the case's organisation has its own version for the channel."""
    filled = {"org": case.mediation_org.name, "case": case.reference, **values}

    def compose(channel: Channel) -> tuple[str, str]:
        own = org_text(case.mediation_org_id, template, channel, filled)
        return own if own is not None else default(channel)

    return compose


_SAMPLE_DAY = date(2099, 12, 31)


def starter(template: str, channel: Channel, org_name: str) -> tuple[str, str]:
    """The built-in text of ``template`` with placeholders where the values go: where an
    organisation's own wording starts from. It is built from the longest values (an SMS
    shortens itself to fit them) and the values are then put back as placeholders."""
    values = sample_values(org_name) | {"expires_on": long_date(_SAMPLE_DAY)}
    org, ref, link = values["org"], values["case"], values["link"]
    day = values["expires_on"]
    if template == "invitation":
        build = messages.invitation_sms if channel == Channel.SMS else messages.invitation
        built = build(org, ref, values["creditor"], link, _SAMPLE_DAY)
        placeholders = {org: "{org}", ref: "{case}", link: "{link}"}
        placeholders |= {values["creditor"]: "{creditor}", day: "{expires_on}"}
    elif template.startswith("confirmation_day"):
        built = deadline_reminder(org, ref, link, _SAMPLE_DAY, channel=channel)
        placeholders = {org: "{org}", ref: "{case}", link: "{link}", day: "{last_day}"}
    else:
        built = payment_notice(template, org, ref, link, channel=channel)
        placeholders = {org: "{org}", ref: "{case}", link: "{link}"}

    def back(text: str) -> str:
        text = text.replace("{", "{{").replace("}", "}}")
        for value, placeholder in placeholders.items():
            text = text.replace(value, placeholder)
        return text

    subject, body = built
    return back(subject), back(body)
