"""The one family of refusals, in plain Python so the rules can raise them too.

A rule or use case refuses by raising a :class:`DomainError`; nothing else decides how a
refusal looks. The one handler (:mod:`app.web.errors`) turns it into a page (or the form
again, where the view re-renders one) and, for a JSON request, into RFC 9457 problem
details with the error's HTTP status:

- :class:`InvalidInput` (400): a value the person typed is not acceptable; ``field`` names
  the input at fault.
- :class:`Refused` (409): understood, but a rule does not allow it now (the case is at
  another stage, the link was used, a limit is reached).
- :class:`Blocked` (422): refused because of findings (the legal checks), which travel
  with the error.
- :class:`Conflict` (409): somebody else changed the same thing at the same moment;
  looking again and retrying may succeed.

``code`` is stable (clients and tests rely on it). Each feature's subclass names its codes
in words in ``messages`` (both languages, via lazy gettext strings); codes a class does not
name are looked up in :data:`COMMON_MESSAGES`, which :mod:`app.core.errors` fills.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

COMMON_MESSAGES: dict[str, Any] = {}


class DomainError(Exception):
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
        """The refusal in the reader's language (inside a request or app context)."""
        text = self.messages.get(self.code) or COMMON_MESSAGES.get(self.code)
        if text is None:
            text = COMMON_MESSAGES.get("refused", self.code)
        text = str(text)
        return text % self.params if self.params else text


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
