"""What the enforcement use cases and the case panel share: the refusals in words, the
court's confirming ruling and the claim the repayment record supports on a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from app.calendar.overrides import legal_calendar
from app.core.errors import Refused
from app.extensions import db
from app.models.agreements import DocumentKind, IssuedDocument
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus, Ruling
from app.repayments.common import (
    Performance,
    docket_calendar,
    docket_performance,
    performance_of,
)
from app.rules.enforcement import (
    EnforcementClaim,
    EnforcementDeadline,
    EnforcementRefused,
    enforcement_claim,
    enforcement_deadline,
)

EnforcementRefused.messages.update(
    {
        "no_confirmation_ruling": _l(
            "No court ruling confirming the agreement is recorded: only a confirmed agreement "
            "can be enforced by the court."
        ),
        "ruling_not_yet": _l("The court's ruling is dated after today."),
        "repayment_completed": _l("Everything under the agreement is paid: nothing to enforce."),
        "not_in_breach": _l(
            "The agreement is not in breach: no instalment is unpaid after its grace period."
        ),
    }
)


class EnforcementUnavailable(Refused):
    """The case has no agreement being performed, or no such application."""

    messages = {
        "not_in_performance": _l("There is no agreement in force being performed on this case."),
        "confirmed_agreement": _l(
            "The court confirmed this agreement: apply for enforcement instead of suing."
        ),
    }


@dataclass(frozen=True)
class Enforceability:
    """The agreement being performed, the court's confirming ruling (if any) and the
    enforcement deadline as known on the day."""

    performance: Performance
    ruling: ConfirmationPackage | None
    deadline: EnforcementDeadline


def _confirming() -> Select[tuple[ConfirmationPackage]]:
    """Packages whose ruling confirmed the agreement (CPL Art. 206), newest first."""
    return (
        select(ConfirmationPackage)
        .where(
            ConfirmationPackage.status != PackageStatus.SUPERSEDED,
            ConfirmationPackage.ruling == Ruling.CONFIRMED,
            ConfirmationPackage.ruling_on.is_not(None),
        )
        .order_by(ConfirmationPackage.number.desc())
    )


def confirming_ruling(case: Case) -> ConfirmationPackage | None:
    """The package whose ruling confirmed the agreement (CPL Art. 206), if recorded."""
    return db.session.scalar(_confirming().where(ConfirmationPackage.case_id == case.id).limit(1))


_DOCKET_RULINGS = "concord_docket_rulings"


def read_docket_rulings(case_ids: list[int]) -> None:
    """The confirming rulings of a docket page's cases in one statement (not one per case),
    kept for the page's :func:`enforceability` (``docket=True``)."""
    memo = g.setdefault(_DOCKET_RULINGS, {})
    found = db.session.scalars(_confirming().where(ConfirmationPackage.case_id.in_(case_ids)))
    for package in found:
        memo.setdefault(package.case_id, package)  # the newest
    for case_id in case_ids:
        memo.setdefault(case_id, None)


def _ruling(case: Case, docket: bool) -> ConfirmationPackage | None:
    memo = g.get(_DOCKET_RULINGS, {}) if docket else {}
    return memo[case.id] if case.id in memo else confirming_ruling(case)


def enforceability(case: Case, on: date, docket: bool = False) -> Enforceability | None:
    """Where enforcement stands on ``on``; None without an agreement in force. ``docket``:
    for the docket's row notes, the repayment and calendar that page has read already
    (:func:`app.repayments.common.docket_performance`)."""
    perf = docket_performance(case, on) if docket else performance_of(case, on)
    if perf is None:
        return None
    calendar = docket_calendar() if docket else legal_calendar()
    deadline = enforcement_deadline(perf.status, calendar)
    return Enforceability(perf, _ruling(case, docket), deadline)


def claim_on(case: Case, on: date) -> tuple[Enforceability, EnforcementClaim]:
    """The claim an application may make on ``on``, or the rules' refusal
    (:class:`EnforcementRefused`: ``no_confirmation_ruling``, ``not_in_breach``, …)."""
    found = enforceability(case, on)
    if found is None:
        raise EnforcementUnavailable("not_in_performance")
    ruling = found.ruling
    claim = enforcement_claim(
        found.performance.status,
        ruling_confirmed_on=ruling.ruling_on if ruling else None,
        calendar=legal_calendar(),
    )
    return found, claim


def applications_of(case: Case) -> list[IssuedDocument]:
    """The enforcement applications generated for the case, newest first."""
    return list(
        db.session.scalars(
            select(IssuedDocument)
            .where(
                IssuedDocument.case_id == case.id,
                IssuedDocument.kind == DocumentKind.ENFORCEMENT,
            )
            .order_by(IssuedDocument.version.desc())
        )
    )
