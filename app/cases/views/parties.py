"""Guarantors and co-borrowers on the case page (:mod:`app.cases.parties`): the list with
where each stands, the form to add one (the creditor while drafting, the mediator until an
agreement is drafted) and the mediator's button to send a new link. A refusal goes back to
the case page (post/redirect/get) with what was typed; the identity number is typed again."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, can, requires
from app.cases import parties
from app.cases.views.cases import load_case
from app.core import prg
from app.core.errors import DomainError
from app.extensions import db
from app.models.cases import Case, CaseParty
from app.models.users import User
from app.rules.case_parties import PartyInput

bp = Blueprint("parties", __name__)
FIELDS = ("role", "guarantee_kind", "name", "id_type", "id_number", "phone", "email", "address")


def _user() -> User:
    return current_user._get_current_object()


def _target(case_id: int) -> str:
    return url_for("cases.show", case_id=case_id) + "#extra-parties"


@bp.route("/cases/<int:case_id>/parties", methods=["POST"])
@requires(Permission.CASE_PARTY_ADD)
def add(case_id: int) -> Response:
    case = load_case(case_id, Permission.CASE_PARTY_ADD)
    values = {k: request.form.get(k, "") for k in FIELDS}
    try:
        parties.add_party(_user(), case, PartyInput(**values))
    except DomainError as err:
        kept = {k: v for k, v in values.items() if k != "id_number"}
        return prg.redirect_with_page_state(
            _target(case_id),
            err.status,
            parties_form={"values": kept, "errors": {err.field or "": err.message}},
        )
    flash(_("The party was added."), "success")
    return redirect(_target(case.id), code=303)


@bp.route("/cases/<int:case_id>/parties/<int:party_id>/invite", methods=["POST"])
@requires(Permission.CASE_PARTY_INVITE)
def invite(case_id: int, party_id: int) -> Response:
    case = load_case(case_id, Permission.CASE_PARTY_INVITE)
    party = db.session.get(CaseParty, party_id)
    if party is None or party.case_id != case.id or party.joined_at is not None:
        abort(404)  # another case's party, or one who has joined: no button to press
    try:
        parties.invite_party(_user(), case, party)
    except DomainError as err:
        return prg.refused_to(_target(case.id), err.message, err.status, code=err.code)
    flash(_("A new invitation link was sent."), "success")
    return redirect(_target(case.id), code=303)


@bp.route("/cases/<int:case_id>/parties/<int:party_id>/remove", methods=["POST"])
@requires(Permission.CASE_PARTY_ADD)
def remove(case_id: int, party_id: int) -> Response:
    case = load_case(case_id, Permission.CASE_PARTY_ADD)
    party = db.session.get(CaseParty, party_id)
    if party is None or party.case_id != case.id or party.removed_at is not None:
        abort(404)
    try:
        parties.remove_party(_user(), case, party)
    except DomainError as err:
        return prg.refused_to(_target(case.id), err.message, err.status, code=err.code)
    flash(_("The party was removed."), "success")
    return redirect(_target(case.id), code=303)


def parties_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The case page's section on guarantors and co-borrowers: shown to those who may add
    them, and to everyone on a case that has any."""
    may_add = can(viewer, Permission.CASE_PARTY_ADD, case)
    if not case.extra_parties and not may_add:
        return None
    form = g.get("parties_form") or {}
    return "cases/_parties.html", {
        "case": case,
        "parties": parties.party_statuses(case),
        "may_add": may_add,
        "may_invite": can(viewer, Permission.CASE_PARTY_INVITE, case),
        "typed": form.get("values", {}),
        "errors": form.get("errors", {}),
    }
