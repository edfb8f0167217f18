"""How the accounts feature refuses: sign-in refusals and unacceptable account input,
with their words (codes the classes do not name come from :mod:`app.core.errors`)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.core.errors import InvalidInput, Refused

MIN_PASSWORD_LENGTH = 10


class AuthError(Refused):
    """Sign-in refused. A wrong password and an unknown account get the same words, so
    the answer does not tell which accounts exist. A locked account is only named after
    a correct password."""

    status = 401
    default_code = "bad_credentials"
    messages = {
        "bad_credentials": _l("The email/mobile number or the password is not correct."),
        "locked": _l("This account is locked. Please contact your organisation's administrator."),
    }


class SignInThrottled(AuthError):
    """Too many failed attempts for the account or from the address: try again after
    ``wait`` (:mod:`app.rules.throttle`)."""

    status = 429
    default_code = "throttled"

    def __init__(self, wait: timedelta) -> None:
        super().__init__("throttled")
        self.wait = wait

    @property
    def message(self) -> str:
        minutes = max(1, -(-int(self.wait.total_seconds()) // 60))
        return ngettext(
            "Too many failed sign-in attempts. For your security, please wait %(num)s "
            "minute and try again.",
            "Too many failed sign-in attempts. For your security, please wait %(num)s "
            "minutes and try again.",
            minutes,
        )


class AccountInvalid(InvalidInput):
    """Account, organisation or password input refused; ``field`` names the input."""

    messages = {
        "bad_current_password": _l("The current password is not correct."),
        "password_too_short": _l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
        "duplicate": _l("This value is already registered."),
        "invalid_uscc": _l(
            "This is not a valid unified social credit code (18 characters, GB 32100)."
        ),
        "seal_not_png": _l("The seal must be a PNG image."),
        "seal_too_large": _l("The seal image must be smaller than 2 MB."),
        "email_or_phone_required": _l("Give an email address or a mobile number."),
        "unknown_organisation": _l("Choose an organisation from the list."),
        "conflict_incomplete": _l("Choose the creditor and give the reason."),
        "lpr_invalid": _l("Enter a date (YYYY-MM-DD) and a rate between 0 and 20 percent."),
    }
