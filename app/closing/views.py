"""The mediation's time and its end on the case page, and their routes: the deadline
(the response period, or the mediation period with any agreed extension), a party's
proposal to extend it and the other party's answer, a party's request to end the
mediation and the mediator's decision to end it (each confirmed on a page of its own,
with a reason), and, once closed, the ground on which it ended."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import Permission, can, requires, requires_object
from app.closing import ending, extension
from app.closing.facts import mediation_end, response_end, side_of
from app.core import prg
from app.core.errors import DomainError, InvalidInput
from app.extensions import db
from app.models.cases import Case
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.mediation_failure import FailureGround

bp = Blueprint("closing", __name__)

GROUND_LABELS = {
    FailureGround.DEBTOR_DECLINED: _l("The debtor declined mediation."),
    FailureGround.NO_RESPONSE: _l("The debtor did not answer the invitation in time."),
    FailureGround.PERIOD_EXPIRED: _l("The mediation period ended without agreement."),
    FailureGround.NO_AGREEMENT: _l(
        "The mediator ended the mediation: no agreement could be reached."
    ),
}
PARTY_ENDED_LABELS = {
    "creditor": _l("The creditor asked to end the mediation."),
    "debtor": _l("The debtor asked to end the mediation."),
}
OPEN_MEDIATION = frozenset(
    {CaseState.INVITED, CaseState.NEGOTIATING, CaseState.AGREEMENT_DRAFTING, CaseState.SIGNING}
)
SIDE_LABELS = {"creditor": _l("The creditor"), "debtor": _l("The debtor")}


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def _back(case: Case) -> Response:
    return redirect(url_for("cases.show", case_id=case.id) + "#mediation")


def ground_label(case: Case) -> str | None:
    if case.failure_ground is None:
        return None
    ground = FailureGround(case.failure_ground)
    if ground is FailureGround.PARTY_ENDED:
        label = PARTY_ENDED_LABELS.get(case.ended_by_side or "")
        return str(label or _("A party asked to end the mediation."))
    return str(GROUND_LABELS[ground])


def mediation_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The mediation's deadline and the ways to extend or end it; once the case closed as
    not mediated, on which ground."""
    if not can(viewer, Permission.CASE_VIEW, case):
        return None
    if case.state == CaseState.CLOSED_NOT_MEDIATED:
        closed = {"closed": True, "ground": ground_label(case), "reason": case.close_reason}
        return "closing/_panel.html", closed
    if case.state not in OPEN_MEDIATION:
        return None
    view = _open_view(case, viewer)
    shown = ("response_end", "mediation_end", "proposed_until", "propose_url", "end_url")
    if not any(view[key] for key in shown):
        return None  # nothing to tell this viewer (a guarantor while the agreement is signed)
    return "closing/_panel.html", {"closed": False, **view}


def _open_view(case: Case, viewer: User) -> dict[str, Any]:
    extend = can(viewer, Permission.MEDIATION_EXTEND, case)
    negotiating = case.state == CaseState.NEGOTIATING
    # A proposal still waiting when the terms were settled has nothing left to extend.
    proposer = case.extension_proposed_by_side if negotiating else None
    answer = extend and proposer is not None and proposer != side_of(viewer)
    end_url = None
    if can(viewer, Permission.MEDIATION_END, case):
        end_url = url_for("closing.end", case_id=case.id)
    elif can(viewer, Permission.MEDIATION_TERMINATE, case):
        end_url = url_for("closing.terminate", case_id=case.id)
    return {
        "case_id": case.id,
        "response_end": response_end(case) if case.state == CaseState.INVITED else None,
        # The period ends a mediation only while the parties negotiate (app.closing.watch).
        "mediation_end": mediation_end(case) if negotiating else None,
        "extended_until": case.mediation_extended_until,
        "proposed_until": case.extension_proposed_until if proposer else None,
        "proposed_by": str(SIDE_LABELS[proposer]) if proposer in SIDE_LABELS else None,
        "propose_url": url_for("closing.propose_extension", case_id=case.id) if extend else None,
        "answer_url": url_for("closing.answer_extension", case_id=case.id) if answer else None,
        "end_url": end_url,
        # A refused extension proposal: the day typed and the refusal (app.core.prg), once.
        "extension": g.get("extension_form") or {},
    }


