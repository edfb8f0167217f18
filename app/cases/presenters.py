"""What the case pages show, read for one viewer (presentation only, nothing written)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.access import Permission, can
from app.audit import AuditAction
from app.cases import papers
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.organisations import MediationOrganisation
from app.models.users import Role, User
from app.rules.cases import CaseState
from app.rules.claims import Finding, LenderKind
from app.rules.identity import mask_account
from app.rules.powers_of_attorney import Power
from app.rules.rule_sets import RuleSetCode, rule_set_for

# Which interest rules the claim check applied (民间借贷规定 Arts. 1, 25, 31;
# 法发〔2017〕22号 item 2), as the claim check card says it.
RULE_SET_LABELS = {
    RuleSetCode.PRIVATE_LENDING: _l(
        "Checked against the private-lending rules: the lender is not a licensed financial "
        "institution, so charges are capped at four times the one-year LPR when the "
        "contract was made."
    ),
    RuleSetCode.PRIVATE_LENDING_TRANSITIONAL: _l(
        "Checked against the private-lending rules with their transitional rule (Art. 31): "
        "the contract was made before 20 August 2020, so interest up to 19 August 2020 is "
        "held to 24 percent a year and interest after it to four times the one-year LPR at the "
        "application."
    ),
    RuleSetCode.FINANCIAL_LOAN: _l(
        "Checked against the rules for financial loans: the lender is licensed, so the "
        "private-lending cap does not apply; a court may cut charges above 24 percent a year. "
        "The bank-card rules cover credit cards only and are not applied."
    ),
}


def finding_view(finding: Finding) -> dict[str, str]:
    """A finding of the claim check in the reader's language."""
    english = str(get_locale()) == "en"
    return {
        "severity": finding.severity.value,
        "message": finding.message_en if english else finding.message_zh,
        "source": finding.source,
        "code": finding.code,
    }


def rule_set_label(case: Case) -> str:
    """Which rule set the claim check applied to this case, and why, in one sentence."""
    code = rule_set_for(LenderKind(case.lender_kind.value), case.contract_date).code
    return str(RULE_SET_LABELS[code])


def case_actions(case: Case, viewer: User) -> dict[str, bool]:
    """What the viewer may do, and see, on the case page."""
    return {
        "edit": can(viewer, Permission.CASE_EDIT, case),
        "submit": can(viewer, Permission.CASE_SUBMIT, case),
        "upload": can(viewer, Permission.EVIDENCE_UPLOAD, case),
        "accept": can(viewer, Permission.CASE_ACCEPT, case),
        "reassign": can(viewer, Permission.CASE_REASSIGN, case),
        "messages": can(viewer, Permission.CASE_MESSAGES_VIEW, case),
        "resend": can(viewer, Permission.INVITATION_RESEND, case),
        "see_findings": viewer.role != Role.DEBTOR,
        "see_hashes": viewer.role != Role.DEBTOR,
        "debtor_guide": viewer.role == Role.DEBTOR and case.state == CaseState.NEGOTIATING,
        "steps": can(viewer, Permission.STEPS_FOLLOW, case),
    }


def mediators_for(case: Case) -> list[User]:
    """The unlocked mediators of the case's organisation (to reassign it to)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.MEDIATOR,
                User.mediation_org_id == case.mediation_org_id,
                User.is_locked.is_(False),
            )
            .order_by(User.name)
        )
    )


def mediation_orgs() -> list[MediationOrganisation]:
    """The mediation organisations a creditor may send a case to."""
    return list(
        db.session.scalars(select(MediationOrganisation).order_by(MediationOrganisation.id))
    )


_ASSIGNING = (AuditAction.CASE_SUBMIT, AuditAction.CASE_DECLINE, AuditAction.CASE_REASSIGN)


def assignment_reason(case: Case, viewer: User) -> str | None:
    """Why the case has its mediator (or none), for the creditor and the admin: the
    rule and the load the automatic choice recorded (:mod:`app.cases.assignment`), or
    the administrator's choice. None for others, or when nothing was recorded."""
    if viewer.role not in (Role.CREDITOR, Role.ADMIN):
        return None
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action.in_(_ASSIGNING))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    name = case.mediator.name if case.mediator else ""
    if event.action == AuditAction.CASE_REASSIGN:
        return _("%(name)s was assigned by the organisation's administrator.", name=name)
    facts = event.data.get("assignment")
    if not facts or event.data.get("assigned_to") != case.mediator_id:
        return None
    if case.mediator is None:
        return _(
            "No mediator could be assigned automatically: every mediator of the "
            "organisation has a declared conflict of interest with this creditor, declined "
            "the case or is locked. The administrator assigns one."
        )
    return _(
        "%(name)s was assigned automatically: a new case goes to the organisation's "
        "mediator with the fewest open cases, leaving out mediators with a declared "
        "conflict of interest with this creditor and those who declined the case. "
        "%(name)s had %(load)s open cases, the fewest of the %(eligible)s eligible "
        "mediators.",
        name=name,
        load=facts["load"],
        eligible=facts["eligible"],
    )


