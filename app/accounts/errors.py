"""How the accounts feature refuses: sign-in refusals and unacceptable account input,
with their words (codes the classes do not name come from :mod:`app.core.errors`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput, Refused
from app.core.format import local_datetime
from app.rules.passwords import MIN_PASSWORD_LENGTH

__all__ = ["MIN_PASSWORD_LENGTH"]


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
    def retry_after(self) -> int:
        """The wait in whole seconds, for the ``Retry-After`` header (RFC 9110 §10.2.3)."""
        return max(1, -(-int(self.wait.total_seconds()) // 1))

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


class SecondFactorRequired(AuthError):
    """The password was right, but the account has seen failed tries: a one-time code was
    sent to the owner's phone or email, to be entered with the password."""

    status = 200
    default_code = "code_sent"
    messages = {
        "code_sent": _l(
            "For your security, this sign-in needs a one-time code as well. We sent it to "
            "your mobile phone or email. Enter your password again with the code."
        ),
    }

    def __init__(self, channel: object = None) -> None:
        super().__init__("code_sent")
        self.channel = channel


class PasswordChecksPaused(InvalidInput):
    """Too many wrong current passwords on the password change form: further tries are
    refused, unseen, until ``until``."""

    status = 429
    default_code = "password_checks_paused"

    def __init__(self, until: datetime) -> None:
        super().__init__("password_checks_paused", "current")
        self.until = until

    @property
    def message(self) -> str:
        return gettext(
            "The current password was entered wrongly too many times. For your security, "
            "you can try again from %(time)s. If this was not you, tell your administrator.",
            time=local_datetime(self.until),
        )


class AccountInvalid(InvalidInput):
    """Account, organisation or password input refused; ``field`` names the input."""

    messages = {
        "bad_current_password": _l("The current password is not correct."),
        "password_too_short": _l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
        "password_common": _l(
            "This password is among the most common ones and is easily guessed. Choose another."
        ),
        "duplicate": _l("This value is already registered."),
        "not_a_creditor_user": _l("Only a creditor organisation's user can keep its profile."),
        "invalid_uscc": _l(
            "This is not a valid unified social credit code (18 characters, GB 32100)."
        ),
        "id_type": _l("Choose the type of identity document."),
        "id_required": _l("Enter the identity document's number."),
        "id_sex_mismatch": _l("The sex does not match the one this resident ID number encodes."),
        "id_birth_mismatch": _l(
            "The date of birth does not match the one inside this resident ID number."
        ),
        "sex_required": _l("Give the sex: this document does not state it."),
        "birth_date_required": _l("Give the date of birth: this document does not state it."),
        "seal_not_png": _l("The seal must be a PNG image."),
        "seal_too_large": _l("The seal image must be smaller than 2 MB."),
        "seal_dimensions": _l("The seal image must be 100 to 2000 pixels wide and high."),
        "seal_not_transparent": _l(
            "The seal must have a transparent background (a PNG with an alpha channel)."
        ),
        "seal_natural_person": _l("A natural person has no seal."),
        "paper_kind": _l("Choose which paper this file is."),
        "email_or_phone_required": _l("Give an email address or a mobile number."),
        "unknown_organisation": _l("Choose an organisation from the list."),
        "conflict_incomplete": _l("Choose the creditor and give the reason."),
        "lpr_invalid": _l("Enter a date (YYYY-MM-DD) and a rate between 0 and 20 percent."),
        "grace_days": _l("Enter a whole number of days from 1 to 90."),
        "threshold_invalid": _l(
            "Enter the province, both amounts in yuan (more than 0), the date in force from "
            "(YYYY-MM-DD) and the source."
        ),
        "appointment_invalid": _l(
            "Enter the appointment number, the date of appointment (YYYY-MM-DD, not in the "
            "future) and who appointed the mediator."
        ),
        "not_a_mediator": _l("Only a mediator has an appointment record."),
    }
