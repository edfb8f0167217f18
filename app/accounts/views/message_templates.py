"""The organisation administrator's page for the organisation's own wording of its outreach
messages (:mod:`app.accounts.message_templates`). Only the organisation's own admin: the
role check answers 403 to mediators, creditors and debtors, another organisation's admin
gets 404 (ids of other organisations do not leak)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, requires, requires_object
from app.accounts import message_templates as service
from app.core import prg
from app.extensions import db
from app.models.notifications import Channel
from app.models.organisations import MediationOrganisation
from app.models.users import User
from app.notifications.content import marked_runs
from app.notifications.org_templates import starter
from app.rules import message_templates as rules
from app.rules.message_templates import Problem

bp = Blueprint("message_templates", __name__, url_prefix="/admin/organisations/<int:org_id>")

_NAMES = {
    "invitation": _l("Invitation to mediation"),
    "reminder_before": _l("Repayment reminder (3 days before)"),
    "reminder_due": _l("Repayment reminder (due today)"),
    "reminder_missed": _l("Overdue repayment"),
    "confirmation_day20": _l("Judicial confirmation deadline (day 20)"),
    "confirmation_day27": _l("Judicial confirmation deadline (day 27)"),
}


def template_name(template: str) -> str:
    return str(_NAMES[template])


def _org(org_id: int) -> MediationOrganisation:
    org = db.session.get(MediationOrganisation, org_id)
    requires_object(Permission.TEMPLATE_MANAGE, org)
    assert org is not None
    return org


def _editable(template: str, channel: str) -> None:
    if template not in rules.EDITABLE or channel not in rules.CHANNELS:
        abort(404)


def _user() -> User:
    return current_user._get_current_object()


@bp.route("/templates")
@requires(Permission.TEMPLATE_MANAGE)
def index(org_id: int) -> str:
    org = _org(org_id)
    rows = [
        {
            "name": template_name(row.template),
            "channel": _("SMS") if row.channel == "sms" else _("E-mail"),
            "own": row.own,
            "url": url_for(
                "message_templates.edit",
                org_id=org.id,
                template=row.template,
                channel=row.channel,
            ),
        }
        for row in service.template_rows(org)
    ]
    return render_template("admin/templates.html", org=org, rows=rows)


@bp.route("/templates/<template>/<channel>", methods=["GET", "POST"])
@requires(Permission.TEMPLATE_MANAGE)
def edit(org_id: int, template: str, channel: str) -> Response | tuple[str, int]:
    org = _org(org_id)
    _editable(template, channel)
    if request.method == "POST":
        return _save(org, template, channel)
    stash = prg.take()
    subject, body, own = service.current_text(org, template, channel)
    if stash:
        subject, body = stash.value("subject"), stash.value("body")
    findings = stash.extra.get("findings") or []
    built_in = starter(template, Channel(channel), org.name)
    page = {
        "org": org,
        "name": template_name(template),
        "channel": channel,
        "subject": subject,
        "body": body,
        "own": own,
        "errors": stash.errors,
        "findings": findings,
        "marked": marked_runs(body, findings) if findings else [],
        "placeholders": rules.placeholders_of(template),
        "required": rules.REQUIRED,
        "sms_max": rules.SMS_MAX_CHARS,
        "built_in": built_in,
        "reset_url": url_for(
            "message_templates.reset", org_id=org.id, template=template, channel=channel
        ),
    }
    return render_template("admin/template_edit.html", p=page), stash.status


def _save(org: MediationOrganisation, template: str, channel: str) -> Response:
    subject, body = request.form.get("subject", ""), request.form.get("body", "")
    try:
        service.save_version(_user(), org, template, channel, subject, body)
    except service.TemplateRefused as err:
        locale = str(get_locale())
        errors: dict[str, str] = {}
        for problem in err.findings:
            if isinstance(problem, Problem):
                text = service.problem_text(problem, locale)
                errors[problem.field] = " ".join(filter(None, [errors.get(problem.field), text]))
        findings = [
            {"start": p.finding.start, "end": p.finding.end}
            for p in err.findings
            if isinstance(p, Problem) and p.finding is not None and p.field == "body"
        ]
        return prg.redirect_with(
            request.path, errors, extra={"findings": findings}, status=err.status
        )
    flash(_("The organisation's wording was saved; it is used from the next message."), "success")
    return redirect(url_for("message_templates.index", org_id=org.id))


@bp.route("/templates/<template>/<channel>/reset", methods=["POST"])
@requires(Permission.TEMPLATE_MANAGE)
def reset(org_id: int, template: str, channel: str) -> Response:
    org = _org(org_id)
    _editable(template, channel)
    service.reset_version(_user(), org, template, channel)
    flash(_("The built-in wording is used again."), "success")
    return redirect(url_for("message_templates.index", org_id=org.id))