@bp.route("/cases/<int:case_id>/end", methods=["GET", "POST"])
@requires(Permission.MEDIATION_END)
def end(case_id: int) -> Response | tuple[str, int]:
    """A party asks to end the mediation: a page to give the reason and confirm."""
    case = _load(case_id, Permission.MEDIATION_END)
    return _ending_page(case, mediator=False)


@bp.route("/cases/<int:case_id>/terminate", methods=["GET", "POST"])
@requires(Permission.MEDIATION_TERMINATE)
def terminate(case_id: int) -> Response | tuple[str, int]:
    """The mediator ends the mediation: a page to give the reason and confirm."""
    case = _load(case_id, Permission.MEDIATION_TERMINATE)
    return _ending_page(case, mediator=True)


def _ending_page(case: Case, *, mediator: bool) -> Response | tuple[str, int]:
    if request.method == "GET":
        stash = prg.take()  # a refused ending: the reason, the box ticked, the refusal, once
        values = {"reason": stash.value("reason"), "confirm": bool(stash.value("confirm"))}
        return _ending_form(case, mediator, values, stash.errors, stash.status)
    form = request.form
    values = {"reason": form.get("reason", ""), "confirm": bool(form.get("confirm"))}
    act = ending.end_by_mediator if mediator else ending.end_by_party
    try:
        act(_user(), case, values["reason"], confirmed=values["confirm"])
    except DomainError as err:
        # "confirm" is the box "I confirm", not a password's confirmation: kept.
        errors = {(err.field or "form"): err.message}
        return prg.redirect_with(request.path, errors, keep={"confirm"}, status=err.status)
    flash(
        _("The mediation has ended and the case is closed. The certificate is being prepared."),
        "success",
    )
    return redirect(url_for("cases.show", case_id=case.id) + "#certificate")


def _ending_form(
    case: Case, mediator: bool, values: dict[str, Any], errors: dict[str, str], status: int
) -> tuple[str, int]:
    return render_template(
        "closing/end.html", case=case, mediator=mediator, values=values, errors=errors
    ), status


def _parse_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("date_format", "until") from None


@bp.route("/cases/<int:case_id>/extension", methods=["POST"])
@requires(Permission.MEDIATION_EXTEND)
def propose_extension(case_id: int) -> Response:
    case = _load(case_id, Permission.MEDIATION_EXTEND)
    try:
        until = _parse_day(request.form.get("until", ""))
        extension.propose_extension(_user(), case, until)
    except DomainError as err:  # post/redirect/get: the case page with the day typed
        target = url_for("cases.show", case_id=case.id) + "#mediation"
        state = {"until": request.form.get("until", "")[:40], "error": err.message}
        return prg.redirect_with_page_state(target, err.status, extension_form=state)
    flash(_("Your proposal to extend the mediation was sent to the other party."), "success")
    return _back(case)


@bp.route("/cases/<int:case_id>/extension/answer", methods=["POST"])
@requires(Permission.MEDIATION_EXTEND)
def answer_extension(case_id: int) -> Response:
    case = _load(case_id, Permission.MEDIATION_EXTEND)
    accept = request.form.get("answer") == "accept"
    try:
        extension.answer_extension(_user(), case, accept=accept)
    except DomainError as err:  # post/redirect/get: the case page with the refusal
        target = url_for("cases.show", case_id=case.id) + "#mediation"
        return prg.refused_to(target, err.message, err.status)
    flash(
        _("The mediation period is extended.") if accept else _("You declined the extension."),
        "success",
    )
    return _back(case)
