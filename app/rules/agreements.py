"""The mediation agreement (调解协议书): the one import for everything about it.

The agreement states both parties' basic information, the main facts and what was
disputed, the agreed terms and how and by when they are performed (人民调解法 Art. 29;
特邀调解规定 Art. 24), without open terms, so that a court can confirm it (民诉法解释
Art. 358(5)). Its terms are a frozen copy of the accepted proposal; changing
anything makes a new version and signatures on older versions stop counting. It takes
effect when both parties and the mediator have signed and the seal is on it (人民调解法
Art. 29; cf. 在线调解规则 Art. 19).

Split by concern to keep modules small: ``agreement_terms`` (values, terms from the
proposal, the items' names), ``agreement_snapshot`` (the terms as stored JSON),
``agreement_checks`` (``validate_for_rendering``), ``agreement_signing`` (the version rule
and signing order), ``agreement_context`` (the template context and the fixed legal
text). They never import this module.
"""

from __future__ import annotations

from app.rules.agreement_checks import blocking, validate_for_rendering
from app.rules.agreement_context import (
    DOCUMENT_TITLE,
    SIGNATURE_ANCHORS,
    AgreementNotRenderable,
    agreement_context,
)
from app.rules.agreement_signing import (
    AgreementRuleError,
    is_in_force,
    next_version,
    require_current_version,
    require_may_sign,
    signature_counts,
    who_may_sign_next,
)
from app.rules.agreement_snapshot import terms_from_json, terms_to_json
from app.rules.agreement_terms import (
    DEFAULT_GRACE_DAYS,
    FIRST_VERSION,
    ITEM_LABELS,
    PARTIES,
    SIGNERS,
    WAIVABLE_ITEMS,
    AgreementDraft,
    AgreementTerms,
    DefaultRule,
    DisputedItem,
    ExtraParty,
    OrganisationDetails,
    PartyDetails,
    PartyKind,
    ReceivingAccount,
    WaivedItem,
    natural_person,
    organisation_party,
    terms_from_proposal,
)

__all__ = [
    "DEFAULT_GRACE_DAYS",
    "DOCUMENT_TITLE",
    "FIRST_VERSION",
    "ITEM_LABELS",
    "PARTIES",
    "SIGNATURE_ANCHORS",
    "SIGNERS",
    "WAIVABLE_ITEMS",
    "AgreementDraft",
    "AgreementNotRenderable",
    "AgreementRuleError",
    "AgreementTerms",
    "DefaultRule",
    "DisputedItem",
    "ExtraParty",
    "OrganisationDetails",
    "PartyDetails",
    "PartyKind",
    "ReceivingAccount",
    "WaivedItem",
    "agreement_context",
    "blocking",
    "is_in_force",
    "natural_person",
    "next_version",
    "organisation_party",
    "require_current_version",
    "require_may_sign",
    "signature_counts",
    "terms_from_json",
    "terms_from_proposal",
    "terms_to_json",
    "validate_for_rendering",
    "who_may_sign_next",
]
