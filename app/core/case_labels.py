"""Translated names for case values (evidence categories, case actions in the timeline)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models.evidence import EvidenceCategory

EVIDENCE_CATEGORIES = (
    (EvidenceCategory.CONTRACT, _l("Loan contract")),
    (EvidenceCategory.DISBURSEMENT, _l("Disbursement record")),
    (EvidenceCategory.STATEMENT, _l("Statement of account")),
    (EvidenceCategory.ASSIGNMENT, _l("Assignment agreement")),
    (EvidenceCategory.NOTICE, _l("Notice to the debtor")),
    (EvidenceCategory.IDENTITY, _l("Identity document")),
    (EvidenceCategory.ATTORNEY, _l("Power of attorney")),
    (EvidenceCategory.OTHER, _l("Other")),
)

CASE_ACTIONS = {
    "case:create": _l("Case opened as a draft"),
    "case:draft:update": _l("Draft updated"),
    "case:submit": _l("Claim submitted and checked"),
    "case:accept": _l("Mediator accepted the case"),
    "case:decline": _l("A mediator declined the case"),
    "case:reassign": _l("Case reassigned"),
    "case:invite": _l("Debtor invited"),
    "case:evidence:upload": _l("Evidence added"),
    "case:evidence:download": _l("Evidence downloaded"),
    "invitation:identity:confirm": _l("Debtor confirmed their identity"),
    "invitation:revoke": _l("Invitation link revoked"),
    "case:debtor:join": _l("Debtor joined the mediation"),
    "case:debtor:decline": _l("Debtor declined mediation; case closed"),
    "user:create": _l("Opened an account"),
    "contact:sent": _l("Message delivered"),
    "mediator:conflict:declare": _l("Declared a conflict of interest"),
    "case:objection:raise": _l("Debtor objected to a claim item"),
    "case:objection:answer": _l("Creditor answered an objection"),
    "case:objection:resolve": _l("Mediator resolved an objection"),
    "case:objection:withdraw": _l("Debtor withdrew an objection"),
    "case:statement:submit": _l("Debtor submitted an income-and-spending statement"),
    "case:consent:give": _l("Consent given"),
    "case:consent:withdraw": _l("Consent withdrawn"),
    "case:proposal:submit": _l("New proposal"),
    "case:proposal:counter": _l("Counter-proposal"),
    "case:proposal:accept": _l("Proposal accepted"),
    "case:proposal:reject": _l("Proposal rejected"),
    "case:proposal:withdraw": _l("Proposal withdrawn"),
    "case:agreement:draft": _l("Mediator drafted the agreement"),
    "case:agreement:render": _l("Agreement document prepared"),
    "case:agreement:code": _l("One-time code sent for signing"),
    "case:agreement:sign": _l("Agreement signed"),
    "case:agreement:in_force": _l("Agreement took effect"),
    "case:agreement:download": _l("Agreement downloaded"),
    "case:confirmation:acknowledge": _l("Mediator acknowledged pre-check warnings"),
    "case:confirmation:release": _l("Judicial confirmation package released"),
    "case:confirmation:code": _l("One-time code sent for signing"),
    "case:confirmation:sign": _l("Application for judicial confirmation signed"),
    "case:confirmation:ready": _l("Application signed by both parties"),
    "case:confirmation:file": _l("Application filed with the court"),
    "case:confirmation:ruling": _l("Court ruling recorded"),
    "case:confirmation:remediate": _l("Mediation reopened after the court's refusal"),
    "case:confirmation:reminder": _l("Deadline reminder sent"),
    "case:package:render": _l("Package assembled"),
    "case:package:fail": _l("Package could not be assembled"),
    "case:package:download": _l("Package downloaded"),
}


def evidence_category_choices() -> list[tuple[str, str]]:
    return [(c.value, str(label)) for c, label in EVIDENCE_CATEGORIES]
