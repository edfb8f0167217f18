"""Refusals as people read them.

The classes live in :mod:`app.rules.errors` (plain Python, so the rules raise them too)
and are used from here; this module adds the words for the codes every feature shares (a
required field, a malformed amount or ID number, a lost race) and the problem-details body
a JSON client gets (RFC 9457).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask_babel import lazy_gettext as _l

from app.rules.errors import (
    COMMON_MESSAGES,
    Blocked,
    Conflict,
    DomainError,
    InvalidInput,
    Refused,
)

__all__ = [
    "Blocked",
    "Conflict",
    "DomainError",
    "InvalidInput",
    "Refused",
    "StorageFull",
    "StorageUnavailable",
    "Unavailable",
    "problem_details",
]

COMMON_MESSAGES.update(
    {
        "invalid": _l("This value is not acceptable."),
        "refused": _l("This is not possible at the moment."),
        "conflict": _l("The case changed at the same moment. Please look again and retry."),
        "wrong_state": _l("This is no longer possible at the case's current stage."),
        "changed_meanwhile": _l(
            "Somebody changed this at the same moment. Nothing was saved: please look again."
        ),
        "required": _l("This field is required."),
        "too_long": _l("This is too long."),
        "choice": _l("Choose one of the options."),
        "date_format": _l("Enter a date as YYYY-MM-DD."),
        "date_future": _l("This date cannot be in the future."),
        "overdue_before_contract": _l("The debt cannot be overdue before the contract was formed."),
        "assignment_before_contract": _l("The assignment cannot be earlier than the contract."),
        "invalid_mobile": _l("Enter an 11-digit mainland mobile number, e.g. 13800138000."),
        "invalid_email": _l("Enter a valid email address."),
        "term_range": _l("Enter the term in whole months, from 1 to 600."),
        "id_format": _l("A resident ID number has 18 characters: 17 digits and a digit or X."),
        "id_birth_date": _l("The date of birth inside this ID number is not a real date."),
        "id_future_birth": _l("The date of birth inside this ID number is in the future."),
        "id_checksum": _l("This ID number's last character does not match (GB 11643 check)."),
        "money_format": _l("Enter an amount in yuan, e.g. 12000, 12,000.50 or 1.2万."),
        "money_grouping": _l(
            "This amount can be read more than one way. Commas separate thousands (12,000) "
            "and one point separates the fen (12.50)."
        ),
        "money_unit": _l("Use at most one unit, at the end: 1.2万 or 3千."),
        "money_negative": _l("An amount cannot be negative: enter it without a minus sign."),
        "money_precision": _l("Amounts have at most two decimals (fen)."),
        "money_zero": _l("The amount must be greater than zero."),
        "money_too_large": _l("This amount is too large."),
        "rate_format": _l("Enter the annual rate in percent with digits only, e.g. 12 or 3.85."),
        "rate_range": _l("The annual rate must be between 0 and 1000 percent."),
        "file_type": _l("Only PDF, JPEG and PNG files are accepted (checked by their content)."),
        "file_too_large": _l("The file is larger than the limit of %(mb)s MB."),
        "file_empty": _l("The file is empty."),
        "unknown_evidence": _l("Choose a file of this case to correct."),
        "account_name": _l("Enter the account holder's name."),
        "account_bank": _l("Enter the bank and branch."),
        "account_number": _l("An account number has 8 to 32 digits (spaces allowed)."),
        "poa_agent_identity": _l("Enter the agent's ID number or their position."),
        "poa_no_power": _l("Tick at least one power the principal gave."),
        "poa_period_order": _l("The period cannot end before it begins."),
    }
)


def problem_details(err: DomainError) -> dict[str, Any]:
    """The JSON body of a refusal (RFC 9457): ``type`` (a URN naming the stable code),
    ``title`` (the status's phrase), ``status``, ``detail`` (the refusal in the reader's
    language), and the extension members ``code``, ``field`` when one input is at fault and
    the ``findings`` behind it. ``error`` and ``message`` repeat ``code`` and ``detail``
    for the clients written before the API."""
    body = problem_body(err.status, err.code, err.message, field=err.field)
    body["findings"] = [_finding(f) for f in err.findings]
    return body


PROBLEM_TYPE = "urn:concord:problem:"


def problem_body(
    status: int, code: str, detail: str, *, field: str | None = None
) -> dict[str, Any]:
    """The members every problem of Concord carries (see :func:`problem_details`)."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": HTTPStatus(status).phrase if status in _STATUSES else "Error",
        "status": status,
        "detail": str(detail),
        "code": code,
        "error": code,
        "message": str(detail),
        "findings": [],
    }
    if field:
        body["field"] = field
    return body


_STATUSES = {s.value for s in HTTPStatus}


def _finding(finding: Any) -> Any:
    """A rule finding as plain data (``app.rules.claims.Finding`` or anything with ``code``)."""
    if isinstance(finding, Mapping):
        return dict(finding)
    fields = ("code", "severity", "source", "message_en", "message_zh")
    found = {name: str(getattr(finding, name)) for name in fields if hasattr(finding, name)}
    return found or str(finding)


class Unavailable(Exception):
    """Nothing could be saved because the platform cannot write right now: the database
    refuses writes or cannot be reached (503), or the disk is full (:class:`StorageFull`,
    507). Not a refusal of what the person asked (no :class:`DomainError`, so no view turns
    it into its form again): the one handler answers with a page or problem details and
    ``Retry-After``, and a background job is tried again later. Made from the low-level
    fault by :func:`app.core.faults.fault_of`; the fault is its ``__cause__``."""

    status = 503
    code = "unavailable"

    @property
    def message(self) -> str:
        return str(_UNAVAILABLE_MESSAGES[self.code])

    def problem(self) -> dict[str, Any]:
        return problem_body(self.status, self.code, self.message)


class StorageFull(Unavailable):
    status = 507  # Insufficient Storage (RFC 4918 §11.5)
    code = "storage_full"


class StorageUnavailable(Unavailable):
    """The file store (the S3 bucket) cannot be reached or answers with a server error."""

    code = "storage_unavailable"


_UNAVAILABLE_MESSAGES = {
    "unavailable": _l(
        "The database cannot save anything at the moment, so nothing was saved. "
        "Please try again later."
    ),
    "storage_full": _l("The storage is full, so nothing was saved. Please try again later."),
    "storage_unavailable": _l(
        "The file storage cannot be reached at the moment, so nothing was saved. "
        "Please try again later."
    ),
}
