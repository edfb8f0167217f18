"""Bulk actions on the docket: the cases ticked on a page (or all of the page) assigned to
a mediator by the admin, or sent a new invitation link each after a page that shows when
every message will go out under the contact rules (:mod:`app.cases.bulk`).

The docket's own query is not touched: the docket page only adds the tick boxes, and
these routes take the ids the form sends, each checked again against the user's docket.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, can, requires
from app.cases import bulk
from app.core import clock, prg
from app.core.errors import DomainError
from app.extensions import db
from app.models.users import User

bp = Blueprint("docket_bulk", __name__, url_prefix="/docket/bulk")

MAX_REFUSALS_SHOWN = 20


def _user() -> User:
    return current_user._get_current_object()


def _docket() -> str:
    return url_for("docket.index")


def docket_actions(user: User) -> dict[str, Any] | None:
    """What the docket page offers for a selection (None: nothing, no tick boxes)."""
    if not can(user, Permission.BULK_INVITE):
        return None
    assign = can(user, Permission.CASE_REASSIGN)
    return {
        "url": url_for("docket_bulk.act"),
        "assign": assign,
        "mediators": [(m.id, m.name) for m in bulk.mediators_for(user)] if assign else [],
    }


def _ids() -> list[int]:
    """The ticked cases; with "all on this page", every case the page listed."""
    raw = request.form.getlist("case")
    if request.form.get("all_on_page"):
        raw += request.form.getlist("page_case")
    return bulk.parse_ids(raw)


@bp.route("", methods=["POST"])
@requires(Permission.BULK_INVITE)
def act() -> Response:
    """The docket's form: assign the selection at once, or review its invitations first."""
    action = request.form.get("action", "")
    try:
        ids = _ids()
        if action == "invite":
            return redirect(url_for("docket_bulk.review", case=ids), code=303)
        if action != "assign" or not can(current_user, Permission.CASE_REASSIGN):
            raise bulk.BulkInvalid("unknown_action", "action")
        mediator = db.session.get(User, _int(request.form.get("mediator_id")))
        outcome = bulk.assign_cases(_user(), ids, mediator)
    except DomainError as err:
        return prg.refused_to(_docket(), err.message, err.status, code=err.code)
    assert mediator is not None
    done = len(outcome.done)
    flash(
        ngettext(
            "%(num)s case was assigned to %(name)s.",
            "%(num)s cases were assigned to %(name)s.",
            done,
            name=mediator.name,
        ),
        "success" if done else "error",
    )
    _report(outcome)
    return redirect(_docket())


def _int(raw: str | None) -> int:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0


def _report(outcome: bulk.Outcome) -> None:
    """Each refused case with its reason; the ids not on the user's docket only counted."""
    for case, reason in outcome.refused[:MAX_REFUSALS_SHOWN]:
        flash(_("%(reference)s: %(reason)s", reference=case.reference, reason=reason), "error")
    if len(outcome.refused) > MAX_REFUSALS_SHOWN:
        more = len(outcome.refused) - MAX_REFUSALS_SHOWN
        flash(_("… and %(num)s more cases refused.", num=more), "error")
    if outcome.not_found:
        flash(
            ngettext(
                "%(num)s selected case is not on your docket and was left out.",
                "%(num)s selected cases are not on your docket and were left out.",
                outcome.not_found,
            ),
            "error",
        )


@bp.route("/invitations")
@requires(Permission.BULK_INVITE)
def review() -> str | Response:
    """The schedule of the selection's invitations, to confirm before anything is sent."""
    try:
        ids = bulk.parse_ids(request.args.getlist("case"))
    except DomainError as err:
        return prg.refused_to(_docket(), err.message, err.status, code=err.code)
    plan = bulk.plan_invitations(_user(), ids)
    return render_template(
        "docket/bulk_invitations.html",
        days=[_day_view(d) for d in plan.days],
        cases=[_case_view(p) for p in plan.cases],
        refused=[(c.reference, reason) for c, reason in plan.refused],
        without_address=[c.reference for c in plan.without_address],
        not_found=plan.not_found,
        ids=[p.case.id for p in plan.cases],
        send_url=url_for("docket_bulk.send"),
        back_url=_docket(),
    )


def _day_label(day: Any) -> str:
    today = clock.today()
    if day == today:
        return _("Today")
    if day == today + timedelta(days=1):
        return _("Tomorrow")
    return format_date(day, "full")


def _time(moment: Any) -> str:
    return format_time(clock.local(moment), "HH:mm")


def _day_view(day: bulk.DayPlan) -> dict[str, Any]:
    return {
        "label": _day_label(day.day),
        "iso": day.day.isoformat(),
        "messages": day.messages,
        "cases": day.cases,
        "first": _time(day.first),
        "last": _time(day.last),
    }


def _case_view(planned: bulk.PlannedCase) -> dict[str, Any]:
    return {
        "id": planned.case.id,
        "reference": planned.case.reference,
        "times": [f"{_day_label(clock.day_of(t))} {_time(t)}" for t in planned.times],
    }


@bp.route("/invitations/send", methods=["POST"])
@requires(Permission.BULK_INVITE)
def send() -> Response:
    """Send the invitations the schedule showed (each case checked again)."""
    try:
        ids = bulk.parse_ids(request.form.getlist("case"))
        outcome = bulk.send_invitations(_user(), ids)
    except DomainError as err:
        return prg.refused_to(_docket(), err.message, err.status, code=err.code)
    done = len(outcome.done)
    flash(
        ngettext(
            "A new invitation link was issued for %(num)s case; its messages go out as "
            "the schedule showed.",
            "New invitation links were issued for %(num)s cases; their messages go out as "
            "the schedule showed.",
            done,
        ),
        "success" if done else "error",
    )
    _report(outcome)
    return redirect(_docket())
