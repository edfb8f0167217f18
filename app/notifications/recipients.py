"""Who on a case is told: the debtor (by email, else SMS, under the contact rules), the
creditor's active staff, the case's mediator — each by message and, when they have an
account, at once in the notification centre (:mod:`app.notifications.centre`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.users import Role, User
from app.notifications.centre import notify_user
from app.notifications.outbox import queue_message

_URL = re.compile(r"https?://\S+")


# The role name for a case's guarantors and co-borrowers (app.rules.case_parties): only
# notices that name it reach them, never the negotiation's.
EXTRA_PARTIES = "extra_parties"


def creditor_staff(case: Case, *, with_email: bool = True) -> list[User]:
    """The creditor organisation's unlocked users (only those with an email address,
    unless ``with_email`` is false)."""
    query = select(User).where(
        User.role == Role.CREDITOR,
        User.creditor_org_id == case.creditor_org_id,
        User.is_locked.is_(False),
    )
    if with_email:
        query = query.where(User.email.is_not(None))
    return list(db.session.scalars(query))


def audience_accounts(case: Case, roles: Collection[str]) -> list[int]:
    """The accounts on the case among ``roles``: the debtor's (once they joined), the
    creditor's unlocked users, the mediator's."""
    users: list[int] = []
    if "debtor" in roles and case.debtor_user_id is not None:
        users.append(case.debtor_user_id)
    if "creditor" in roles:
        users.extend(user.id for user in creditor_staff(case, with_email=False))
    if EXTRA_PARTIES in roles:  # the guarantors and co-borrowers who joined
        users += [p.user_id for p in case.extra_parties if p.user_id is not None]
    if "mediator" in roles and case.mediator_id is not None:
        users.append(case.mediator_id)
    return users


def notify_accounts(
    case: Case,
    template: str,
    compose: Callable[[Channel], tuple[str, str]],
    *,
    roles: Collection[str],
    link: str | None = None,
    now: datetime | None = None,
) -> None:
    """The notification centre's entry for every account among ``roles``, at once."""
    subject, _ = compose(Channel.EMAIL)
    # The short text without its web address: the notification links to the place itself.
    short = _URL.sub("", compose(Channel.SMS)[1]).rstrip("：: ")
    for user_id in audience_accounts(case, roles):
        notify_user(
            user_id,
            case_id=case.id,
            template=template,
            title=subject,
            body=short,
            link=link,
            now=now,
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
    every active creditor user with an email, and the case's mediator (``roles``), and
    tell each of their accounts at once in the notification centre; ``now`` is the clock,
    for a worker's run."""
    notify_accounts(case, template, compose, roles=roles, now=now)

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
    if EXTRA_PARTIES in roles:
        # Guarantors and co-borrowers are told what concerns them (the agreement to sign,
        # in force), under the same contact rules as the debtor (BRIEF §6).
        for party in case.extra_parties:
            if party.user_id is None:
                continue
            if party.email:
                send(party.email, Channel.EMAIL, to_debtor=True)
            elif party.phone:
                send(party.phone, Channel.SMS, to_debtor=True)
    if "mediator" in roles and case.mediator is not None and case.mediator.email:
        send(case.mediator.email, Channel.EMAIL, recipient_user_id=case.mediator.id)