POWER_LABELS = {
    Power.MEDIATE: _l("take part in the mediation"),
    Power.SIGN_AGREEMENT: _l("sign the mediation agreement"),
    Power.SPECIAL: _l("admit, waive or change claims (special authorisation)"),
    Power.SETTLE: _l("settle"),
    Power.APPLY_CONFIRMATION: _l("apply for judicial confirmation"),
    Power.RECEIVE_DOCUMENTS: _l("receive documents"),
}


def missing_badges(case: Case, viewer: User) -> list[dict[str, str]]:
    """The "missing" badges on the case page: what the creditor has still to give (not
    shown to the debtor, who can do nothing about it)."""
    if viewer.role == Role.DEBTOR:
        return []
    return [
        {"key": key, "label": str(papers.MISSING_LABELS[key])}
        for key in papers.missing_papers(case)
    ]


def papers_view(case: Case, viewer: User, form: dict[str, Any] | None) -> dict[str, Any] | None:
    """The case page's section on the power of attorney and the receiving account: what
    is on record, what is missing, and the creditor's forms (``form``: what was typed and
    the refusals, after a refused post). Not shown to the debtor."""
    if viewer.role == Role.DEBTOR:
        return None
    record = papers.current_power_of_attorney(case)
    account = None
    if case.receiving_account_number:
        account = {
            "name": case.receiving_account_name,
            "bank": case.receiving_bank,
            "masked": mask_account(case.receiving_account_number),
        }
    may_give = can(viewer, Permission.CASE_PAPERS, case)
    form = form or {}
    return {
        "missing": [m["key"] for m in missing_badges(case, viewer)],
        "needs_poa": papers.needs_power_of_attorney(case),
        "poa": _poa_view(case, record) if record else None,
        "account": account,
        "may_give": may_give,
        "powers": [(p.value, POWER_LABELS[p]) for p in Power],
        "form": form.get("form"),
        "typed": form.get("values", {}),
        "errors": form.get("errors", {}),
        "poa_defaults": {"principal": case.creditor_org.name, "agent_name": viewer.name},
        "agent_proof": _file_view(case, papers.current_paper(case, EvidenceCategory.AGENT_PROOF)),
    }


def _file_view(case: Case, evidence: EvidenceFile | None) -> dict[str, str] | None:
    if evidence is None:
        return None
    return {
        "name": evidence.original_name,
        "url": url_for("cases.download_evidence", case_id=case.id, evidence_id=evidence.id),
    }


def identity_copy_view(
    case: Case, viewer: User, form: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The section for the viewer's own ID copy, front and back, which the court package
    attaches (法释〔2011〕5号 Art. 3): what is on file and the form. The case's debtor sees
    theirs; a guarantor or co-borrower, who also signs in as a debtor, sees their own,
    never the debtor's."""
    if viewer.role != Role.DEBTOR:
        return None
    party, sides = papers.copy_owner(viewer, case)
    if party is None and case.debtor_user_id != viewer.id:
        return None
    form = form or {}
    on_file = papers.current_papers(case)
    whose = party.id if party is not None else None
    labels = {
        "front": _("Front (the side with your photo)"),
        "back": _("Back (the side with the national emblem)"),
    }
    return {
        "sides": [
            {
                "value": side,
                "label": labels[side],
                "file": _file_view(case, on_file.get((category, whose))),
            }
            for side, category in sides.items()
        ],
        "may_give": can(viewer, Permission.IDENTITY_COPY_UPLOAD, case),
        "errors": form.get("errors", {}),
        "side": form.get("side", ""),
    }


def _poa_view(case: Case, record: Any) -> dict[str, Any]:
    poa = papers.as_power_of_attorney(record)
    until = poa.valid_until.isoformat() if poa.valid_until else _("until the matter ends")
    return {
        "rows": [
            (_("Principal (grantor)"), poa.principal),
            (_("Agent (grantee)"), poa.agent_name),
            (_("Agent's ID number or position"), poa.agent_identity or "—"),
            (
                _("Powers given"),
                "; ".join(str(POWER_LABELS[p]) for p in Power if p in poa.powers),
            ),
            (
                _("Special authorisation"),
                _("Yes") if Power.SPECIAL in poa.powers else _("No"),
            ),
            (_("Period of the power"), f"{poa.valid_from.isoformat()} – {until}"),
            (_("Date signed"), poa.signed_on.isoformat()),
        ],
        "file_url": url_for(
            "cases.download_evidence", case_id=case.id, evidence_id=record.evidence_id
        ),
        "file_name": record.evidence.original_name,
    }
