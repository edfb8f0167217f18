"""Objections on the case page: the debtor raises and withdraws, the creditor answers, the
mediator resolves. Open objections are shown to everyone on the case; closed ones in a
collapsed history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, can, requires
from app.cases.views import cases as cases_web
from app.core import prg
from app.core.errors import DomainError
from app.core.format import money
from app.core.parties import CLAIM_ITEMS, claim_item_label
from app.core.storage import StorageRefused
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Objection, ObjectionStatus
from app.models.users import User
from app.negotiation import objections as objection_service
from app.negotiation.objections import Upload
from app.notifications.told import with_truth

bp = Blueprint("objections", __name__)

_ITEM_AMOUNTS = {
    "principal": "outstanding_principal",
    "interest": "interest",
    "penalty": "penalty",
    "fees": "fees",
}


def _user() -> User:
    return current_user._get_current_object()


# --- the panel --------------------------------------------------------------------------


def _status(o: Objection) -> tuple[str, str]:
    if o.status == ObjectionStatus.RESOLVED:
        return "resolved", _("Resolved")
    if o.status == ObjectionStatus.WITHDRAWN:
        return "withdrawn", _("Withdrawn")
    if o.answer is None:
        return "awaiting-answer", _("Open: awaiting the creditor's answer")
    return "answered", _("Open: answered, awaiting the mediator")


def _view(case: Case, o: Objection, viewer: User, names: dict[int, str]) -> dict[str, Any]:
    key, label = _status(o)
    is_open = o.status == ObjectionStatus.OPEN
    form = g.get("objection_form") or {}
    return {
        "id": o.id,
        "item_label": claim_item_label(o.item),
        "reason": o.reason,
        "raised_at": o.raised_at,
        "status_key": key,
        "status_label": label,
        "answer": o.answer,
        "answered_at": o.answered_at,
        "closed_at": o.closed_at,
        "evidence_name": names.get(o.evidence_id or 0),
        "evidence_url": url_for(
            "cases.download_evidence", case_id=case.id, evidence_id=o.evidence_id
        )
        if o.evidence_id
        else None,
        "actions": {
            "answer": is_open
            and o.answer is None
            and can(viewer, Permission.OBJECTION_ANSWER, case),
            "resolve": is_open
            and o.answer is not None
            and can(viewer, Permission.OBJECTION_RESOLVE, case),
            "withdraw": is_open
            and o.raised_by_id == viewer.id
            and can(viewer, Permission.OBJECTION_RAISE, case),
        },
        "answer_value": form.get("answer", "") if form.get("answer_for") == o.id else "",
        "answer_error": form.get("answer_error") if form.get("answer_for") == o.id else None,
    }


def _raise_form(case: Case) -> dict[str, Any]:
    form = g.get("objection_form") or {}
    values = form.get("values", {})
    errors = form.get("errors", {})
    return {
        "choices": [
            (
                item,
                claim_item_label(item),
                money(getattr(case, _ITEM_AMOUNTS[item])),
                values.get("item") == item,
            )
            for item in CLAIM_ITEMS
        ],
        "reason": values.get("reason", ""),
        "errors": errors,
        "open": bool(errors),
        "max_mb": cases_web.max_upload_mb(),
    }


def objections_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    rows = objection_service.objections_of(case)
    may_raise = can(viewer, Permission.OBJECTION_RAISE, case)
    if not rows and not may_raise:
        return None
    names = objection_service.evidence_names(rows)
    views = [_view(case, o, viewer, names) for o in rows]
    open_ = [v for v, o in zip(views, rows, strict=True) if o.status == ObjectionStatus.OPEN]
    closed = [v for v, o in zip(views, rows, strict=True) if o.status != ObjectionStatus.OPEN]
    return "cases/_objections.html", {
        "case_id": case.id,
        "open": open_,
        "open_count": len(open_),
        "closed": closed,
        "closed_count": len(closed),
        "form": _raise_form(case) if may_raise else None,
        "notice": (g.get("objection_form") or {}).get("notice"),
    }


# --- actions ----------------------------------------------------------------------------


def _objection(case: Case, objection_id: int) -> Objection:
    objection = db.session.get(Objection, objection_id)
    if objection is None or objection.case_id != case.id:
        abort(404)
    return objection


def _again(case_id: int, err: DomainError, **form: Any) -> Response:
    """Back to the case page (post/redirect/get), with the typed values and the refusal in
    the panel: next to the field at fault, or as the panel's notice. A file attached is
    not kept: it is chosen again."""
    if err.field is None:
        form["notice"] = err.message
    elif "answer_for" in form:
        form["answer_error"] = err.message
    else:
        form["errors"] = {err.field: err.message}
    target = url_for("cases.show", case_id=case_id) + "#objections"
    return prg.redirect_with_page_state(target, err.status, objection_form=form)


def _done(case: Case, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#objections")


@bp.route("/cases/<int:case_id>/objections", methods=["POST"])
@requires(Permission.OBJECTION_RAISE)
def create(case_id: int) -> Response:
    case = cases_web.load_case(case_id, Permission.OBJECTION_RAISE)
    item = request.form.get("item", "")
    reason = request.form.get("reason", "")
    file = request.files.get("evidence")
    upload = Upload(file.stream, file.filename or "") if file and file.filename else None
    try:
        objection_service.raise_objection(_user(), case, item, reason, upload)
    except DomainError as err:
        if isinstance(err, StorageRefused):
            err.field = "evidence"  # the file the debtor attached
        return _again(case_id, err, values={"item": item, "reason": reason})
    return _done(case, _("Your objection was recorded. The creditor has been asked to answer."))


@bp.route("/cases/<int:case_id>/objections/<int:objection_id>/answer", methods=["POST"])
@requires(Permission.OBJECTION_ANSWER)
def answer(case_id: int, objection_id: int) -> Response:
    case = cases_web.load_case(case_id, Permission.OBJECTION_ANSWER)
    objection = _objection(case, objection_id)
    text = request.form.get("answer", "")
    try:
        objection_service.answer_objection(_user(), case, objection, text)
    except DomainError as err:
        return _again(case_id, err, answer_for=objection.id, answer=text)
    return _done(case, with_truth(_("Your answer was recorded.")))


@bp.route("/cases/<int:case_id>/objections/<int:objection_id>/resolve", methods=["POST"])
@requires(Permission.OBJECTION_RESOLVE)
def resolve(case_id: int, objection_id: int) -> Response:
    case = cases_web.load_case(case_id, Permission.OBJECTION_RESOLVE)
    objection = _objection(case, objection_id)
    try:
        objection_service.resolve_objection(_user(), case, objection)
    except DomainError as err:
        return _again(case_id, err)
    return _done(case, _("The objection is marked as resolved."))


@bp.route("/cases/<int:case_id>/objections/<int:objection_id>/withdraw", methods=["POST"])
@requires(Permission.OBJECTION_RAISE)
def withdraw(case_id: int, objection_id: int) -> Response:
    case = cases_web.load_case(case_id, Permission.OBJECTION_RAISE)
    objection = _objection(case, objection_id)
    try:
        objection_service.withdraw_objection(_user(), case, objection)
    except DomainError as err:
        return _again(case_id, err)
    return _done(case, _("You withdrew your objection."))
