"""One vocabulary for the people and things on a case, in Chinese and English.

Every page, notice and document names roles, creditor kinds, claim items, case states and
evidence categories with these words, so the same thing is never called two names. Keys
are the stored string values (the models' ``StrEnum`` members compare equal to them), so
this module needs no model.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.rules.cases import CaseState

ROLES = {
    "creditor": _l("Creditor"),
    "debtor": _l("Debtor"),
    "mediator": _l("Mediator"),
    "admin": _l("Organisation administrator"),
}

LICENCE_CHOICES = (
    ("bank", _l("Bank")),
    ("consumer_finance", _l("Consumer-finance company")),
    ("other_licensed", _l("Other licensed institution")),
    ("private_lender", _l("Private lender")),
    ("asset_manager", _l("Asset manager")),
)

# The four items of a claim, in the order the claim states them.
CLAIM_ITEMS = ("principal", "interest", "penalty", "fees")
CLAIM_ITEM_LABELS = {
    "principal": _l("Outstanding principal"),
    "interest": _l("Interest"),
    "penalty": _l("Penalty / overdue interest"),
    "fees": _l("Fees"),
}

STATES = {
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
    CaseState.PERFORMED: _l("Closed, agreement performed"),
}

EVIDENCE_CATEGORIES = (
    ("contract", _l("Loan contract")),
    ("disbursement", _l("Disbursement record")),
    ("statement", _l("Statement of account")),
    ("assignment", _l("Assignment agreement")),
    ("notice", _l("Notice to the debtor")),
    ("identity", _l("Identity document")),
    ("attorney", _l("Power of attorney")),
    ("other", _l("Other")),
)


def role_label(role: str) -> str:
    return str(ROLES[role])


def licence_label(licence: str) -> str:
    return str(dict(LICENCE_CHOICES)[licence])


def claim_item_label(item: str) -> str:
    return str(CLAIM_ITEM_LABELS[item])


def state_label(state: CaseState) -> str:
    return str(STATES[state])


def evidence_category_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in EVIDENCE_CATEGORIES]
