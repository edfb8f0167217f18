"""The mediator's reveal of the debtor's contact details (:mod:`app.cases.contacts`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, redirect, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, can, requires, requires_object
from app.cases.contacts import contact_view, reveal_contact
from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.users import User

bp = Blueprint("contacts", __name__)
SESSION_KEY = "contact_revealed"  # case id → until (ISO instant); no contact data


@bp.route("/cases/<int:case_id>/contact/reveal", methods=["POST"])
@requires(Permission.CONTACT_REVEAL)
def reveal(case_id: int) -> Response:
    case = db.session.get(Case, case_id)
    requires_object(Permission.CONTACT_REVEAL, case)
    assert case is not None
    until = reveal_contact(current_user._get_current_object(), case)
    shown = {k: v for k, v in session.get(SESSION_KEY, {}).items() if _live(v)}
    shown[str(case.id)] = until.isoformat()
    session[SESSION_KEY] = shown
    return redirect(url_for("cases.show", case_id=case.id) + "#parties", code=303)


def _live(until: str) -> bool:
    try:
        return datetime.fromisoformat(until) > clock.now()
    except ValueError:
        return False


def contact_for(case: Case, viewer: User) -> dict[str, Any] | None:
    """For the case page: the contact details for a viewer who may reveal them (masked
    unless revealed in this session within the last minutes), else None."""
    if not can(viewer, Permission.CONTACT_REVEAL, case):
        return None
    until = session.get(SESSION_KEY, {}).get(str(case.id))
    view = contact_view(case, revealed=bool(until) and _live(until))
    view["reveal_url"] = url_for("contacts.reveal", case_id=case.id)
    return view
