"""One family of errors for every rule the application enforces.

A use case refuses by raising a :class:`DomainError`; nothing else decides how a refusal
looks. The one handler (:mod:`app.web.errors`) turns it into a page (or the form again,
where the view re-renders one) and, for a JSON request, into
``{"error": code, "message": ..., "field": ..., "findings": [...]}`` with the error's HTTP
status (RFC 9457 problem details).

- :class:`InvalidInput` (400): a value the person typed is not acceptable; ``field`` names
  the form field.
- :class:`Refused` (409): the request is understood but a rule does not allow it now
  (the case is at another stage, the link was used, a limit is reached).
- :class:`Blocked` (422): refused because of findings (the legal pre-checks); the findings
  travel with the error.
- :class:`Conflict` (409): somebody else changed the same thing at the same moment; trying
  again after looking at the new state may succeed.

Each feature's error class carries ``messages``: its codes in words, in both languages
(lazy gettext strings); codes it does not name fall back to :data:`COMMON`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

COMMON: dict[str, Any] = {
    "required": _l("This field is required."),
    "too_long": _l("This is too long."),
    "choice": _l("Choose one of the options."),
    "invalid": _l("This value is not acceptable."),
    "conflict": _l("The case changed at the same moment. Please look again and retry."),
    "refused": _l("This is not possible at the moment."),
    "wrong_state": _l("This is no longer possible at the case's current stage."),
}


class DomainError(Exception):
    """A refusal by a rule. ``code`` is stable (clients and tests use it), ``field`` names
    the input at fault, ``findings`` are the rule results behind it, ``params`` fill the
    message."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "invalid"
    messages: ClassVar[Mapping[str, Any]] = {}

    def __init__(
        self,
        code: str | None = None,
        field: str | None = None,
        *,
        findings: Sequence[Any] = (),
        status: int | None = None,
        **params: Any,
    ) -> None:
        self.code = code or self.default_code
        super().__init__(self.code)
        self.field = field
        self.findings = list(findings)
        self.params = params
        if status is not None:
            self.status = status  # type: ignore[misc]

    @property
    def message(self) -> str:
        """The code in the reader's language (call inside a request or app context)."""
        text = self.messages.get(self.code) or COMMON.get(self.code)
        if text is None:
            return str(COMMON["refused"])
        text = str(text)
        return text % self.params if self.params else text

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "error": self.code,
            "message": self.message,
            "status": self.status,
            "findings": [_finding(f) for f in self.findings],
        }
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(DomainError):
    status = 400
    default_code = "invalid"


class Refused(DomainError):
    status = 409
    default_code = "refused"


class Blocked(Refused):
    status = 422
    default_code = "blocked"


class Conflict(Refused):
    status = 409
    default_code = "conflict"


def _finding(finding: Any) -> Any:
    """A rule finding as plain data (``app.rules.claims.Finding`` or anything with ``code``)."""
    if isinstance(finding, Mapping):
        return dict(finding)
    fields = ("code", "severity", "source", "message_en", "message_zh")
    found = {name: str(getattr(finding, name)) for name in fields if hasattr(finding, name)}
    return found or str(finding)
