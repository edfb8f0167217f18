"""Proposals on the case page: the panel (open proposals, the accepted one, history, the
form) and the endpoints to propose, counter, accept, reject and withdraw.

Views parse, call ``app.negotiation.proposals`` and render; rules live in the domain and
the service. A lost race on the case answers 409 with a page that says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.access import Permission, can, requires, requires_object
from app.cases import lifecycle as case_service
from app.core.format import money
from app.core.messages import FIELD_ERRORS
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import Role, User
from app.negotiation import proposals as service
from app.negotiation.proposals import Offer, ProposalConflict, ProposalRuleError
from app.rules.affordability import fits, fits_lump_sum
from app.rules.cases import CaseState
from app.rules.claims import Finding
from app.rules.errors import InvalidInput
from app.rules.money import parse_money
from app.rules.proposals import ProposalState, Side, TermsKind
from app.rules.schedules import DOWN_PAYMENT, LUMP_SUM, MAX_INSTALMENTS, Frequency

bp = Blueprint("proposals", __name__)

NOTE_MAX = 2000
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COUNT = re.compile(r"[0-9]{1,6}")

KIND_LABELS = {TermsKind.LUMP_SUM: _l("A lump sum"), TermsKind.INSTALMENTS: _l("Instalments")}
FREQUENCY_LABELS = {
    Frequency.MONTHLY: _l("Monthly"),
    Frequency.FORTNIGHTLY: _l("Every two weeks"),
    Frequency.WEEKLY: _l("Weekly"),
}
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
ERRORS = {
    **FIELD_ERRORS,
    "too_long": _l("This is too long."),
    "number_format": _l("Enter a whole number with digits only."),
    "instalment_count": _l("Choose between 1 and %(n)s instalments.", n=MAX_INSTALMENTS),
    "first_due_past": _l("The first payment cannot be due in the past."),
    "total_above_claim": _l("The total cannot be more than the amount claimed."),
    "total_above_waived_claim": _l(
        "The total is more than the claim once the waived interest or penalty is taken off."
    ),
    "down_payment": _l("The down payment must be less than the total."),
    "down_payment_date": _l("The down payment cannot be due after the first instalment."),
    "instalment_too_small": _l("With this many instalments each would be less than ¥0.01."),
    "schedule_sum": _l("The instalments do not add up to the total."),
    "schedule_order": _l("The payment dates must not go backwards."),
    "terms_kind": _l("Choose a lump sum or instalments."),
}
RULE_ERRORS = {
    "not_open": _l("This proposal is no longer open: it was answered, withdrawn or closed."),
    "already_accepted": _l("You have already accepted this proposal."),
    "own_proposal": _l("You cannot accept or reject your own side's proposal."),
    "mediator_cannot_accept": _l("Only the parties can accept a proposal."),
    "mediator_cannot_reject": _l("Only the parties can reject a proposal."),
    "not_allowed": _l("You may not do this with this proposal."),
    "claim_incomplete": _l("The claim is incomplete, so no terms can be proposed yet."),
    "reason_required": _l("Please give a reason."),
    "case_not_negotiating": _l("The case is not in negotiation: terms can no longer change."),
}
_FIELD_OF = {
    "total_above_claim": "total",
    "total_above_waived_claim": "total",
    "money_precision": "total",
    "money_zero": "total",
    "terms_kind": "kind",
    "instalment_count": "count",
    "instalment_too_small": "count",
    "down_payment": "down_payment",
    "down_payment_date": "down_payment_due",
}


def _user() -> User:
    return current_user._get_current_object()


# --- reading the form --------------------------------------------------------------------


def parse_offer(
    form: Mapping[str, str], today: date, claim_total: Decimal | None = None
) -> tuple[Offer | None, dict[str, str]]:
    """Read the proposal form strictly: money with ``parse_money``, a total not above
    ``claim_total`` (the service checks again), ISO dates not in the past, a whole count
    of 1–60, a frequency from the list. Returns the offer, or None and an error code per
    field name; fields of the other kind are ignored."""
    errors: dict[str, str] = {}
    kind = form.get("kind", "")
    total = _money(form, "total", errors, required=True)
    if total is not None and claim_total is not None and total > claim_total:
        errors["total"] = "total_above_claim"
    note = (form.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = "too_long"
    common = {
        "waive_interest": form.get("waive_interest") == "yes",
        "waive_penalty": form.get("waive_penalty") == "yes",
        "note": note,
    }
    if kind == TermsKind.LUMP_SUM:
        due = _date(form, "due_date", errors, today, required=True)
        if errors:
            return None, errors
        return Offer(kind, total, due, **common), {}  # type: ignore[arg-type]
    if kind != TermsKind.INSTALMENTS:
        errors["kind"] = "choice"
        return None, errors
    down = _money(form, "down_payment", errors, required=False)
    count = _count(form, errors)
    frequency = form.get("frequency", "")
    if frequency not in {f.value for f in Frequency}:
        errors["frequency"] = "choice"
    first_due = _date(form, "first_due", errors, today, required=True)
    down_due = _date(form, "down_payment_due", errors, today, required=False)
    if errors:
        return None, errors
    return Offer(
        kind,
        total,  # type: ignore[arg-type]
        first_due,  # type: ignore[arg-type]
        down_payment=down or Decimal("0.00"),
        down_payment_due=down_due,
        count=count,
        frequency=Frequency(frequency),
        **common,  # type: ignore[arg-type]
    ), {}


def _money(
    form: Mapping[str, str], name: str, errors: dict[str, str], *, required: bool
) -> Decimal | None:
    text = (form.get(name) or "").strip()
    if not text:
        if required:
            errors[name] = "required"
        return None
    try:
        return parse_money(text, allow_zero=not required)
    except InvalidInput as err:
        errors[name] = err.code
        return None


def _date(
    form: Mapping[str, str], name: str, errors: dict[str, str], today: date, *, required: bool
) -> date | None:
    text = (form.get(name) or "").strip()
    if not text:
        if required:
            errors[name] = "required"
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = "date_format"
        return None
    if day < today:
        errors[name] = "first_due_past"
        return None
    return day


def _count(form: Mapping[str, str], errors: dict[str, str]) -> int | None:
    text = (form.get("count") or "").strip()
    if not text:
        errors["count"] = "required"
        return None
    if not _COUNT.fullmatch(text):
        errors["count"] = "number_format"
        return None
    count = int(text)
    if not 1 <= count <= MAX_INSTALMENTS:
        errors["count"] = "instalment_count"
        return None
    return count


# --- endpoints ---------------------------------------------------------------------------


def _load(case_id: int, permission: Permission) -> Case:
    """The case if the user may do this now; 409 when they may see the case but it has
    left negotiation (someone settled it first); otherwise 404, so ids do not leak."""
    case = db.session.get(Case, case_id)
    user = _user()
    if (
        case is not None
        and case.state != CaseState.NEGOTIATING
        and can(user, Permission.CASE_VIEW, case)
        and not can(user, permission, case)
    ):
        abort(_conflict_page(case, moved_on=True))
    requires_object(permission, case)
    assert case is not None
    return case


def _proposal(case: Case, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.case_id != case.id:
        abort(404)
    return proposal


def _back(case: Case) -> Response:
    return redirect(url_for("cases.show", case_id=case.id) + "#proposals")


def _conflict_page(case: Case, *, moved_on: bool = False) -> Response:
    html = render_template("proposals/conflict.html", case=case, moved_on=moved_on)
    return Response(html, status=409, mimetype="text/html")


def _refused(case: Case, code: str) -> tuple[str, int]:
    status = 409 if code in ("not_open", "already_accepted", "case_not_negotiating") else 403
    message = str(RULE_ERRORS.get(code, RULE_ERRORS["not_allowed"]))
    return render_template("proposals/refused.html", case=case, message=message, code=code), status


@bp.route("/cases/<int:case_id>/proposals/new", methods=["GET", "POST"])
@requires(Permission.PROPOSAL_SUBMIT)
def new(case_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PROPOSAL_SUBMIT)
    return _propose(case, None)


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/counter", methods=["GET", "POST"])
@requires(Permission.PROPOSAL_SUBMIT)
def counter(case_id: int, proposal_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PROPOSAL_SUBMIT)
    answered = _proposal(case, proposal_id)
    try:
        service.check_counter(_user(), answered)
    except ProposalRuleError as err:
        return _refused(case, err.code)
    return _propose(case, answered)


def _propose(case: Case, answered: Proposal | None) -> Response | tuple[str, int]:
    if request.method == "GET":
        values = _values_from(answered) if answered is not None else _DEFAULTS
        return _form_page(case, answered, dict(values), {}, 200)
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    offer, errors = parse_offer(form, case_service.today(), case.claim_total)
    if offer is None:
        return _form_page(case, answered, form, errors, 400)
    try:
        service.submit_proposal(_user(), case, offer, replies_to=answered)
    except InvalidInput as err:
        db.session.rollback()
        return _form_page(case, answered, form, {_FIELD_OF.get(err.code, "form"): err.code}, 400)
    except ProposalRuleError as err:
        db.session.rollback()
        return _refused(case, err.code)
    except ProposalConflict:
        return _conflict_page(case)
    _kick_outbox()
    flash(_("Your proposal was sent. The other side has been told."), "success")
    return _back(case)


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/accept", methods=["POST"])
@requires(Permission.PROPOSAL_DECIDE)
def accept(case_id: int, proposal_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PROPOSAL_DECIDE)
    proposal = _proposal(case, proposal_id)
    try:
        settled = service.accept_proposal(_user(), case, proposal)
    except ProposalRuleError as err:
        db.session.rollback()
        return _refused(case, err.code)
    except ProposalConflict:
        return _conflict_page(case)
    _kick_outbox()
    if settled:
        flash(_("Terms agreed. The mediator will now draft the agreement."), "success")
    else:
        flash(_("You accepted. The proposal now waits for the other party."), "success")
    return _back(case)


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/reject", methods=["POST"])
@requires(Permission.PROPOSAL_DECIDE)
def reject(case_id: int, proposal_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PROPOSAL_DECIDE)
    proposal = _proposal(case, proposal_id)
    reason = request.form.get("reason", "")
    try:
        service.reject_proposal(_user(), case, proposal, reason)
    except ProposalRuleError as err:
        db.session.rollback()
        if err.code != "reason_required":
            return _refused(case, err.code)
        card = {"id": proposal.id, "total": proposal.total}
        error = str(RULE_ERRORS["reason_required"])
        return render_template("proposals/reject.html", case=case, pr=card, error=error), 400
    except ProposalConflict:
        return _conflict_page(case)
    _kick_outbox()
    flash(_("You rejected the proposal. The other side will see your reason."), "success")
    return _back(case)


@bp.route("/cases/<int:case_id>/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@requires(Permission.PROPOSAL_WITHDRAW)
def withdraw(case_id: int, proposal_id: int) -> Response | tuple[str, int]:
    case = _load(case_id, Permission.PROPOSAL_WITHDRAW)
    proposal = _proposal(case, proposal_id)
    try:
        service.withdraw_proposal(_user(), case, proposal, request.form.get("reason", ""))
    except ProposalRuleError as err:
        db.session.rollback()
        return _refused(case, err.code)
    except ProposalConflict:
        return _conflict_page(case)
    _kick_outbox()
    flash(_("The proposal was withdrawn."), "success")
    return _back(case)


def _kick_outbox() -> None:
    from app.notifications.tasks import deliver_outbox_now

    deliver_outbox_now()


# --- presenting --------------------------------------------------------------------------

_DEFAULTS = {"kind": TermsKind.INSTALMENTS.value, "frequency": Frequency.MONTHLY.value}


def _values_from(p: Proposal) -> dict[str, str]:
    """A counter-proposal starts from the terms it answers."""
    down = next((r for r in p.instalments if r.kind == DOWN_PAYMENT), None)
    return {
        "kind": p.kind,
        "total": str(p.total),
        "due_date": p.first_due.isoformat() if p.kind == TermsKind.LUMP_SUM else "",
        "first_due": p.first_due.isoformat() if p.kind == TermsKind.INSTALMENTS else "",
        "down_payment": str(p.down_payment) if p.down_payment else "",
        "down_payment_due": down.due.isoformat() if down is not None else "",
        "count": str(p.instalment_count or ""),
        "frequency": p.frequency or Frequency.MONTHLY.value,
        "waive_interest": "yes" if p.waive_interest else "",
        "waive_penalty": "yes" if p.waive_penalty else "",
    }


def _form_context(
    case: Case, answered: Proposal | None, values: Mapping[str, str], errors: Mapping[str, str]
) -> dict[str, Any]:
    action = (
        url_for("proposals.counter", case_id=case.id, proposal_id=answered.id)
        if answered is not None
        else url_for("proposals.new", case_id=case.id)
    )
    return {
        "action": action,
        "typed": dict(values),
        "errors": {name: str(ERRORS.get(code, code)) for name, code in errors.items()},
        "kinds": [(k.value, str(label)) for k, label in KIND_LABELS.items()],
        "frequencies": [(f.value, str(label)) for f, label in FREQUENCY_LABELS.items()],
        "claim_total": case.claim_total,
        "max_count": MAX_INSTALMENTS,
    }


def _form_page(
    case: Case,
    answered: Proposal | None,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status: int,
) -> tuple[str, int]:
    return render_template(
        "proposals/form.html",
        case=case,
        answered=answered,
        form=_form_context(case, answered, values, errors),
    ), status


def _finding_view(finding: Finding) -> dict[str, str]:
    english = str(get_locale()) == "en"
    return {
        "severity": finding.severity.value,
        "message": finding.message_en if english else finding.message_zh,
        "source": finding.source,
        "code": finding.code,
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


def proposals_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """Open proposals first, the accepted one marked, then the history; the form for
    those who may propose. A bounded number of queries whatever the number of proposals."""
    proposals = service.proposals_of(case)
    may_propose = can(viewer, Permission.PROPOSAL_SUBMIT, case)
    if not proposals and not may_propose:
        return None
    checker = service.Checker.for_case(case)
    means = service.affordability_for(case, viewer)
    names = _names(proposals)
    cards = [_card(case, p, viewer, checker, means, names) for p in proposals]
    accepted = next((c for c in cards if c["state"] == ProposalState.ACCEPTED), None)
    return "cases/_proposals.html", {
        "case_id": case.id,
        "accepted": accepted,
        "ready": accepted is not None and case.state == CaseState.AGREEMENT_DRAFTING,
        "open": [c for c in cards if c["state"] == ProposalState.OPEN],
        "history": [c for c in cards if c["state"] not in _CURRENT],
        "means": _means_view(means, viewer),
        "labels": {key: str(text) for key, text in CARD_LABELS.items()},
        "form": _form_context(case, None, _DEFAULTS, {}) if may_propose else None,
    }


_CURRENT = (ProposalState.OPEN, ProposalState.ACCEPTED)


def _names(proposals: list[Proposal]) -> dict[int, str]:
    ids = {p.proposer_id for p in proposals} | {p.decided_by_id for p in proposals}
    ids.discard(None)  # type: ignore[arg-type]
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def _means_view(means: service.AffordabilityView, viewer: User) -> dict[str, Any]:
    from app.negotiation.views.statements import third_person_explanation

    a = means.assessment
    english = str(get_locale()) == "en"
    if a is None:
        explanation = ""
    elif viewer.role == Role.DEBTOR:
        explanation = a.explanation_en if english else a.explanation_zh
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
    checker: service.Checker,
    means: service.AffordabilityView,
    names: dict[int, str],
) -> dict[str, Any]:
    findings = checker.findings(p)
    schedule = service.schedule_of(p)
    actions = service.allowed_actions(case, p, viewer, findings)
    return {
        "id": p.id,
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
        "accepted_by_debtor_at": p.accepted_by_debtor_at,
        "accepted_by_creditor_at": p.accepted_by_creditor_at,
        "decided_at": p.decided_at,
        "decided_by": names.get(p.decided_by_id or 0, ""),
        "reason": p.decision_reason,
        "rows": _rows(p),
        "findings": [_finding_view(f) for f in findings],
        "verdicts": _verdicts(p, schedule, means) if means.visible else None,
        "actions": {name: name in actions for name in ("accept", "reject", "counter", "withdraw")},
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


def _verdicts(p: Proposal, schedule: Any, means: service.AffordabilityView) -> list[dict[str, str]]:
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
