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
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from app.access import Permission, can, requires, requires_object
from app.cases import lifecycle as case_service
from app.core import prg
from app.core.errors import Conflict, DomainError, InvalidInput
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import Role, User
from app.negotiation import proposals as service
from app.negotiation.proposal_queries import acceptance_summary, proposal_number
from app.negotiation.views.proposal_form import (
    DEFAULTS,
    error_words,
    form_context,
    parse_offer,
    values_from,
)
from app.negotiation.views.proposal_panel import proposals_panel
from app.notifications.told import debtor_sentence, with_truth
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
    """Someone was quicker. A POST answers with a 303 to the case page saying so (post/
    redirect/get, :mod:`app.core.prg`); a GET (a form's page) shows it at once."""
    if request.method == "POST":
        return prg.refused_to(
            _case_url(case), _quicker(moved_on), 409, code="conflict", notice_id="proposal-conflict"
        )
    html = render_template("proposals/conflict.html", case=case, moved_on=moved_on)
    return Response(html, status=409, mimetype="text/html")


def _case_url(case: Case) -> str:
    return url_for("cases.show", case_id=case.id) + "#proposals"


def _quicker(moved_on: bool) -> str:
    if moved_on:
        return _(
            "This case is not in negotiation any more: proposals can no longer be made or "
            "answered. Nothing was saved."
        )
    return _(
        "Someone else just settled this case or changed its proposals at the same moment. "
        "Nothing you sent was saved."
    )


@bp.errorhandler(Conflict)
def _lost_race(err: Conflict) -> Response:
    """Someone else changed the case at the same moment; nothing of this was saved."""
    return _conflict_page(g.proposal_case)


@bp.errorhandler(DomainError)
def _refused(err: DomainError) -> Response | tuple[str, int]:
    """A move the rules refuse: what was refused, and the way back to the case (after a
    POST, on the case page itself: post/redirect/get)."""
    if request.method == "POST":
        return prg.refused_to(
            _case_url(g.proposal_case),
            err.message,
            err.status,
            code=err.code,
            notice_id="proposal-refused",
        )
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
        stash = prg.take()  # refused terms: the values typed and the refusals, once
        if stash:
            values = {name: stash.value(name) for name in stash.values}
            return _form_page(case, answered, values, stash.errors, stash.status)
        values = values_from(answered) if answered is not None else DEFAULTS
        return _form_page(case, answered, values, {}, 200)
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    offer, errors = parse_offer(form, case_service.today(), case.claim_total)
    if offer is None:
        return prg.redirect_with(request.path, error_words(errors), status=400)
    try:
        service.submit_proposal(_user(), case, offer, replies_to=answered)
    except InvalidInput as err:  # the terms; refusals and lost races: the handlers above
        errors = {err.field or "form": err.message}
        return prg.redirect_with(request.path, errors, status=err.status)
    flash(_sent(), "success")
    return _back(case)


def _sent() -> str:
    """Sent: the other side's people are told at once, the debtor when the contact rules
    allow (:mod:`app.notifications.told`)."""
    sentence = debtor_sentence()
    if not sentence:  # the debtor sent it: the creditor and the mediator are told at once
        return _("Your proposal was sent. The other side has been notified.")
    return with_truth(_("Your proposal was sent."))


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
        answered_number=proposal_number(answered) if answered else None,
        form=form_context(case, answered, values, errors),
    ), status


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/accept", methods=["GET", "POST"])
@requires(Permission.PROPOSAL_DECIDE)
def accept(case_id: int, proposal_id: int) -> Response | tuple[str, int]:
    """Accepting binds, so the debtor first sees what they agree to (the total, the first
    payment, the number of payments, the account to pay) and confirms on that page: an
    accept posted without the confirmation goes to it and binds nobody."""
    case = _load(case_id, Permission.PROPOSAL_DECIDE)
    proposal = _proposal(case, proposal_id)
    confirm_page = url_for("proposals.accept", case_id=case.id, proposal_id=proposal.id)
    must_confirm = _user().role == Role.DEBTOR
    service.check_accept(_user(), case, proposal)  # refusals: the handlers above
    if request.method == "GET":
        stash = prg.take()
        return render_template(
            "proposals/confirm.html",
            case=case,
            pr={"id": proposal.id, "number": proposal_number(proposal)},
            summary=acceptance_summary(proposal),
            error=stash.error,
            back=stash.value("back") or request.args.get("back", ""),
        ), stash.status
    if must_confirm and request.form.get("confirmed") != "yes":
        return prg.redirect_with(
            confirm_page,
            _("Nothing was accepted yet. Check the terms below and confirm."),
            form=MultiDict({"back": request.form.get("back", "")}),
        )
    if service.accept_proposal(_user(), case, proposal):
        flash(with_truth(_("Terms agreed. The mediator will now draft the agreement.")), "success")
    else:
        flash(with_truth(_("You accepted. The proposal now waits for the other party.")), "success")
    if request.form.get("back") == "steps":
        return redirect(url_for("steps.resume", case_id=case.id))
    return _back(case)


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/reject", methods=["GET", "POST"])
@requires(Permission.PROPOSAL_DECIDE)
def reject(case_id: int, proposal_id: int) -> Response | tuple[str, int]:
    """The reject form of the case page posts here; refused (no reason), it comes back
    as a page of its own (post/redirect/get)."""
    case = _load(case_id, Permission.PROPOSAL_DECIDE)
    proposal = _proposal(case, proposal_id)
    if request.method == "GET":
        stash = prg.take()
        card = {"id": proposal.id, "number": proposal_number(proposal), "total": proposal.total}
        return render_template(
            "proposals/reject.html",
            case=case,
            pr=card,
            error=stash.error,
            reason=stash.value("reason"),
        ), stash.status
    try:
        service.reject_proposal(_user(), case, proposal, request.form.get("reason", ""))
    except InvalidInput as err:  # no reason given; refusals: the handlers above
        return prg.redirect_with(request.path, err.message, status=err.status)
    flash(
        with_truth(_("You rejected the proposal. The other side will see your reason.")),
        "success",
    )
    return _back(case)


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@requires(Permission.PROPOSAL_WITHDRAW)
def withdraw(case_id: int, proposal_id: int) -> Response:
    case = _load(case_id, Permission.PROPOSAL_WITHDRAW)
    proposal = _proposal(case, proposal_id)
    service.withdraw_proposal(_user(), case, proposal, request.form.get("reason", ""))
    flash(with_truth(_("The proposal was withdrawn.")), "success")
    return _back(case)
