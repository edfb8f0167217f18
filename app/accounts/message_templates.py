"""The organisation administrator saves or drops the organisation's own wording of an
outreach message (the limits: :mod:`app.rules.message_templates`; the send path:
:mod:`app.notifications.org_templates`)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.errors import InvalidInput
from app.core.transaction import use_case
from app.extensions import db
from app.models.message_templates import OrgMessageTemplate
from app.models.notifications import Channel
from app.models.organisations import MediationOrganisation
from app.models.users import User
from app.notifications.org_templates import org_version, sample_values, starter
from app.rules import message_templates as rules

PROBLEM_WORDS = {
    "required": _l("This cannot be empty."),
    "bad_placeholder": _l(
        "A placeholder is written as a name in braces, like {org}; to write a brace itself, "
        "double it."
    ),
    "unknown_placeholder": _l("This message has no placeholder {%(name)s}."),
    "missing_placeholder": _l(
        "The message must contain {%(name)s}: every message names the organisation and the "
        "case, and carries the link the debtor answers through."
    ),
    "sms_too_long": _l(
        "Filled with the organisation's name and the longest case reference and link, the SMS "
        "would be over %(n)s characters.",
        n=rules.SMS_MAX_CHARS,
    ),
    "too_long": _l("Filled with the longest values, this would be too long."),
    "not_editable": _l("This message cannot be changed."),
}


class TemplateRefused(InvalidInput):
    """The version breaks a limit; ``findings`` holds the :class:`~app.rules.message_templates.
    Problem` list."""

    messages = {"invalid": _l("The wording was not saved: see the notes at the fields.")}


def problem_text(problem: rules.Problem, locale: str) -> str:
    if problem.finding is not None:
        return f"“{problem.finding.excerpt}”：{problem.finding.message(locale)}"
    words = PROBLEM_WORDS[problem.code]
    return str(words) % {"name": problem.name} if "%(name)s" in str(words) else str(words)


@dataclass(frozen=True)
class TemplateRow:
    template: str
    channel: str
    own: bool


def template_rows(org: MediationOrganisation) -> list[TemplateRow]:
    saved = {
        (row.template, row.channel)
        for row in db.session.scalars(
            select(OrgMessageTemplate).where(OrgMessageTemplate.mediation_org_id == org.id)
        )
    }
    return [
        TemplateRow(template, channel, (template, channel) in saved)
        for template in rules.EDITABLE
        for channel in rules.CHANNELS
    ]


def current_text(org: MediationOrganisation, template: str, channel: str) -> tuple[str, str, bool]:
    """``(subject, body, own)``: the organisation's version, else the built-in starter."""
    version = org_version(org.id, template, Channel(channel))
    if version is not None:
        return version.subject, version.body, True
    subject, body = starter(template, Channel(channel), org.name)
    return subject, body, False


@use_case
def save_version(
    actor: User, org: MediationOrganisation, template: str, channel: str, subject: str, body: str
) -> OrgMessageTemplate:
    """Keep the organisation's wording once it passes every limit; refused:
    :class:`TemplateRefused` with the problems."""
    subject = " ".join(subject.split()) if channel == "email" else ""
    body = body.replace("\r\n", "\n").strip()
    problems = rules.check_version(
        template, channel, subject, body, org_name=org.name, sample=sample_values(org.name)
    )
    if problems:
        raise TemplateRefused("invalid", findings=problems)
    row = db.session.scalar(
        select(OrgMessageTemplate).where(
            OrgMessageTemplate.mediation_org_id == org.id,
            OrgMessageTemplate.template == template,
            OrgMessageTemplate.channel == channel,
        )
    )
    if row is None:
        row = OrgMessageTemplate(mediation_org_id=org.id, template=template, channel=channel)
        db.session.add(row)
    row.subject, row.body = subject, body
    row.updated_at, row.updated_by_id = clock.now(), actor.id
    db.session.flush()
    audit.record(
        AuditAction.TEMPLATE_SAVE,
        actor=actor,
        object_type="message_template",
        object_id=row.id,
        data={"template": template, "channel": channel, "length": len(body)},
    )
    return row


@use_case
def reset_version(actor: User, org: MediationOrganisation, template: str, channel: str) -> None:
    """Drop the organisation's wording: the built-in text is sent again."""
    row = db.session.scalar(
        select(OrgMessageTemplate).where(
            OrgMessageTemplate.mediation_org_id == org.id,
            OrgMessageTemplate.template == template,
            OrgMessageTemplate.channel == channel,
        )
    )
    if row is None:
        return
    audit.record(
        AuditAction.TEMPLATE_RESET,
        actor=actor,
        object_type="message_template",
        object_id=row.id,
        data={"template": template, "channel": channel},
    )
    db.session.delete(row)
