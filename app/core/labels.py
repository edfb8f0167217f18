"""Translated names for the values the models store (roles, licence types, audit actions)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models.organisations import LicenceType
from app.models.users import Role
from app.rules.cases import CaseState

_ROLES = {
    Role.CREDITOR: _l("Creditor"),
    Role.DEBTOR: _l("Debtor"),
    Role.MEDIATOR: _l("Mediator"),
    Role.ADMIN: _l("Organisation administrator"),
}

LICENCE_CHOICES = (
    (LicenceType.BANK, _l("Bank")),
    (LicenceType.CONSUMER_FINANCE, _l("Consumer-finance company")),
    (LicenceType.OTHER_LICENSED, _l("Other licensed institution")),
    (LicenceType.PRIVATE_LENDER, _l("Private lender")),
    (LicenceType.ASSET_MANAGER, _l("Asset manager")),
)

_ACTIONS = {
    "auth:login": _l("Signed in"),
    "auth:logout": _l("Signed out"),
    "account:password:change": _l("Changed the password"),
    "account:locale:set": _l("Changed the language"),
    "organisation:create": _l("Registered the mediation organisation"),
    "organisation:update": _l("Updated the organisation's details"),
    "creditor_org:create": _l("Registered a creditor organisation"),
    "user:create": _l("Opened an account"),
    "user:lock": _l("Locked an account"),
    "user:unlock": _l("Unlocked an account"),
    "calendar:override:set": _l("Entered a day in the legal calendar"),
    "calendar:override:remove": _l("Removed a day from the legal calendar"),
    "calendar:year:complete": _l("Marked a year's holidays as complete"),
}


def role_label(role: Role) -> str:
    return str(_ROLES[role])


def licence_label(licence: LicenceType) -> str:
    return str(dict(LICENCE_CHOICES)[licence])


def action_label(action: str) -> str:
    from app.core.case_labels import CASE_ACTIONS

    label = _ACTIONS.get(action) or CASE_ACTIONS.get(action)
    return str(label) if label is not None else _("Recorded event: %(action)s", action=action)


_AUDIT_REASONS = {
    "previous-hash link broken": _l("the link to the previous event is broken"),
    "case chain link broken": _l("the link to the case's previous event is broken"),
    "content does not match its hash": _l("the event's content no longer matches its hash"),
}


def audit_reason_label(reason: str) -> str:
    return str(_AUDIT_REASONS.get(reason, reason))


_STATES = {
    CaseState.DRAFT: _l("Draft"),
    CaseState.SUBMITTED: _l("Awaiting acceptance"),
    CaseState.INVITED: _l("Debtor invited"),
    CaseState.NEGOTIATING: _l("Negotiating"),
    CaseState.AGREEMENT_DRAFTING: _l("Terms agreed: agreement being drafted"),
    CaseState.SIGNING: _l("Agreement awaiting signatures"),
    CaseState.IN_FORCE: _l("Agreement in force"),
    CaseState.FILED: _l("Filed for judicial confirmation"),
    CaseState.CONFIRMED: _l("Confirmed by the court"),
    CaseState.CONFIRMATION_REJECTED: _l("Confirmation refused by the court"),
    CaseState.CLOSED_NOT_MEDIATED: _l("Closed, not mediated"),
}


def state_label(state: CaseState) -> str:
    return str(_STATES[state])
