"""The debtor's income-and-spending statement: the case-page panel, the statement page and
the form. Every view reads the statement through
:func:`app.negotiation.statements.visible_statement`, so a creditor sees it only while the
debtor consents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, can, requires
from app.cases.views import cases as cases_web
from app.core import prg
from app.core.errors import DomainError
from app.core.format import money
from app.models.cases import Case
from app.models.negotiation import FinancialStatement
from app.models.users import Role, User
from app.negotiation import statements as statement_service
from app.negotiation.statements import StatementInvalid
from app.rules.affordability import (
    ESSENTIAL_CATEGORIES,
    INCOME_SOURCES,
    Affordability,
    parse_statement,
    running_totals,
)

bp = Blueprint("statements", __name__)

INCOME_LABELS = {
    "wages": _l("Wages or salary, after tax"),
    "benefits": _l("Benefits and allowances"),
    "pension": _l("Pension"),
    "business": _l("Self-employment or business income"),
    "family_support": _l("Support from family"),
    "other": _l("Other income"),
}
SPENDING_LABELS = {
    "housing": _l("Housing: rent, mortgage, property fees"),
    "food": _l("Food and household goods"),
    "utilities": _l("Utilities: water, power, gas, phone, internet"),
    "transport": _l("Transport"),
    "childcare": _l("Childcare and schooling"),
    "health": _l("Health and medicine"),
    "other_debts": _l("Payments on other debts"),
    "other_essential": _l("Other essential spending"),
}


def _user() -> User:
    return current_user._get_current_object()


def _english() -> bool:
    return str(get_locale()) == "en"


def _result(a: Affordability, viewer: User) -> dict[str, Any]:
    """The assessment as the templates show it (labels and amounts, no arithmetic). The
    plain-words explanation speaks to the debtor; others get the same facts in the third
    person."""
    has_band = a.band_high > 0
    return {
        "monthly_income": money(a.monthly_income),
        "essential_spending": money(a.essential_spending),
        "disposable": money(a.disposable),
        "band": _("%(low)s to %(high)s a month", low=money(a.band_low), high=money(a.band_high))
        if has_band
        else None,
        "lump_sum": money(a.lump_sum_capacity),
        "explanation": (a.explanation_en if _english() else a.explanation_zh)
        if viewer.role == Role.DEBTOR
        else third_person_explanation(a),
    }


def third_person_explanation(a: Affordability) -> str:
    if a.band_high <= 0:
        return _(
            "After essential spending the debtor has %(left)s a month: no room for repayments "
            "at present.",
            left=money(a.disposable),
        )
    return _(
        "After essential spending the debtor has %(left)s a month; a plan of up to %(high)s a "
        "month would leave room for the unexpected.",
        left=money(a.disposable),
        high=money(a.band_high),
    )


def _details(row: FinancialStatement) -> dict[str, Any]:
    return {
        "household_size": row.household_size,
        "dependants": row.dependants,
        "income": [
            (str(INCOME_LABELS[k]), money(Decimal(row.income.get(k, "0")))) for k in INCOME_SOURCES
        ],
        "spending": [
            (str(SPENDING_LABELS[k]), money(Decimal(row.spending.get(k, "0"))))
            for k in ESSENTIAL_CATEGORIES
        ],
        "savings": money(row.savings),
        "assets": money(row.assets),
        "submitted_at": row.created_at,
        "shared": row.shared_with_creditor,
    }


def _sharing_note(row: FinancialStatement, viewer: User) -> str:
    if row.shared_with_creditor:
        if viewer.role == Role.DEBTOR:
            return _("Shared with the creditor, with your consent.")
        return _("Shared with the creditor, with the debtor's consent.")
    if viewer.role == Role.DEBTOR:
        return _("Only you and the mediator can see it. The creditor cannot.")
    return _("Not shared with the creditor.")


def _title(viewer: User) -> str:
    if viewer.role == Role.DEBTOR:
        return _("What you can afford")
    return _("What the debtor can afford")


# --- the case-page panel ----------------------------------------------------------------


def statement_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    if not can(viewer, Permission.STATEMENT_VIEW, case):
        return None  # admins and anyone not on the case
    row = statement_service.visible_statement(viewer, case)
    may_submit = can(viewer, Permission.STATEMENT_SUBMIT, case)
    is_debtor = viewer.role == Role.DEBTOR
    if row is None and not may_submit and is_debtor:
        return None  # nothing to show and nothing to do
    context: dict[str, Any] = {
        "call_to_action": row is None and may_submit,
        "form_url": url_for("statements.edit", case_id=case.id) if may_submit else None,
        "result": None,
        "withheld": None,
        "title": _title(viewer),
    }
    if row is not None:
        context["result"] = _result(statement_service.assessment(row), viewer)
        context["sharing"] = _sharing_note(row, viewer)
        context["submitted_at"] = row.created_at
        context["page_url"] = url_for("statements.show", case_id=case.id)
    elif viewer.role == Role.CREDITOR:
        context["withheld"] = _(
            "The debtor has not shared an income-and-spending statement with you."
        )
    elif not is_debtor:
        context["withheld"] = _(
            "The debtor has not filled in an income-and-spending statement yet."
        )
    return "cases/_statement.html", context


# --- the statement page and the form ----------------------------------------------------


@bp.route("/cases/<int:case_id>/statement")
@requires(Permission.STATEMENT_VIEW)
def show(case_id: int) -> str | Response:
    case = cases_web.load_case(case_id, Permission.STATEMENT_VIEW)
    user = _user()
    row = statement_service.visible_statement(user, case)
    may_submit = can(user, Permission.STATEMENT_SUBMIT, case)
    if row is None:
        if may_submit:
            return redirect(url_for("statements.edit", case_id=case.id))
        if user.role == Role.CREDITOR:
            abort(404)  # without the debtor's consent, there is nothing here for them
    return render_template(
        "statements/show.html",
        case=case,
        result=_result(statement_service.assessment(row), user) if row else None,
        details=_details(row) if row else None,
        sharing=_sharing_note(row, user) if row else None,
        title=_title(user),
        form_url=url_for("statements.edit", case_id=case.id) if may_submit else None,
    )


def _values_from(row: FinancialStatement | None) -> dict[str, str]:
    """The form prefilled with the newest statement (zero amounts left empty)."""
    if row is None:
        return {"dependants": "0"}
    values = {"household_size": str(row.household_size), "dependants": str(row.dependants)}
    for k in INCOME_SOURCES:
        values[f"income_{k}"] = _amount(row.income.get(k, "0"))
    for k in ESSENTIAL_CATEGORIES:
        values[f"spend_{k}"] = _amount(row.spending.get(k, "0"))
    values["savings"] = _amount(str(row.savings))
    values["assets"] = _amount(str(row.assets))
    if row.shared_with_creditor:
        values["share"] = "yes"
    return values


def _amount(text: str) -> str:
    return "" if Decimal(text) == 0 else text


def _field(name: str, label: Any, values: dict[str, str], errors: dict[str, str]) -> dict:
    return {
        "name": name,
        "label": str(label),
        "value": values.get(name, ""),
        "error": StatementInvalid(errors[name], name).message if name in errors else None,
    }


def form_context(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """The statement form's fields with the values typed and the refusals in words (the
    statement page and the debtor's statement step show the same form)."""
    return {
        "household": [
            _field("household_size", _l("People in your household, including you"), values, errors),
            _field("dependants", _l("Of them, people who depend on you"), values, errors),
        ],
        "income": [_field(f"income_{k}", INCOME_LABELS[k], values, errors) for k in INCOME_SOURCES],
        "spending": [
            _field(f"spend_{k}", SPENDING_LABELS[k], values, errors) for k in ESSENTIAL_CATEGORIES
        ],
        "holdings": [
            _field("savings", _l("Savings and cash you could use"), values, errors),
            _field(
                "assets", _l("Other assets, e.g. a car or a flat (estimated value)"), values, errors
            ),
        ],
        "share": values.get("share") == "yes",
        "share_text": statement_service.SHARE_TEXT_EN
        if _english()
        else statement_service.SHARE_TEXT_ZH,
        "totals": running_totals(values),
    }


