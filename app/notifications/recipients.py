"""Who on a case is told: the debtor (by email, else SMS, under the contact rules), the
creditor's active staff, the case's mediator."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.users import Role, User
from app.notifications.outbox import queue_message


def creditor_staff(case: Case) -> list[User]:
    """The creditor organisation's unlocked users who have an email address."""
    return list(
        db.session.scalars(
            select(User).where(
                User.role == Role.CREDITOR,
                User.creditor_org_id == case.creditor_org_id,
                User.is_locked.is_(False),
                User.email.is_not(None),
            )
        )
    )


def case_link(case: Case) -> str:
    return f"{current_app.config['SETTINGS'].public_url}/cases/{case.id}"


def notify_case(
    case: Case,
    template: str,
    compose: Callable[[Channel], tuple[str, str]],
    *,
    roles: Collection[str],
    now: datetime | None = None,
) -> None:
    """Queue ``compose(channel)`` for the debtor (email, else SMS, under the contact rules),
    every active creditor user with an email, and the case's mediator (``roles``); ``now``
    is the clock, for a worker's run."""

    def send(address: str, channel: Channel, **who: object) -> None:
        subject, body = compose(channel)
        queue_message(
            address=address,
            channel=channel,
            template=template,
            subject=subject,
            body=body,
            case_id=case.id,
            now=now,
            **who,  # type: ignore[arg-type]
        )

    if "debtor" in roles:
        if case.debtor_email:
            send(case.debtor_email, Channel.EMAIL, to_debtor=True)
        elif case.debtor_phone:
            send(case.debtor_phone, Channel.SMS, to_debtor=True)
    if "creditor" in roles:
        for user in creditor_staff(case):
            send(user.email, Channel.EMAIL, recipient_user_id=user.id)  # type: ignore[arg-type]
    if "mediator" in roles and case.mediator is not None and case.mediator.email:
        send(case.mediator.email, Channel.EMAIL, recipient_user_id=case.mediator.id)
