"""What each machine error code means, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FIELD_ERRORS = {
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
    "money_format": _l("Enter an amount in yuan with digits only, e.g. 12000 or 12,000.50."),
    "money_precision": _l("Amounts have at most two decimals (fen)."),
    "money_zero": _l("The amount must be greater than zero."),
    "money_too_large": _l("This amount is too large."),
    "rate_format": _l("Enter the annual rate in percent with digits only, e.g. 12 or 3.85."),
    "rate_range": _l("The annual rate must be between 0 and 1000 percent."),
    "file_type": _l("Only PDF, JPEG and PNG files are accepted (checked by their content)."),
    "file_too_large": _l("The file is larger than the limit of %(mb)s MB."),
    "file_empty": _l("The file is empty."),
    "unknown_evidence": _l("Choose a file of this case to correct."),
}

RULE_ERRORS = {
    "claim_locked": _l("The claim was submitted and can no longer be changed."),
    "claim_blocked": _l("The claim cannot be submitted as it stands. See the findings below."),
    "wrong_state": _l("This is no longer possible at the case's current stage."),
    "reason_required": _l("Please give a reason."),
    "not_a_mediator_here": _l("Choose a mediator of this organisation."),
    "mediator_locked": _l("This mediator's account is locked."),
    "mediator_conflicted": _l("This mediator declared a conflict of interest with this creditor."),
}

INVITATION_ERRORS = {
    "unknown": _l("This link is not valid. Please check that you copied all of it."),
    "used": _l("This link has already been used. Please sign in instead."),
    "revoked": _l("This link no longer works. Please contact the mediation organisation."),
    "expired": _l("This link has expired. Please contact the mediation organisation."),
    "id_mismatch": _l("That does not match our records. Please check and try again."),
    "no_such_channel": _l("We have no contact details of that kind for you."),
    "no_code": _l("Please ask for a code first."),
    "code_expired": _l("This code has expired. Please ask for a new one."),
    "code_wrong": _l("This code is not correct. Please try again."),
    "code_locked": _l("Too many wrong codes. Please ask for a new one."),
    "consent_required": _l("To take part in the mediation, the first two consents are needed."),
    "password_too_short": _l("Use at least %(n)s characters."),
    "existing_account_password": _l(
        "You already have an account: enter its password to add this case to it."
    ),
    "case_closed": _l("This case is closed."),
    "reason_required": _l("Please give a reason."),
}
