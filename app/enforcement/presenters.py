"""What the enforcement panel shows: the application deadline, whether the agreement is
enforceable (confirmed by the court) or a civil contract, and what the creditor may do."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.enforcement.common import Enforceability
from app.models.agreements import IssuedDocument
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
