"""Reading a case form: every field parsed by one strict rule, errors kept per field.

A draft may be incomplete, but what it holds must be valid; a submission must be
complete. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from email_validator import EmailNotValidError, validate_email

from app.core.errors import InvalidInput
from app.rules.agreements import ReceivingAccount
from app.rules.contacts import is_mainland_mobile, normalise_phone
from app.rules.identity import parse_resident_id
from app.rules.money import parse_money, parse_rate

ID_TYPES = ("resident_id", "passport", "other")
MONEY_FIELDS = ("principal_lent", "outstanding_principal")
MONEY_OR_ZERO_FIELDS = ("interest", "penalty", "fees")
REQUIRED = (
    "debtor_name",
    "debtor_id_type",
    "debtor_id_number",
    "debtor_phone",
    "contract_number",
    "contract_date",
    "principal_lent",
    "annual_rate",
    "term_months",
    "outstanding_principal",
    "interest",
    "penalty",
    "fees",
    "overdue_since",
)
REQUIRED_FOR_ASSIGNEE = ("original_lender", "assignment_date", "debtor_notified")
# The account the debtor pays into: optional at intake (the case shows it as missing until
# given), but all three or none, and printable in an agreement (app.rules.agreement_terms).
ACCOUNT_FIELDS = ("receiving_account_name", "receiving_bank", "receiving_account_number")


# Reads one field's text: (raw, today, field) -> value, or ``InvalidInput(code, field)``.
Parser = Callable[[str, date, str], Any]


@dataclass
class ParsedCase:
    values: dict[str, Any] = field(default_factory=dict)
    # The refusal of each field at fault, by the field it names (the first one found).
    errors: dict[str, InvalidInput] = field(default_factory=dict)

    def refuse(self, error: InvalidInput) -> None:
        """Keep ``error`` for the field it names, unless that field is refused already."""
        assert error.field is not None
        self.errors.setdefault(error.field, error)


def _text(limit: int) -> Parser:
    def parse(raw: str, today: date, name: str) -> str:
        if len(raw) > limit:
            raise InvalidInput("too_long", name)
        return raw

    return parse


def _date_not_future(raw: str, today: date, name: str) -> date:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("date_format", name) from None
    if value > today:
        raise InvalidInput("date_future", name)
    return value


def _phone(raw: str, today: date, name: str) -> str:
    if not is_mainland_mobile(raw):
        raise InvalidInput("invalid_mobile", name)
    return normalise_phone(raw)


def _email(raw: str, today: date, name: str) -> str:
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidInput("invalid_email", name) from None


def _term(raw: str, today: date, name: str) -> int:
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 600:
        raise InvalidInput("term_range", name)
    return int(raw)


def _choice(options: tuple[str, ...]) -> Parser:
    def parse(raw: str, today: date, name: str) -> str:
        if raw not in options:
            raise InvalidInput("choice", name)
        return raw

    return parse


def _yes_no(raw: str, today: date, name: str) -> bool:
    if raw not in ("yes", "no"):
        raise InvalidInput("choice", name)
    return raw == "yes"


def _rule(read: Callable[[str, date], Any]) -> Parser:
    """A reader of :mod:`app.rules` for one field: the rule knows no form, so its refusal
    is raised again naming the field."""

    def parse(raw: str, today: date, name: str) -> Any:
        try:
            return read(raw, today)
        except InvalidInput as err:
            raise InvalidInput(err.code, name, **err.params) from None

    return parse


PARSERS: dict[str, Parser] = {
    "debtor_name": _text(100),
    "debtor_id_type": _choice(ID_TYPES),
    "debtor_phone": _phone,
    "debtor_email": _email,
    "debtor_address": _text(300),
    "contract_number": _text(64),
    "contract_date": _date_not_future,
    "annual_rate": _rule(lambda raw, today: parse_rate(raw)),
    "term_months": _term,
    "overdue_since": _date_not_future,
    "original_lender": _text(200),
    "assignment_date": _date_not_future,
    "debtor_notified": _yes_no,
    **{name: _rule(lambda raw, today: parse_money(raw)) for name in MONEY_FIELDS},
    **{
        name: _rule(lambda raw, today: parse_money(raw, allow_zero=True))
        for name in MONEY_OR_ZERO_FIELDS
    },
}
_RESIDENT_ID = _rule(lambda raw, today: parse_resident_id(raw, today).number)


def parse_case_form(raw: Mapping[str, str], today: date, *, complete: bool) -> ParsedCase:
    """Parse the intake form. ``complete`` demands every field a submission needs."""
    result = ParsedCase()
    is_assignee = raw.get("is_assignee") == "yes"
    result.values["is_assignee"] = is_assignee
    for name, parse in PARSERS.items():
        _parse_field(result, name, (raw.get(name) or "").strip(), today, parse)
    _parse_id_number(result, (raw.get("debtor_id_number") or "").strip(), today)
    if not result.values.get("debtor_name"):
        result.refuse(InvalidInput("required", "debtor_name"))
    if complete:
        needed = REQUIRED + (REQUIRED_FOR_ASSIGNEE if is_assignee else ())
        for name in needed:
            if result.values.get(name) is None:
                result.refuse(InvalidInput("required", name))
    _cross_checks(result)
    _parse_account(result, raw)
    return result


def _parse_account(result: ParsedCase, raw: Mapping[str, str]) -> None:
    """The receiving account's three fields: none (it stays missing) or an account the
    agreement can print; a refusal names the field at fault."""
    typed = {name: (raw.get(name) or "").strip() for name in ACCOUNT_FIELDS}
    for name in ACCOUNT_FIELDS:
        result.values[name] = None
    if not any(typed.values()):
        return
    try:
        account = ReceivingAccount(
            typed["receiving_account_name"],
            typed["receiving_bank"],
            typed["receiving_account_number"],
        )
    except InvalidInput as err:
        result.refuse(InvalidInput(err.code, f"receiving_{err.field}"))
        return
    if len(account.account_name) > 200 or len(account.bank) > 200:
        field = "receiving_account_name" if len(account.account_name) > 200 else "receiving_bank"
        result.refuse(InvalidInput("too_long", field))
        return
    result.values.update(
        receiving_account_name=account.account_name,
        receiving_bank=account.bank,
        receiving_account_number=account.account_number,
    )


def _parse_field(result: ParsedCase, name: str, raw: str, today: date, parse: Parser) -> None:
    result.values[name] = None
    if not raw:
        return
    try:
        result.values[name] = parse(raw, today, name)
    except InvalidInput as err:
        result.refuse(err)


def _parse_id_number(result: ParsedCase, raw: str, today: date) -> None:
    name = "debtor_id_number"
    result.values[name] = None
    if not raw:
        return
    try:
        if result.values.get("debtor_id_type", "resident_id") in (None, "resident_id"):
            result.values[name] = _RESIDENT_ID(raw, today, name)
        elif len(raw) > 32 or not raw.isascii() or not raw.replace("-", "").isalnum():
            raise InvalidInput("id_format", name)
        else:
            result.values[name] = raw.upper()
    except InvalidInput as err:
        result.refuse(err)


def _cross_checks(result: ParsedCase) -> None:
    v = result.values
    if (
        v.get("contract_date")
        and v.get("overdue_since")
        and v["overdue_since"] <= v["contract_date"]
    ):
        result.refuse(InvalidInput("overdue_before_contract", "overdue_since"))
    if (
        v.get("contract_date")
        and v.get("assignment_date")
        and v["assignment_date"] < v["contract_date"]
    ):
        result.refuse(InvalidInput("assignment_before_contract", "assignment_date"))


def claim_total(values: Mapping[str, Any]) -> Decimal:
    parts = ("outstanding_principal", "interest", "penalty", "fees")
    return sum((values.get(p) or Decimal("0.00") for p in parts), Decimal("0.00"))
