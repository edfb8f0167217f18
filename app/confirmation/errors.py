"""How judicial confirmation refuses, with its words.

:class:`ConfirmationError` is the feature's family: every refusal of the confirmation use
cases is one, so a caller may catch them all; each is also one of the kernel's kinds
(:mod:`app.rules.errors`), which decides its HTTP status:

- :class:`ConfirmationInvalid` (400): a value the mediator typed (a date, the court's case
  number, the court's reason) is not acceptable.
- :class:`ConfirmationRefused` (409): the case, the package or the person does not allow
  it now.
- :class:`ConfirmationBlocked` (422): the pre-checks stop the release (the findings travel
  with it), or the court chosen is not competent (CPL Art. 205).
- :class:`PackageError` (422): the package cannot be built or served from what is stored
  (an evidence file whose bytes changed, the agreement's file, a missing signature field).

A lost race is the kernel's :class:`~app.core.errors.Conflict`. ``detail`` (a keyword
argument) names the thing at fault (the evidence file that changed, the creditor's agent,
a warning code) and fills ``%(detail)s`` in the words.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import Blocked, DomainError, InvalidInput, Refused


class ConfirmationError(DomainError):
    """A refusal of the judicial-confirmation use cases (see the module's kinds)."""

    messages = {
        # The mediator's pre-checks and release.
        "not_the_mediator": _l("Only the case's mediator runs its judicial confirmation."),
        "wrong_state": _l("This cannot be done at this stage of the case."),
        "not_in_force": _l("The agreement is not in force yet."),
        "court_not_competent": _l("This court may not hear the application (CPL Art. 205)."),
        "blocked": _l("The checks below stop the package. Fix them first."),
        "unacknowledged": _l("Read and acknowledge every warning first."),
        "nothing_to_acknowledge": _l("Tick the warnings you have read."),
        "not_a_warning": _l("That warning no longer applies. Reload the page."),
        "nothing_to_lift": _l("Tick the signals you have checked."),
        "not_liftable": _l("That signal no longer applies or cannot be lifted. Reload the page."),
        "justification_required": _l(
            "Write why the signals do not show a staged mediation (at least 15 characters)."
        ),
        "justification_too_long": _l("The justification is too long (at most 2,000 characters)."),
        # The package and the parties' signatures on it.
        "evidence_changed": _l(
            "An evidence file no longer matches the file uploaded (%(detail)s). Upload it again."
        ),
        "agreement_changed": _l(
            "The signed agreement no longer matches the file on record (%(detail)s)."
        ),
        "unknown_attachment": _l("The package holds a file that is not on record (%(detail)s)."),
        "superseded": _l("This package was replaced by a newer one."),
        "not_failed": _l("This package is not waiting for another try."),
        "not_signable": _l("This package is not open for signing."),
        "not_a_signer": _l("You do not sign this application."),
        "already_signed": _l("You have already signed this package."),
        "not_the_agent": _l(
            "The application names %(detail)s as the creditor's agent: "
            "they sign it for the creditor."
        ),
        "document_changed": _l("The document changed since you opened it. Review it again."),
        # What the court did.
        "not_ready": _l("Both parties must sign the application before it is filed."),
        "case_number_invalid": _l("Enter the court's case number (at most 64 characters)."),
        "date_in_future": _l("The date cannot be in the future."),
        "date_before_release": _l("The filing date cannot be before the package was released."),
        "date_before_filing": _l("The ruling date cannot be before the filing."),
        "not_filed": _l("Record the filing first."),
        "reason_required": _l("Give the court's reason for refusing."),
        "reason_too_long": _l("The reason is too long."),
        "date_invalid": _l("Enter a date as YYYY-MM-DD."),
    }

    @property
    def detail(self) -> str | None:
        """The thing at fault, when the refusal names one."""
        detail = self.params.get("detail")
        return None if detail is None else str(detail)


class ConfirmationInvalid(ConfirmationError, InvalidInput):
    """A value the mediator typed is not acceptable; ``field`` names the input."""


class ConfirmationRefused(ConfirmationError, Refused):
    """The case, the package or the person does not allow this now."""


class ConfirmationBlocked(ConfirmationError, Blocked):
    """The pre-checks stop the release; ``findings`` are what blocks or awaits the
    mediator's acknowledgement."""


class PackageError(ConfirmationError, Refused):
    """The package cannot be built or served from what is stored; ``detail`` names the
    file at fault (e.g. the original name of the evidence file whose bytes changed)."""

    status = 422
