"""Repayments on the case page and the payment forms: the creditor records a payment,
the debtor reports one with the receipt, the creditor confirms or disputes it; the
receipt is served only through a guarded, audited view. Rules live in
:mod:`app.repayments.payments` and :mod:`app.repayments.decisions`."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Permission, can, is_extra_party, requires, requires_object
from app.core import clock, prg
from app.core.errors import DomainError
from app.core.storage import send_blob
from app.extensions import db
from app.models.cases import Case
from app.models.repayments import RepaymentPayment
from app.models.users import User
from app.notifications.told import with_truth
from app.repayments import decisions, forms, payments, presenters
from app.repayments.common import RepaymentInvalid, performance_of

bp = Blueprint("repayments", __name__)


def _user() -> User:
    return current_user._get_current_object()


def _load(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def _back(case: Case) -> Response:
    return redirect(url_for("cases.show", case_id=case.id) + "#repayment")


def repayment_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The plan and what was paid, for the parties and the mediator, with the one form
    this viewer may use (record, or report with proof) and the creditor's decisions."""
    if not can(viewer, Permission.REPAYMENT_VIEW, case):
        return None
    perf = performance_of(case, clock.today())
    if perf is None:
        return None
    may_decide = can(viewer, Permission.PAYMENT_DECIDE, case)
    return "repayments/_panel.html", {
        "case_id": case.id,
        "summary": presenters.summary(perf),
        "account": presenters.account(perf),
        "instalments": presenters.instalment_rows(perf),
        "chart": presenters.chart(perf),
        "payments": presenters.payment_rows(
            perf,
            (lambda row: _decide_urls(case, row)) if may_decide else (lambda row: None),
            (lambda row: url_for("repayments.proof", case_id=case.id, payment_id=row.id))
            if _may_see_receipts(viewer, case)
            else (lambda row: None),
            (lambda row: url_for("repayments.resolve", case_id=case.id, payment_id=row.id))
            if can(viewer, Permission.PAYMENT_RESOLVE, case)
            else (lambda row: None),
        ),
        "record_url": url_for("repayments.record", case_id=case.id)
        if can(viewer, Permission.PAYMENT_RECORD, case)
        else None,
        "report_url": url_for("repayments.report", case_id=case.id)
        if can(viewer, Permission.PAYMENT_REPORT, case)
        else None,
        "channels": presenters.channel_choices(),
        "today": clock.today().isoformat(),
    }


def _may_see_receipts(viewer: User, case: Case) -> bool:
    """The debtor's transfer receipts (their bank details) are for the debtor, the
    creditor and the mediation staff: a guarantor or co-borrower, who sees the plan and the
    payments, does not see them (PIPL Art. 6)."""
    return not is_extra_party(viewer, case)


def _decide_urls(case: Case, row: RepaymentPayment) -> dict[str, str]:
    ids = {"case_id": case.id, "payment_id": row.id}
    return {
        "confirm": url_for("repayments.confirm", **ids),
        "dispute": url_for("repayments.dispute", **ids),
    }


def _form(case: Case, mode: str, values: dict[str, str]) -> tuple[str, int]:
    """The payment form; after a refusal (:mod:`app.core.prg`) the values typed and the
    refusal next to the field at fault (never the receipt: it is attached again)."""
    stash = prg.take()
    if stash:
        values = {name: stash.value(name) for name in forms.FIELDS}
    return render_template(
        "repayments/form.html",
        case=case,
        mode=mode,
        action=url_for(f"repayments.{mode}", case_id=case.id),
        values=values,
        errors=stash.errors,
        channels=presenters.channel_choices(),
        today=clock.today().isoformat(),
    ), stash.status


def _again(err: DomainError) -> Response:
    """Post/redirect/get: the form's page again with the values and the refusal."""
    return prg.redirect_with(request.path, forms.errors_of(err), status=err.status)


@bp.route("/cases/<int:case_id>/payments/record", methods=["GET", "POST"])
@requires(Permission.PAYMENT_RECORD)
def record(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PAYMENT_RECORD)
    if request.method == "GET":
        return _form(case, "record", {"channel": "bank_transfer", "paid_on": ""})
    values = forms.values_from(request.form)
    try:
        outcome = payments.record_payment(_user(), case, forms.parse_entry(values))
    except DomainError as err:
        return _again(err)
    _announce(outcome, _("The payment is recorded."))
    return _back(case)


