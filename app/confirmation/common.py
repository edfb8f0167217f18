"""What the judicial-confirmation use cases share: the package of the moment, the
mediator check, the notices, and the package's name in the audit log."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from app.confirmation.errors import ConfirmationRefused
from app.extensions import db
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.users import Role, User
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.confirmation import confirmation_notice

# The package in the audit log: every event about it is written with this object type.
PACKAGE_OBJECT = "confirmation_package"
# Events written before that was settled call the same aggregate "package" (the worker's
# render and fail events). The log is never rewritten, so a reader that selects events by
# object type asks for both.
PACKAGE_OBJECT_TYPES = (PACKAGE_OBJECT, "package")


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
        raise ConfirmationRefused("not_the_mediator")


def notify_parties(case: Case, event: str, *, roles: Collection[str]) -> None:
    """Tell the people on the case that a confirmation step happened (``event`` is one of
    :data:`app.notifications.texts.confirmation.CONFIRMATION_EVENTS`), under the contact
    rules."""
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: confirmation_notice(event, org, ref, link, channel=channel),
        roles=roles,
    )
