"""The debtor's guided path: one page per step under the case (``/cases/<id>/steps/<step>``),
each reloadable (GET) and fitting a phone, with a progress tracker; the statement and the
proposal kept as drafts ("save and continue later"). Every form follows post/redirect/get
(:mod:`app.core.prg`). The full case page stays available from every step."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, requires, requires_object
from app.cases import lifecycle as case_service
from app.cases.views import cases as cases_web
from app.core import prg
from app.core.errors import DomainError, InvalidInput
from app.core.storage import StorageRefused
from app.models.cases import Case
from app.models.users import User
from app.negotiation import objections as objection_service
from app.negotiation.objections import Upload
from app.negotiation.views.proposal_form import error_words, parse_offer
from app.negotiation.views.statements import plain_errors
from app.rules.affordability import parse_statement
from app.rules.debtor_steps import Step, next_step, step_of
from app.steps import drafts
from app.steps.facts import current_step_of
from app.steps.pages import CONTEXTS, STEP_LABELS, tracker

bp = Blueprint("steps", __name__)

# The buttons of the statement and proposal steps.
SAVE_FOR_LATER = "draft"


def _user() -> User:
    return current_user._get_current_object()


def _case(case_id: int, acting: Permission | None = None) -> Case:
    """The case, if the signed-in user is its debtor on the guided path (and may do
    ``acting`` on it now); else 404 (or 403 for the case's own debtor)."""
    case = cases_web.load_case(case_id, Permission.STEPS_FOLLOW)
    if acting is not None:
        requires_object(acting, case)
    return case


def _page(case: Case, step: Step) -> str:
    return url_for("steps.show", case_id=case.id, name=step.value)


@bp.route("/cases/<int:case_id>/steps")
@requires(Permission.STEPS_FOLLOW)
def resume(case_id: int) -> Response:
    """Where the debtor left off."""
    case = _case(case_id)
    return redirect(_page(case, current_step_of(case, _user())))


@bp.route("/cases/<int:case_id>/steps/<name>")
@requires(Permission.STEPS_FOLLOW)
def show(case_id: int, name: str) -> tuple[str, int]:
    case = _case(case_id)
    step = step_of(name)
    if step is None:
        abort(404)
    user = _user()
    stash = prg.take()
    current = current_step_of(case, user)
    following = next_step(step)
    return render_template(
        f"steps/{step.value}.html",
        case=case,
        step=step.value,
        title=str(STEP_LABELS[step]),
        steps=tracker(case, current, step),
        next_url=_page(case, following) if following else None,
        notice=stash.error if "" in stash.errors else None,
        **CONTEXTS[step](case, user, stash),
    ), stash.status


@bp.route("/cases/<int:case_id>/steps/<name>/next", methods=["POST"])
@requires(Permission.STEPS_FOLLOW)
def move_on(case_id: int, name: str) -> Response:
    """The debtor looked at the claim (or the objections) and moves on."""
    case = _case(case_id)
    step = step_of(name)
    if step not in (Step.CLAIM, Step.OBJECTIONS):
        abort(404)
    drafts.mark_seen(_user(), case, step)
    following = next_step(step)
    assert following is not None
    return redirect(_page(case, following))


@bp.route("/cases/<int:case_id>/steps/objections", methods=["POST"])
@requires(Permission.STEPS_FOLLOW)
def objection(case_id: int) -> Response:
    case = _case(case_id, Permission.OBJECTION_RAISE)
    item = request.form.get("item", "")
    reason = request.form.get("reason", "")
    file = request.files.get("evidence")
    upload = Upload(file.stream, file.filename or "") if file and file.filename else None
    page = _page(case, Step.OBJECTIONS)
    try:
        objection_service.raise_objection(_user(), case, item, reason, upload)
    except DomainError as err:
        field = "evidence" if isinstance(err, StorageRefused) else err.field or ""
        return prg.redirect_with(page, {field: err.message}, status=err.status)
    flash(_("Your objection was recorded. The creditor has been asked to answer."), "success")
    return redirect(page)


@bp.route("/cases/<int:case_id>/steps/statement", methods=["POST"])
@requires(Permission.STEPS_FOLLOW)
def statement(case_id: int) -> Response:
    case = _case(case_id, Permission.STATEMENT_SUBMIT)
    form = {k: v for k, v in request.form.items() if k not in ("csrf_token", "action")}
    page = _page(case, Step.STATEMENT)
    if request.form.get("action") == SAVE_FOR_LATER:
        drafts.save_draft(_user(), case, drafts.STATEMENT, form)
        flash(_("Saved. You can come back and finish it later."), "success")
        return redirect(page)
    parsed, errors = parse_statement(form)
    if parsed is None:
        return prg.redirect_with(page, plain_errors(form, errors), status=400)
    try:
        drafts.send_statement(_user(), case, parsed, form.get("share") == "yes")
    except DomainError as err:
        return prg.redirect_with(page, err.message, status=err.status)
    flash(_("Thank you. Your statement was saved."), "success")
    return redirect(_page(case, Step.PROPOSAL))


@bp.route("/cases/<int:case_id>/steps/proposal", methods=["POST"])
@requires(Permission.STEPS_FOLLOW)
def proposal(case_id: int) -> Response:
    case = _case(case_id, Permission.PROPOSAL_SUBMIT)
    form = {k: v for k, v in request.form.items() if k not in ("csrf_token", "action")}
    page = _page(case, Step.PROPOSAL)
    if request.form.get("action") == SAVE_FOR_LATER:
        drafts.save_draft(_user(), case, drafts.PROPOSAL, form)
        flash(_("Saved. You can come back and finish it later."), "success")
        return redirect(page)
    offer, errors = parse_offer(form, case_service.today(), case.claim_total)
    if offer is None:
        return prg.redirect_with(page, error_words(errors), status=400)
    try:
        drafts.send_proposal(_user(), case, offer)
    except InvalidInput as err:
        return prg.redirect_with(page, {err.field or "form": err.message}, status=err.status)
    except DomainError as err:
        return prg.redirect_with(page, err.message, status=err.status)
    flash(_("Your proposal was sent. The other side has been notified."), "success")
    return redirect(page)
