"""What the judicial-confirmation use cases share: their refusals, the package of the
moment, the mediator check, the case-row bump that takes the lock first, the notices."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.users import Role, User
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.confirmation import confirmation_notice
from app.rules.claims import Finding


class ConfirmationError(Exception):
    """Refused; ``code`` says why, ``findings`` what blocks or awaits acknowledgement,
    ``detail`` names the thing at fault (the evidence file that changed, a warning code)."""

    def __init__(
        self, code: str, findings: list[Finding] | None = None, detail: str | None = None
    ) -> None:
        super().__init__(code)
        self.code = code
        self.findings = findings or []
        self.detail = detail


class ConfirmationConflict(Exception):
    """Somebody else changed the case or the package at the same moment: nothing was saved."""


def current_package(case: Case) -> ConfirmationPackage | None:
    """The newest package of the case that was not superseded (it may be filed)."""
    return db.session.scalar(
        select(ConfirmationPackage)
        .where(
            ConfirmationPackage.case_id == case.id,
            ConfirmationPackage.status != PackageStatus.SUPERSEDED,
        )
        .order_by(ConfirmationPackage.number.desc())
        .limit(1)
    )


def packages_of(case: Case) -> list[ConfirmationPackage]:
    return list(
        db.session.scalars(
            select(ConfirmationPackage)
            .where(ConfirmationPackage.case_id == case.id)
            .order_by(ConfirmationPackage.number)
        )
    )


def require_mediator(actor: User, case: Case) -> None:
    """Only the case's own mediator runs its confirmation (the web layer checks too)."""
    if actor.role != Role.MEDIATOR or case.mediator_id != actor.id:
        raise ConfirmationError("not_the_mediator")


def touch_case(case: Case) -> None:
    """Bump the case row first (lock order: case, then the rest; a concurrent change of the
    case fails here with StaleDataError instead of later)."""
    case.last_activity_at = clock.now()
    db.session.flush()


def notify_parties(case: Case, event: str, *, roles: Collection[str]) -> None:
    """Tell the people on the case that a confirmation step happened (``event`` is one of
    ``confirmation_messages.CONFIRMATION_EVENTS``), under the contact rules."""
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: confirmation_notice(event, org, ref, link, channel=channel),
        roles=roles,
    )