def plain_errors(form: dict[str, str], errors: dict[str, str]) -> dict[str, str]:
    """Say plainly why "-100" is refused."""
    for name, code in errors.items():
        negative = code == "number_format" and form.get(name, "").strip().startswith("-")
        if code == "money_negative" or negative:
            errors[name] = "negative"
    return errors


def values_from_latest(case: Case) -> dict[str, str]:
    return _values_from(statement_service.latest_statement(case))


def _render_form(
    case: Case, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> tuple[str, int]:
    return render_template(
        "statements/form.html",
        case=case,
        action=url_for("statements.edit", case_id=case.id),
        cancel=url_for("cases.show", case_id=case.id),
        draft=False,
        **form_context(values, errors),
    ), status


@bp.route("/cases/<int:case_id>/statement/edit", methods=["GET", "POST"])
@requires(Permission.STATEMENT_SUBMIT)
def edit(case_id: int) -> Response | tuple[str, int]:
    case = cases_web.load_case(case_id, Permission.STATEMENT_SUBMIT)
    if request.method == "GET":
        stash = prg.take()  # a refused statement: the figures typed and the refusals
        if stash:
            values = {name: stash.value(name) for name in stash.values}
            return _render_form(case, values, stash.errors, status=stash.status)
        return _render_form(case, _values_from(statement_service.latest_statement(case)), {})
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    statement, errors = parse_statement(form)
    errors = plain_errors(form, errors)
    target = url_for("statements.edit", case_id=case.id)
    if statement is None:
        return prg.redirect_with(target, errors, status=400)
    share = form.get("share") == "yes"
    try:
        statement_service.submit_statement(_user(), case, statement, share)
    except DomainError as err:  # e.g. the case changed at the same moment: nothing saved
        flash(err.message, "error")
        return prg.redirect_with(target, extra={"refused": True}, status=err.status)
    flash(_("Thank you. Your statement was saved."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#statement")
