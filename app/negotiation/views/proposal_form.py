"""The proposal form: reading what was typed, strictly, into an :class:`Offer`, and the
form's context for the templates (a fresh form, a counter-proposal starting from the
terms it answers, or the typed values again with the refusals next to their inputs)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.negotiation.offers import Offer, ProposalInvalid
from app.rules.money import parse_money
from app.rules.proposals import TermsKind
from app.rules.schedules import DOWN_PAYMENT, MAX_INSTALMENTS, Frequency, latest_due

NOTE_MAX = 2000
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COUNT = re.compile(r"[0-9]{1,6}")

KIND_LABELS = {TermsKind.LUMP_SUM: _l("A lump sum"), TermsKind.INSTALMENTS: _l("Instalments")}
FREQUENCY_LABELS = {
    Frequency.MONTHLY: _l("Monthly"),
    Frequency.FORTNIGHTLY: _l("Every two weeks"),
    Frequency.WEEKLY: _l("Weekly"),
}
DEFAULTS = {"kind": TermsKind.INSTALMENTS.value, "frequency": Frequency.MONTHLY.value}


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
    if day > latest_due(today):
        errors[name] = "due_too_late"
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


def error_words(errors: Mapping[str, str]) -> dict[str, str]:
    """The refusal codes by input, in words."""
    return {name: ProposalInvalid(code, name).message for name, code in errors.items()}


def values_from(p: Proposal) -> dict[str, str]:
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


def form_context(
    case: Case, answered: Proposal | None, values: Mapping[str, str], errors: Mapping[str, str]
) -> dict[str, Any]:
    """The form as ``proposals/_form.html`` shows it; ``errors`` are words by input
    (``form``: about the terms as a whole)."""
    action = (
        url_for("proposals.counter", case_id=case.id, proposal_id=answered.id)
        if answered is not None
        else url_for("proposals.new", case_id=case.id)
    )
    return {
        "action": action,
        "typed": dict(values),
        "errors": dict(errors),
        "kinds": [(k.value, str(label)) for k, label in KIND_LABELS.items()],
        "frequencies": [(f.value, str(label)) for f, label in FREQUENCY_LABELS.items()],
        "claim_total": case.claim_total,
        "max_count": MAX_INSTALMENTS,
    }
