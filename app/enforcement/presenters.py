"""What the enforcement panel shows: the application deadline, whether the agreement is
enforceable (confirmed by the court) or a civil contract, and what the creditor may do."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.format import local_date
from app.enforcement.common import Enforceability, read_docket_rulings
from app.enforcement.reminders import enforcement_last_day
from app.extensions import db
from app.models.agreements import IssuedDocument
from app.models.cases import Case
from app.rules.cases import CaseState
from app.rules.repayments import RepaymentState


def deadline(enf: Enforceability, on: date) -> dict[str, Any]:
    d = enf.deadline
    return {
        "end": d.end,
        "earliest_end": d.earliest_end if d.earliest_end != d.end else None,
        "starts": d.statutory.start,
        "interrupted_on": d.interrupted_on,
        "passed": on > d.end,
        "days_left": (d.end - on).days,
    }


def summary(enf: Enforceability, on: date, *, filed: bool) -> dict[str, Any]:
    """``filed``: the application for judicial confirmation awaits the court's ruling."""
    status = enf.performance.status
    ruling = enf.ruling
    return {
        "confirmed": ruling is not None,
        "filed": filed and ruling is None,
        "court": ruling.court_name if ruling else None,
        "ruling_number": ruling.court_case_number if ruling else None,
        "ruling_on": ruling.ruling_on if ruling else None,
        "in_breach": status.state is RepaymentState.IN_BREACH,
        "breach_on": status.breach.on if status.breach else None,
        "balance": status.balance.total,
        "deadline": deadline(enf, on),
    }


def application_rows(docs: list[IssuedDocument], url: Any) -> list[dict[str, Any]]:
    return [{"version": doc.version, "issued_at": doc.created_at, "url": url(doc)} for doc in docs]


def docket_deadlines(case_ids: Iterable[int], today: date) -> dict[int, tuple[str, str]]:
    """For each confirmed case still owed, the last day to apply for enforcement (CPL Art.
    250), as a docket note: (label, key)."""
    ids = list(case_ids)
    if not ids:
        return {}
    cases = list(
        db.session.scalars(select(Case).where(Case.id.in_(ids), Case.state == CaseState.CONFIRMED))
    )
    if cases:
        read_docket_rulings([c.id for c in cases])
    notes: dict[int, tuple[str, str]] = {}
    for case in cases:
        last_day = enforcement_last_day(case, today, docket=True)
        if last_day is not None:
            label = _("Apply for enforcement by %(day)s", day=local_date(last_day))
            notes[case.id] = (label, "enforcement-deadline")
    return notes
