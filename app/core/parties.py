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

# What kind of entity a creditor is (app.rules.party_kinds): it decides who represents it.
ENTITY_KIND_CHOICES = (
    ("legal_person", _l("Legal person (bank, company)")),
    ("branch", _l("Branch (e.g. a bank's branch)")),
    ("natural_person", _l("Natural person (private lender)")),
)
# The representative's title by kind, on pages (the papers use
# app.rules.party_kinds.representative_title); a natural person has none.
REPRESENTATIVE_LABELS = {
    "legal_person": _l("Legal representative"),
    "branch": _l("Person in charge"),
}
ID_TYPE_CHOICES = (
    ("resident_id", _l("Resident identity card")),
    ("passport", _l("Passport")),
    ("other", _l("Other identity document")),
)
# Empty: read from the resident ID number.
SEX_CHOICES = (("", _l("(from the ID number)")), ("male", _l("Male")), ("female", _l("Female")))

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
    ("id_front", _l("Debtor's ID copy (front)")),
    ("id_back", _l("Debtor's ID copy (back)")),
    ("agent_proof", _l("Agent's proof of employment or relationship")),
    ("other", _l("Other")),
)
# Given by a guarantor or co-borrower on their own case page (app.cases.papers), never a
# choice of the evidence upload.
PARTY_ID_CATEGORY_NAMES = (
    ("party_id_front", _l("Guarantor's or co-borrower's ID copy (front)")),
    ("party_id_back", _l("Guarantor's or co-borrower's ID copy (back)")),
)


def role_label(role: str) -> str:
    return str(ROLES[role])


def entity_kind_label(kind: str) -> str:
    return str(dict(ENTITY_KIND_CHOICES)[kind])


def representative_label(kind: str) -> str:
    """ "Legal representative" / "Person in charge" / "" (a natural person)."""
    label = REPRESENTATIVE_LABELS.get(kind)
    return str(label) if label else ""


def licence_label(licence: str) -> str:
    return str(dict(LICENCE_CHOICES)[licence])


def claim_item_label(item: str) -> str:
    return str(CLAIM_ITEM_LABELS[item])


def state_label(state: CaseState) -> str:
    return str(STATES[state])


def evidence_category_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in EVIDENCE_CATEGORIES]


def evidence_category_names() -> dict[str, str]:
    """Every category's name, for the evidence list."""
    return {v: str(label) for v, label in EVIDENCE_CATEGORIES + PARTY_ID_CATEGORY_NAMES}