@bp.route("/cases/<int:case_id>/payments/report", methods=["GET", "POST"])
@requires(Permission.PAYMENT_REPORT)
def report(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PAYMENT_REPORT)
    if request.method == "GET":
        return _form(case, "report", {"channel": "bank_transfer", "paid_on": ""})
    values = forms.values_from(request.form)
    try:
        entry = forms.parse_entry(values)
        outcome = payments.report_payment(_user(), case, entry, forms.proof_from(request.files))
    except DomainError as err:
        return _again(err)
    _announce(outcome, _("Your payment is reported. The creditor confirms it once received."))
    return _back(case)


def _announce(outcome: payments.Outcome, done: str) -> None:
    if outcome.duplicate:
        flash(_("This payment was already on record (same reference): nothing was added."), "info")
    elif outcome.performed:
        flash(
            _("The last instalment is paid: the agreement is performed and the case is closed."),
            "success",
        )
    else:
        flash(with_truth(done), "success")


@bp.route("/cases/<int:case_id>/payments/<int:payment_id>/confirm", methods=["POST"])
@requires(Permission.PAYMENT_DECIDE)
def confirm(case_id: int, payment_id: int) -> Response:
    case = _load(case_id, Permission.PAYMENT_DECIDE)
    try:
        performed = decisions.confirm_payment(_user(), case, payment_id)
    except DomainError as err:
        target = url_for("cases.show", case_id=case.id) + "#repayment"
        return prg.refused_to(target, err.message, err.status)
    if performed:
        flash(
            _("The last instalment is paid: the agreement is performed and the case is closed."),
            "success",
        )
    else:
        flash(
            with_truth(_("The payment is confirmed and counts from the day it was paid.")),
            "success",
        )
    return _back(case)


@bp.route("/cases/<int:case_id>/payments/<int:payment_id>/dispute", methods=["GET", "POST"])
@requires(Permission.PAYMENT_DECIDE)
def dispute(case_id: int, payment_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PAYMENT_DECIDE)
    payment = _payment(case, payment_id)
    reason = request.form.get("reason", "").strip() if request.method == "POST" else ""
    if request.method == "POST":
        try:
            decisions.dispute_payment(_user(), case, payment.id, reason)
        except DomainError as err:
            return _again(err)
        else:
            flash(
                with_truth(
                    _("The payment is disputed. The mediator will take it up with both of you.")
                ),
                "success",
            )
            return _back(case)
    stash = prg.take()  # a refused dispute: the reason typed and the refusal, once
    return render_template(
        "repayments/dispute.html",
        case=case,
        payment=payment,
        reason=stash.value("reason"),
        errors=stash.errors,
    ), stash.status


@bp.route("/cases/<int:case_id>/payments/<int:payment_id>/resolve", methods=["GET", "POST"])
@requires(Permission.PAYMENT_RESOLVE)
def resolve(case_id: int, payment_id: int) -> Response | tuple[str, int]:
    """The mediator's finding on a disputed payment, after hearing both parties."""
    case = _load(case_id, Permission.PAYMENT_RESOLVE)
    payment = _payment(case, payment_id)
    values = {"received": request.form.get("received", ""), "note": ""}
    if request.method == "POST":
        values["note"] = request.form.get("note", "").strip()
        try:
            if values["received"] not in ("yes", "no"):
                raise RepaymentInvalid("resolution", "received")
            performed = decisions.resolve_dispute(
                _user(), case, payment.id, values["received"] == "yes", values["note"]
            )
        except DomainError as err:
            return _again(err)
        else:
            flash(
                _("The last instalment is paid: the agreement is performed and the case is closed.")
                if performed
                else with_truth(_("Your finding is recorded.")),
                "success",
            )
            return _back(case)
    stash = prg.take()  # a refused finding: what was chosen and typed, the refusal, once
    return render_template(
        "repayments/resolve.html",
        case=case,
        payment=payment,
        values={"received": stash.value("received"), "note": stash.value("note")},
        errors=stash.errors,
    ), stash.status


@bp.route("/cases/<int:case_id>/payments/<int:payment_id>/proof")
@requires(Permission.REPAYMENT_VIEW)
def proof(case_id: int, payment_id: int) -> Response:
    case = _load(case_id, Permission.REPAYMENT_VIEW)
    payment = _payment(case, payment_id)
    if payment.proof_sha256 is None or not _may_see_receipts(_user(), case):
        abort(404)
    decisions.record_proof_download(_user(), payment)
    name = PurePosixPath((payment.proof_name or "").replace("\\", "/")).name or "receipt"
    return send_proof(payment, name)


def send_proof(payment: RepaymentPayment, name: str) -> Response:
    return send_blob(
        payment.proof_sha256 or "", mimetype=payment.proof_media_type, download_name=name
    )


def _payment(case: Case, payment_id: int) -> RepaymentPayment:
    payment = db.session.get(RepaymentPayment, payment_id)
    if payment is None or payment.case_id != case.id:
        abort(404)
    return payment
