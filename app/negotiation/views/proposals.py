"""Proposals on the case page: the endpoints to propose, counter, accept, reject and
withdraw. The panel is :mod:`app.negotiation.views.proposal_panel`; the form
:mod:`app.negotiation.views.proposal_form`.

Views parse, call :mod:`app.negotiation.proposals` and render. Terms that cannot be
taken as typed show the form again (400); a refusal by the negotiation rules shows
what was refused (403, or 409 when the proposal or the case moved on) and a lost race
on the case says so (409): the blueprint's error handlers below.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, can, requires, requires_object
from app.cases import lifecycle as case_service
from app.core.errors import Conflict, DomainError, InvalidInput
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import User
from app.negotiation import proposals as service
from app.negotiation.views.proposal_form import (
    DEFAULTS,
    error_words,
    form_context,
    parse_offer,
    values_from,
)
from app.negotiation.views.proposal_panel import proposals_panel
from app.rules.cases import CaseState

__all__ = ["bp", "proposals_panel"]

bp = Blueprint("proposals", __name__)


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int, permission: Permission) -> Case:
    """The case if the user may do this now; 409 when they may see the case but it has
    left negotiation (someone settled it first); otherwise 404, so ids do not leak."""
    case = db.session.get(Case, case_id)
    user = _user()
    if (
        case is not None
        and case.state != CaseState.NEGOTIATING
        and can(user, Permission.CASE_VIEW, case)
        and not can(user, permission, case)
    ):
        abort(_conflict_page(case, moved_on=True))
    requires_object(permission, case)
    assert case is not None
    g.proposal_case = case  # for the error handlers below
    return case


def _proposal(case: Case, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.case_id != case.id:
        abort(404)
    return proposal


def _back(case: Case) -> Response:
    return redirect(url_for("cases.show", case_id=case.id) + "#proposals")


def _conflict_page(case: Case, *, moved_on: bool = False) -> Response:
    html = render_template("proposals/conflict.html", case=case, moved_on=moved_on)
    return Response(html, status=409, mimetype="text/html")


@bp.errorhandler(Conflict)
def _lost_race(err: Conflict) -> Response:
    """Someone else changed the case at the same moment; nothing of this was saved."""
    return _conflict_page(g.proposal_case)


@bp.errorhandler(DomainError)
def _refused(err: DomainError) -> tuple[str, int]:
    """A move the rules refuse: what was refused, and the way back to the case."""
    html = render_template(
        "proposals/refused.html", case=g.proposal_case, message=err.message, code=err.code
    )
    return html, err.status


@bp.route("/cases/<int:case_id>/proposals/new", methods=["GET", "POST"])
@requires(Permission.PROPOSAL_SUBMIT)
def new(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PROPOSAL_SUBMIT)
    return _propose(case, None)


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/counter", methods=["GET", "POST"])
@requires(Permission.PROPOSAL_SUBMIT)
def counter(case_id: int, proposal_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PROPOSAL_SUBMIT)
    answered = _proposal(case, proposal_id)
    service.check_counter(_user(), answered)
    return _propose(case, answered)


def _propose(case: Case, answered: Proposal | None) -> Response | tuple[str, int]:
    if request.method == "GET":
        values = values_from(answered) if answered is not None else DEFAULTS
        return _form_page(case, answered, values, {}, 200)
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    offer, errors = parse_offer(form, case_service.today(), case.claim_total)
    if offer is None:
        return _form_page(case, answered, form, error_words(errors), 400)
    try:
        service.submit_proposal(_user(), case, offer, replies_to=answered)
    except InvalidInput as err:  # the terms; refusals and lost races: the handlers above
        return _form_page(case, answered, form, {err.field or "form": err.message}, err.status)
    flash(_("Your proposal was sent. The other side has been told."), "success")
    return _back(case)


def _form_page(
    case: Case,
    answered: Proposal | None,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
) -> tuple[str, int]:
    return render_template(
        "proposals/form.html",
        case=case,
        answered=answered,
        form=form_context(case, answered, values, errors),
    ), status


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/accept", methods=["POST"])
@requires(Permission.PROPOSAL_DECIDE)
def accept(case_id: int, proposal_id: int) -> Response:
    case = _load(case_id, Permission.PROPOSAL_DECIDE)
    proposal = _proposal(case, proposal_id)
    if service.accept_proposal(_user(), case, proposal):
        flash(_("Terms agreed. The mediator will now draft the agreement."), "success")
    else:
        flash(_("You accepted. The proposal now waits for the other party."), "success")
    return _back(case)


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/reject", methods=["POST"])
@requires(Permission.PROPOSAL_DECIDE)
def reject(case_id: int, proposal_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PROPOSAL_DECIDE)
    proposal = _proposal(case, proposal_id)
    try:
        service.reject_proposal(_user(), case, proposal, request.form.get("reason", ""))
    except InvalidInput as err:  # no reason given; refusals: the handlers above
        card = {"id": proposal.id, "total": proposal.total}
        html = render_template("proposals/reject.html", case=case, pr=card, error=err.message)
        return html, err.status
    flash(_("You rejected the proposal. The other side will see your reason."), "success")
    return _back(case)


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@requires(Permission.PROPOSAL_WITHDRAW)
def withdraw(case_id: int, proposal_id: int) -> Response:
    case = _load(case_id, Permission.PROPOSAL_WITHDRAW)
    proposal = _proposal(case, proposal_id)
    service.withdraw_proposal(_user(), case, proposal, request.form.get("reason", ""))
    flash(_("The proposal was withdrawn."), "success")
    return _back(case)
