"""The intake form's fields, grouped as the creditor fills them in (presentation only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.models.cases import Case
from app.rules.money import format_rate


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    kind: str = "text"  # text, date, money, rate, number, tel, email, select, yesno
    hint: Any = None
    options: tuple[tuple[str, Any], ...] = ()
    autocomplete: str = "off"


YES_NO = (("no", _l("No")), ("yes", _l("Yes")))

GROUPS: tuple[tuple[Any, tuple[FieldSpec, ...]], ...] = (
    (
        _l("The debtor"),
        (
            FieldSpec("debtor_name", _l("Full name")),
            FieldSpec(
                "debtor_id_type",
                _l("ID type"),
                "select",
                options=(
                    ("resident_id", _l("Resident identity card")),
                    ("passport", _l("Passport")),
                    ("other", _l("Other document")),
                ),
            ),
            FieldSpec(
                "debtor_id_number",
                _l("ID number"),
                hint=_l("Stored encrypted and shown masked, e.g. 110101********1234."),
            ),
            FieldSpec("debtor_phone", _l("Mobile number"), "tel"),
            FieldSpec("debtor_email", _l("Email (optional)"), "email"),
            FieldSpec("debtor_address", _l("Address (optional)")),
        ),
    ),
    (
        _l("The contract"),
        (
            FieldSpec("contract_number", _l("Contract number")),
            FieldSpec("contract_date", _l("Date the contract was formed"), "date"),
            FieldSpec("principal_lent", _l("Principal lent (yuan)"), "money"),
            FieldSpec(
                "annual_rate",
                _l("Contractual annual interest rate (%)"),
                "rate",
                hint=_l("Simple annual rate in percent, e.g. 12 or 3.85."),
            ),
            FieldSpec("term_months", _l("Term (months)"), "number"),
        ),
    ),
    (
        _l("The claim"),
        (
            FieldSpec("outstanding_principal", _l("Outstanding principal (yuan)"), "money"),
            FieldSpec("interest", _l("Interest (yuan)"), "money"),
            FieldSpec("penalty", _l("Penalty / overdue interest (yuan)"), "money"),
            FieldSpec("fees", _l("Fees (yuan)"), "money"),
            FieldSpec("overdue_since", _l("Overdue since"), "date"),
        ),
    ),
    (
        _l("Original lender or assignee"),
        (
            FieldSpec(
                "is_assignee",
                _l("Did you acquire this debt from another lender?"),
                "yesno",
                options=YES_NO,
            ),
            FieldSpec("original_lender", _l("Original lender (assignees only)")),
            FieldSpec("assignment_date", _l("Date of the assignment (assignees only)"), "date"),
            FieldSpec(
                "debtor_notified",
                _l("Was the debtor notified of the assignment?"),
                "yesno",
                options=YES_NO,
                hint=_l("Civil Code Art. 546: an assignment binds the debtor once notified."),
            ),
        ),
    ),
    (
        _l("Receiving account"),
        (
            FieldSpec(
                "receiving_account_name",
                _l("Account holder"),
                hint=_l(
                    "The account the debtor will pay into. The agreement states it, so the "
                    "mediator's draft starts from it. You can also give it later on the case page."
                ),
            ),
            FieldSpec("receiving_bank", _l("Bank and branch")),
            FieldSpec(
                "receiving_account_number",
                _l("Account number"),
                hint=_l("Stored encrypted and shown masked, e.g. ****1234."),
            ),
        ),
    ),
)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def values_from_case(case: Case) -> dict[str, str]:
    names = [spec.name for _, specs in GROUPS for spec in specs]
    values = {name: _as_text(getattr(case, name)) for name in names}
    if case.annual_rate is not None:
        values["annual_rate"] = format_rate(case.annual_rate).removesuffix("%")  # 10, not 1E+1
    return values


def rows(
    values: Mapping[str, str], errors: Mapping[str, DomainError | str]
) -> list[dict[str, Any]]:
    """What the template shows: each group with its fields, values and messages (the
    refusal of a field, by the field it names: the refusal or its words)."""
    out = []
    for title, specs in GROUPS:
        fields = []
        for spec in specs:
            error = errors.get(spec.name)
            fields.append(
                {
                    "spec": spec,
                    "value": values.get(spec.name, ""),
                    "error": getattr(error, "message", error) or None,
                }
            )
        out.append({"title": title, "fields": fields})
    return out
