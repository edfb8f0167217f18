"""The landing page and each role's home page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, can, public, requires, role_home_endpoint
from app.accounts.activity import cases_of, colleagues, is_party_only, recent_activity
from app.accounts.home_sections import home_sections
from app.audit import action_label
from app.certificates.views import debtor_certificates
from app.core import clock
from app.core.parties import licence_label, role_label, state_label
from app.repayments.presenters import debtor_summaries

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for(role_home_endpoint(current_user)))
    return render_template("home/index.html")


def _home(template: str, **extra: Any) -> str:
    user = current_user._get_current_object()
    return render_template(
        template,
        user=user,
        role=role_label(user.role),
        activity=[(ev.occurred_at, action_label(ev.action)) for ev in recent_activity(user)],
        colleagues=colleagues(user),
        licence=licence_label(user.creditor_org.licence_type) if user.creditor_org else None,
        cases=[(case, state_label(case.state)) for case in cases_of(user, limit=5)],
        home_sections=home_sections(user),
        **extra,
    )


@bp.route("/creditor")
@requires(Permission.CREDITOR_WORKSPACE)
def creditor() -> str:
    user = current_user._get_current_object()
    # Its administrator keeps the organisation's papers and seal (app.accounts.views.creditor).
    org = user.creditor_org
    return _home(
        "home/creditor.html",
        may_keep_profile=org is not None and can(user, Permission.CREDITOR_PROFILE_MANAGE, org),
    )


@bp.route("/debtor")
@requires(Permission.DEBTOR_WORKSPACE)
def debtor() -> str:
    user = current_user._get_current_object()
    # What to pay next, for each case whose agreement is being performed.
    return _home(
        "home/debtor.html",
        repayments=debtor_summaries(user, clock.today()),
        certificates=debtor_certificates(user),
        # A guarantor or co-borrower who is no debtor anywhere: what they do here is sign
        # (app.access), not answer the claim or propose terms.
        party_only=is_party_only(user),
    )


@bp.route("/mediator")
@requires(Permission.DOCKET_VIEW)
def mediator() -> Response:
    # A mediator's home is their docket; the old address keeps working for bookmarks.
    return redirect(url_for("docket.index"))
