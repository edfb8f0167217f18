"""What each step page of the debtor's guided path shows: the tracker and each step's
context. Everything is worded and decided here; the templates only present."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.access import Permission, can
from app.cases import papers
from app.cases.evidence import evidence_of, is_anothers_id_copy
from app.core.parties import CLAIM_ITEMS, claim_item_label
from app.core.prg import Stash
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.negotiation import ObjectionStatus
from app.models.users import User
from app.negotiation import objections as objection_service
from app.negotiation.views import statements as statement_views
from app.negotiation.views.proposal_form import DEFAULTS, form_context
from app.negotiation.views.proposal_panel import proposals_panel
from app.rules.cases import CaseState
from app.rules.debtor_steps import Step, StepStatus, statuses
from app.steps import drafts

STEP_LABELS = {
    Step.CLAIM: _l("See the claim"),
    Step.OBJECTIONS: _l("Objections"),
    Step.STATEMENT: _l("Income and spending"),
    Step.PROPOSAL: _l("Repayment plan"),
    Step.SIGN: _l("Sign"),
    Step.PERFORM: _l("Pay"),
}
STATUS_LABELS = {
    StepStatus.DONE: _l("(done)"),
    StepStatus.CURRENT: _l("(you are here)"),
    StepStatus.UPCOMING: _l("(to come)"),
}
OBJECTION_STATUS = {
    ObjectionStatus.OPEN: _l("Open"),
    ObjectionStatus.RESOLVED: _l("Resolved"),
    ObjectionStatus.WITHDRAWN: _l("Withdrawn"),
}
_ITEM_AMOUNTS = {
    "principal": "outstanding_principal",
    "interest": "interest",
    "penalty": "penalty",
    "fees": "fees",
}


def tracker(case: Case, current: Step, shown: Step) -> list[dict[str, Any]]:
    """The steps in order, each with its status in words (not colour alone), the one
    shown marked for ``aria-current="step"``."""
    return [
        {
            "step": step.value,
            "number": i,
            "label": str(STEP_LABELS[step]),
            "status": status.value,
            "status_label": str(STATUS_LABELS[status]),
            "shown": step == shown,
            "url": url_for("steps.show", case_id=case.id, name=step.value),
        }
        for i, (step, status) in enumerate(statuses(current), start=1)
    ]


def claim_context(case: Case, user: User, stash: Stash) -> dict[str, Any]:
    files = [f for f in evidence_of(case) if not is_anothers_id_copy(user, case, f)]
    return {
        "evidence": [
            {
                "name": f.original_name,
                "description": f.description,
                "url": url_for("cases.download_evidence", case_id=case.id, evidence_id=f.id),
            }
            for f in files
        ]
    }


def objections_context(case: Case, user: User, stash: Stash) -> dict[str, Any]:
    mine = [o for o in objection_service.objections_of(case) if o.raised_by_id == user.id]
    may_raise = can(user, Permission.OBJECTION_RAISE, case)
    return {
        "mine": [
            {
                "item": claim_item_label(o.item),
                "reason": o.reason,
                "status": str(OBJECTION_STATUS[o.status]),
                "answer": o.answer,
            }
            for o in mine
        ],
        "form": {
            "choices": [
                (item, claim_item_label(item), getattr(case, _ITEM_AMOUNTS[item]))
                for item in CLAIM_ITEMS
            ],
            "item": stash.value("item"),
            "reason": stash.value("reason"),
            "errors": stash.errors,
        }
        if may_raise
        else None,
    }


def statement_context(case: Case, user: User, stash: Stash) -> dict[str, Any]:
    may_submit = can(user, Permission.STATEMENT_SUBMIT, case)
    draft = drafts.draft_of(case, user, drafts.STATEMENT)
    if stash.values:
        values = {name: stash.value(name) for name in stash.values}
    elif draft is not None:
        values = draft
    else:
        values = statement_views.values_from_latest(case)
    panel = statement_views.statement_panel(case, user)
    context: dict[str, Any] = {
        "may_submit": may_submit,
        "from_draft": draft is not None and not stash.values,
        "panel": panel[1] if panel else None,
    }
    if may_submit:
        context.update(statement_views.form_context(values, stash.errors))
        context["action"] = url_for("steps.statement", case_id=case.id)
        context["cancel"] = url_for("steps.show", case_id=case.id, name=Step.CLAIM.value)
        context["draft"] = True
    return context


def proposal_context(case: Case, user: User, stash: Stash) -> dict[str, Any]:
    may_propose = can(user, Permission.PROPOSAL_SUBMIT, case)
    draft = drafts.draft_of(case, user, drafts.PROPOSAL)
    if stash.values:
        values = {name: stash.value(name) for name in stash.values}
    else:
        values = draft if draft is not None else dict(DEFAULTS)
    panel = proposals_panel(case, user)
    cards = panel[1] if panel else {}
    open_ = list(cards.get("open", []))
    return {
        "may_propose": may_propose,
        "from_draft": draft is not None and not stash.values,
        "offers": [
            {**c, "confirm_url": _confirm_url(case, c["id"])}
            for c in open_
            if c["actions"]["accept"]
        ],
        "waiting": [c for c in open_ if not c["actions"]["accept"]],
        "accepted": cards.get("accepted"),
        "means": cards.get("means"),
        "form": _proposal_form(case, values, stash.errors) if may_propose else None,
    }


def _confirm_url(case: Case, proposal_id: int) -> str:
    return url_for("proposals.accept", case_id=case.id, proposal_id=proposal_id, back="steps")


def _proposal_form(case: Case, values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    form = form_context(case, None, values, errors)
    form["action"] = url_for("steps.proposal", case_id=case.id)
    form["draft"] = True
    return form


def sign_context(case: Case, user: User, stash: Stash) -> dict[str, Any]:
    agreement = db.session.scalar(
        select(Agreement).where(Agreement.case_id == case.id).order_by(Agreement.version.desc())
    )
    may_sign = agreement is not None and can(user, Permission.AGREEMENT_SIGN, case)
    return {
        "drafting": agreement is None and case.state == CaseState.AGREEMENT_DRAFTING,
        "sign_url": url_for("agreements.sign", case_id=case.id, version=agreement.version)
        if may_sign and agreement is not None
        else None,
        "agreement_url": url_for("cases.show", case_id=case.id) + "#agreement"
        if agreement is not None
        else None,
        # The court checks the debtor's ID copy (法释〔2011〕5号 Art. 3): asked for here,
        # given on the case page, until both sides are on file.
        "id_copy_url": url_for("cases.show", case_id=case.id) + "#identity-copy"
        if can(user, Permission.IDENTITY_COPY_UPLOAD, case) and _id_copy_missing(case)
        else None,
    }


def _id_copy_missing(case: Case) -> bool:
    on_file = papers.current_papers(case)
    return any((category, None) not in on_file for category in papers.ID_SIDES.values())


def perform_context(case: Case, user: User, stash: Stash) -> dict[str, Any]:
    return {
        "repayment_url": url_for("cases.show", case_id=case.id) + "#repayment"
        if can(user, Permission.REPAYMENT_VIEW, case)
        else None,
        "report_url": url_for("repayments.report", case_id=case.id)
        if can(user, Permission.PAYMENT_REPORT, case)
        else None,
    }


CONTEXTS = {
    Step.CLAIM: claim_context,
    Step.OBJECTIONS: objections_context,
    Step.STATEMENT: statement_context,
    Step.PROPOSAL: proposal_context,
    Step.SIGN: sign_context,
    Step.PERFORM: perform_context,
}
