"""The proposals panel of the case page: open proposals first, the accepted one marked,
then the history, each as a card with its schedule, the claim check, the affordability
verdicts the viewer may see and the actions the viewer may take; the form for those who
may propose. Everything is worded here; the templates make no decisions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.access import Permission, can
from app.core.format import money
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import Role, User
from app.negotiation import proposal_queries as queries
from app.negotiation.proposal_queries import AffordabilityView, Checker
from app.negotiation.views.proposal_form import DEFAULTS, KIND_LABELS, form_context
from app.negotiation.views.statements import third_person_explanation
from app.rules.affordability import fits, fits_lump_sum
from app.rules.cases import CaseState
from app.rules.claims import Finding
from app.rules.proposals import ProposalState, Side, TermsKind
from app.rules.schedules import DOWN_PAYMENT, LUMP_SUM, Frequency, Schedule

SIDE_LABELS = {
    Side.DEBTOR: _l("Debtor"),
    Side.CREDITOR: _l("Creditor"),
    Side.MEDIATOR: _l("Mediator"),
}
STATE_LABELS = {
    ProposalState.OPEN: _l("Open"),
    ProposalState.ACCEPTED: _l("Accepted"),
    ProposalState.REJECTED: _l("Rejected"),
    ProposalState.SUPERSEDED: _l("Superseded"),
    ProposalState.WITHDRAWN: _l("Withdrawn"),
    ProposalState.CLOSED: _l("Closed: other terms were accepted"),
}
ROW_LABELS = {DOWN_PAYMENT: _l("Down payment"), LUMP_SUM: _l("Lump sum")}
VERDICT_LABELS = {
    ("monthly", "within"): _l("The monthly payment fits the debtor's affordable band."),
    ("monthly", "stretch"): _l(
        "The monthly payment is above the affordable band but within what is left each month."
    ),
    ("monthly", "beyond"): _l("The monthly payment is more than the debtor has left each month."),
    ("once", "within"): _l("The debtor's savings cover the payment due at once."),
    ("once", "beyond"): _l("The payment due at once is more than the debtor's savings."),
}
# The card's fixed words, translated once per page rather than once per proposal.
CARD_LABELS = {
    "total": _l("Total"),
    "saving_against_the_claim": _l("Saving against the claim"),
    "largest_regular_payment_as_a_monthly_fig": _l("Largest regular payment, as a monthly figure"),
    "of_which_principal_interest_fees_and_pen": _l(
        "Of which principal / interest / fees and penalty"
    ),
    "given_up": _l("Given up"),
    "interest": _l("interest"),
    "penalty": _l("penalty"),
    "proposed_on": _l("Proposed on"),
    "accepted_by_the_debtor": _l("Accepted by the debtor"),
    "accepted_by_the_creditor": _l("Accepted by the creditor"),
    "reason_given": _l("Reason given"),
    "note_label": _l("Note:"),
    "no": _l("No."),
    "due": _l("Due"),
    "amount": _l("Amount"),
    "affordability_no_statement_yet": _l("Affordability: no statement yet."),
    "breaks_a_rule": _l("Breaks a rule"),
    "warning": _l("Warning"),
    "note": _l("Note"),
    "source": _l("Source:"),
    "accept_these_terms": _l("Accept these terms"),
    "answer_with_other_terms": _l("Answer with other terms"),
    "withdraw": _l("Withdraw"),
    "reject": _l("Reject"),
}
_CURRENT = (ProposalState.OPEN, ProposalState.ACCEPTED)
_ACTIONS = ("accept", "reject", "counter", "withdraw")


def proposals_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """Open proposals first, the accepted one marked, then the history; the form for
    those who may propose. A bounded number of queries whatever the number of proposals."""
    proposals = queries.proposals_of(case)
    may_propose = can(viewer, Permission.PROPOSAL_SUBMIT, case)
    if not proposals and not may_propose:
        return None
    checker = Checker.for_case(case)
    means = queries.affordability_for(case, viewer)
    names = _names(proposals)
    numbers = queries.case_numbers(proposals)
    cards = [_card(case, p, viewer, checker, means, names, numbers) for p in proposals]
    accepted = next((c for c in cards if c["state"] == ProposalState.ACCEPTED), None)
    return "cases/_proposals.html", {
        "case_id": case.id,
        "accepted": accepted,
        "ready": accepted is not None and case.state == CaseState.AGREEMENT_DRAFTING,
        "open": [c for c in cards if c["state"] == ProposalState.OPEN],
        "history": [c for c in cards if c["state"] not in _CURRENT],
        "means": _means_view(means, viewer),
        "labels": {key: str(text) for key, text in CARD_LABELS.items()},
        "form": form_context(case, None, DEFAULTS, {}) if may_propose else None,
    }


def _english() -> bool:
    return str(get_locale()) == "en"


def _names(proposals: list[Proposal]) -> dict[int, str]:
    ids = {p.proposer_id for p in proposals} | {p.decided_by_id for p in proposals}
    ids.discard(None)  # type: ignore[arg-type]
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def _means_view(means: AffordabilityView, viewer: User) -> dict[str, Any]:
    a = means.assessment
    if a is None:
        explanation = ""
    elif viewer.role == Role.DEBTOR:
        explanation = a.explanation_en if _english() else a.explanation_zh
    else:
        explanation = third_person_explanation(a)
    return {
        "visible": means.visible,
        "has_statement": a is not None,
        "explanation": explanation,
        "band_low": a.band_low if a else None,
        "band_high": a.band_high if a else None,
        "savings": a.lump_sum_capacity if a else None,
    }


def _card(
    case: Case,
    p: Proposal,
    viewer: User,
    checker: Checker,
    means: AffordabilityView,
    names: dict[int, str],
    numbers: dict[int, int],
) -> dict[str, Any]:
    findings = checker.findings(p)
    schedule = queries.schedule_of(p)
    actions = queries.allowed_actions(case, p, viewer, findings)
    return {
        "id": p.id,
        "number": numbers[p.id],
        "state": p.state,
        "state_label": str(STATE_LABELS[p.state]),
        "side_label": str(SIDE_LABELS[p.side]),
        "proposer": names.get(p.proposer_id, ""),
        "created_at": p.created_at,
        "kind_label": str(KIND_LABELS[TermsKind(p.kind)]),
        "summary": _summary(p),
        "total": p.total,
        "saving": p.discount,
        "principal": p.principal,
        "interest": p.interest,
        "fees": p.fees,
        "waive_interest": p.waive_interest,
        "waive_penalty": p.waive_penalty,
        "monthly": schedule.monthly_equivalent if p.kind == TermsKind.INSTALMENTS else None,
        "note": p.note,
        "replies_to_id": p.replies_to_id,
        "replies_to_number": numbers.get(p.replies_to_id or 0),
        "accepted_by_debtor_at": p.accepted_by_debtor_at,
        "accepted_by_creditor_at": p.accepted_by_creditor_at,
        "decided_at": p.decided_at,
        "decided_by": names.get(p.decided_by_id or 0, ""),
        "reason": p.decision_reason,
        "rows": _rows(p),
        "findings": [_finding_view(f) for f in findings],
        "verdicts": _verdicts(p, schedule, means) if means.visible else None,
        "actions": {name: name in actions for name in _ACTIONS},
    }


def _finding_view(finding: Finding) -> dict[str, str]:
    return {
        "severity": finding.severity.value,
        "message": finding.message_en if _english() else finding.message_zh,
        "source": finding.source,
        "code": finding.code,
    }


def _rows(p: Proposal) -> list[tuple[str, str, str]]:
    """(label, ISO date, amount) per payment, formatted here: a schedule repeats one
    amount, and formatting each of up to 61 rows again made large panels slow."""
    formatted: dict[Decimal, str] = {}
    rows = []
    for r in p.instalments:
        label = str(ROW_LABELS[r.kind]) if r.kind in ROW_LABELS else str(r.number)
        if r.amount not in formatted:
            formatted[r.amount] = money(r.amount)
        rows.append((label, r.due.isoformat(), formatted[r.amount]))
    return rows


def _summary(p: Proposal) -> str:
    day = p.first_due.isoformat()
    if p.kind == TermsKind.LUMP_SUM:
        return _("The whole total in one payment by %(day)s", day=day)
    count = p.instalment_count
    if p.frequency == Frequency.WEEKLY:
        summary = _("%(count)s weekly instalments from %(day)s", count=count, day=day)
    elif p.frequency == Frequency.FORTNIGHTLY:
        summary = _("%(count)s fortnightly instalments from %(day)s", count=count, day=day)
    else:
        summary = _("%(count)s monthly instalments from %(day)s", count=count, day=day)
    if p.down_payment > 0:
        summary += " " + _("after a down payment of %(amount)s", amount=money(p.down_payment))
    return summary


def _verdicts(p: Proposal, schedule: Schedule, means: AffordabilityView) -> list[dict[str, str]]:
    a = means.assessment
    if a is None:
        return []
    found: list[tuple[str, str]] = []
    if p.kind == TermsKind.LUMP_SUM:
        found.append(("once", fits_lump_sum(p.total, a)))
    else:
        found.append(("monthly", fits(schedule.monthly_equivalent, a)))
        if p.down_payment > 0:
            found.append(("once", fits_lump_sum(p.down_payment, a)))
    return [{"fit": fit, "label": str(VERDICT_LABELS[(what, fit)])} for what, fit in found]
