"""The creditor gives its power of attorney (with what it says) and the receiving account
on the case page (:mod:`app.cases.papers`). A refusal goes back to the case page (post/
redirect/get) with what was typed and the message next to the field; nothing is written."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, requires
from app.cases import papers
from app.cases.views.cases import load_case
from app.core import clock, prg
from app.core.errors import COMMON_MESSAGES, DomainError, InvalidInput
from app.models.users import User
from app.rules.powers_of_attorney import read_power_of_attorney

bp = Blueprint("papers", __name__)

POA_FIELDS = (
    "principal",
    "agent_name",
    "agent_id_number",
    "agent_position",
    "valid_from",
    "valid_until",
    "signed_on",
)
ACCOUNT_FIELDS = ("account_name", "bank", "account_number")


def _user() -> User:
    return current_user._get_current_object()


def _again(
    case_id: int, form: str, values: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    """Back to the case page (post/redirect/get, :mod:`app.core.prg`) with what was typed
    and the refusals. The agent's ID number is not kept in the session: it is typed again,
    like the file."""
    kept = {k: v for k, v in values.items() if k != "agent_id_number"}
    target = url_for("cases.show", case_id=case_id) + "#papers"
    return prg.redirect_with_page_state(
        target, status, papers_form={"form": form, "values": kept, "errors": errors}
    )


@bp.route("/cases/<int:case_id>/power-of-attorney", methods=["POST"])
@requires(Permission.CASE_PAPERS)
def power_of_attorney(case_id: int) -> Response:
    """The file and its content (CPL Art. 62), recorded together or not at all."""
    case = load_case(case_id, Permission.CASE_PAPERS)
    values: dict[str, Any] = {k: request.form.get(k, "") for k in POA_FIELDS}
    values["powers"] = request.form.getlist("powers")
    parsed = read_power_of_attorney(values, clock.today())
    errors = {name: _message(err) for name, err in parsed.errors.items()}
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors.setdefault("file", str(COMMON_MESSAGES["required"]))
    if errors or parsed.power_of_attorney is None:
        return _again(case_id, "poa", values, errors, 400)
    assert upload is not None
    try:
        papers.record_power_of_attorney(
            _user(), case, upload.stream, upload.filename or "", parsed.power_of_attorney
        )
    except DomainError as err:
        return _again(case_id, "poa", values, {err.field or "file": err.message}, err.status)
    flash(_("The power of attorney was recorded."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#papers")


@bp.route("/cases/<int:case_id>/receiving-account", methods=["POST"])
@requires(Permission.CASE_PAPERS)
def receiving_account(case_id: int) -> Response:
    """The account the debtor pays into; a version of the agreement drafted later starts
    from it."""
    case = load_case(case_id, Permission.CASE_PAPERS)
    values = {k: request.form.get(k, "").strip() for k in ACCOUNT_FIELDS}
    try:
        account = papers.read_receiving_account(
            values["account_name"], values["bank"], values["account_number"]
        )
        papers.set_receiving_account(_user(), case, account)
    except DomainError as err:
        field = (err.field or "").removeprefix("receiving_") or "account_number"
        return _again(case_id, "account", values, {field: err.message}, err.status)
    flash(_("The receiving account was saved."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#papers")


def _message(err: InvalidInput) -> str:
    return papers.PapersInvalid(err.code, err.field, **err.params).message


@bp.route("/cases/<int:case_id>/identity-copy", methods=["POST"])
@requires(Permission.IDENTITY_COPY_UPLOAD)
def identity_copy(case_id: int) -> Response:
    """The debtor's ID copy, one side at a time (法释〔2011〕5号 Art. 3)."""
    case = load_case(case_id, Permission.IDENTITY_COPY_UPLOAD)
    side = request.form.get("side", "")
    upload = request.files.get("file")
    target = url_for("cases.show", case_id=case_id) + "#identity-copy"
    errors: dict[str, str] = {}
    if side not in papers.ID_SIDES:
        errors["side"] = str(COMMON_MESSAGES["choice"])
    if upload is None or not upload.filename:
        errors["file"] = str(COMMON_MESSAGES["required"])
    status = 400
    if not errors:
        assert upload is not None
        try:
            papers.record_identity_copy(_user(), case, side, upload.stream, upload.filename or "")
        except DomainError as err:
            errors, status = {"file": err.message}, err.status
    if errors:
        state = {"side": side, "errors": errors}
        return prg.redirect_with_page_state(target, status, identity_form=state)
    flash(_("Your ID copy was added. Only the people handling your case and the court see it."))
    return redirect(target)


@bp.route("/cases/<int:case_id>/agent-proof", methods=["POST"])
@requires(Permission.CASE_PAPERS)
def agent_proof(case_id: int) -> Response:
    """The agent's proof of employment or relationship (CPL Art. 61), with the power of
    attorney papers."""
    case = load_case(case_id, Permission.CASE_PAPERS)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _again(case_id, "agent", {}, {"file": str(COMMON_MESSAGES["required"])}, 400)
    try:
        papers.record_agent_proof(_user(), case, upload.stream, upload.filename or "")
    except DomainError as err:
        return _again(case_id, "agent", {}, {"file": err.message}, err.status)
    flash(_("The agent's proof was recorded."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#papers")
