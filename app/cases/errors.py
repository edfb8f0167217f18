"""The refusals of the cases feature, with their words.

Codes not named here (``wrong_state``, ``required``, ``conflict`` ...) take the words of
:mod:`app.core.errors`. The codes and the English texts are stable: clients, tests and
the translations are keyed by them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import Blocked, InvalidInput, Refused


class CaseRuleError(Refused):
    """A rule of the case refuses this now; ``code`` names the rule."""

    messages = {
        "claim_locked": _l("The claim was submitted and can no longer be changed."),
        "not_a_mediator_here": _l("Choose a mediator of this organisation."),
        "mediator_locked": _l("This mediator's account is locked."),
        "mediator_conflicted": _l(
            "This mediator declared a conflict of interest with this creditor."
        ),
    }


class ClaimBlocked(Blocked):
    """The claim check found what keeps the claim from mediation; the findings travel with
    the refusal."""

    default_code = "claim_blocked"
    messages = {
        "claim_blocked": _l("The claim cannot be submitted as it stands. See the findings below."),
    }


class CaseInputError(InvalidInput):
    """A value typed for a case decision is not acceptable; ``field`` names the input."""

    messages = {
        "reason_required": _l("Please give a reason."),
    }


_LINK_MESSAGES = {
    "unknown": _l("This link is not valid. Please check that you copied all of it."),
    "used": _l("This link has already been used. Please sign in instead."),
    "revoked": _l("This link no longer works. Please contact the mediation organisation."),
    "replaced": _l(
        "This link was replaced by a newer one and no longer works. Please use the link in "
        "the most recent message we sent you."
    ),
    "expired": _l("This link has expired. Please contact the mediation organisation."),
}


class InvitationError(InvalidInput):
    """A step of the debtor's way in is refused; the step's form is shown again (400)."""

    messages = {
        **_LINK_MESSAGES,
        "id_mismatch": _l("That does not match our records. Please check and try again."),
        "channel_choice": _l("Choose where to send the code."),
        "no_such_channel": _l("We have no contact details of that kind for you."),
        "no_code": _l("Please ask for a code first."),
        "code_expired": _l("This code has expired. Please ask for a new one."),
        "code_wrong": _l("This code is not correct. Please try again."),
        "code_locked": _l("Too many wrong codes. Please ask for a new one."),
        "consent_required": _l("To take part in the mediation, the first two consents are needed."),
        "passwords_differ": _l("The two passwords differ."),
        "password_too_short": _l("Use at least %(n)s characters."),
        "password_common": _l(
            "This password is among the most common ones and is easily guessed. Choose another."
        ),
        "existing_account_password": _l(
            "You already have an account: enter its password to add this case to it."
        ),
        "case_closed": _l("This case is closed."),
        "reason_required": _l("Please give a reason."),
        "party_is_already_on_case": _l(
            "This account already takes part in this case. Each party joins with their own account."
        ),
        "party_cannot_decline": _l(
            "Please tell the mediator if you do not wish to take part; the mediator will "
            "contact you."
        ),
    }


class LinkRefused(Refused):
    """The invitation link (or the step after its one-time code) can no longer be used:
    410 Gone, or 404 for a link that never existed (raised with ``status=404``)."""

    status = 410
    messages = _LINK_MESSAGES
