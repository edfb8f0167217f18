"""The case's message threads: who reads and who writes each one, posting, paging.

Four threads per case (人民调解法 Art. 22: the mediator mediates in whatever ways the
dispute needs; here with both parties together and with each side alone):

- ``JOINT``: both parties and the mediator;
- ``CAUCUS_DEBTOR``: the mediator and the debtor only;
- ``CAUCUS_CREDITOR``: the mediator and the creditor's people only;
- ``NOTES``: the mediator's private notes.

Who may read and post where is decided in ONE place, :func:`thread_access`; every view,
panel and use case that shows or accepts messages goes through it. Nothing in a caucus
is ever visible to the other side: the debtor never gets ``CAUCUS_CREDITOR`` or
``NOTES``, the creditor never gets ``CAUCUS_DEBTOR`` or ``NOTES``.

Decision — the mediation organisation's admin reads every thread, notes included, and
posts in none. The admin already sees the whole case and is the one who reassigns it and
answers complaints about a mediator; the organisation, not one person, is the neutral
party that keeps the caucus in confidence (人民调解法 Art. 15 binds its mediators to
keep the parties' secrets). A colleague mediator not assigned to the case sees nothing.

Posting does not touch the case row: the case's version column guards the terms against
lost updates, and two people chatting at the same moment must not get a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.access import Permission, can
from app.audit import AuditAction
from app.core.errors import InvalidInput, Refused
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Message, Thread
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.models.users import Role, User
from app.notifications import told
from app.notifications.content import check_words_to_debtor
from app.notifications.outbox import queue_message, recipient_key
from app.notifications.recipients import case_link, creditor_staff, notify_accounts
from app.notifications.texts import threads as thread_messages
from app.rules.proposals import Side

MAX_LENGTH = 4000
PAGE_SIZE = 50
THREADS = (Thread.JOINT, Thread.CAUCUS_DEBTOR, Thread.CAUCUS_CREDITOR, Thread.NOTES)

# The sides taking part in each thread; everyone else on the case is outside it.
MEMBERS: dict[Thread, frozenset[Side]] = {
    Thread.JOINT: frozenset({Side.DEBTOR, Side.CREDITOR, Side.MEDIATOR}),
    Thread.CAUCUS_DEBTOR: frozenset({Side.DEBTOR, Side.MEDIATOR}),
    Thread.CAUCUS_CREDITOR: frozenset({Side.CREDITOR, Side.MEDIATOR}),
    Thread.NOTES: frozenset({Side.MEDIATOR}),
}
# The organisation's admin reads like a mediator (see the module docstring), never posts.
_SIDE_OF_ROLE = {
    Role.DEBTOR: Side.DEBTOR,
    Role.CREDITOR: Side.CREDITOR,
    Role.MEDIATOR: Side.MEDIATOR,
    Role.ADMIN: Side.MEDIATOR,
}
_POST_PERMISSION = {
    Thread.JOINT: Permission.MESSAGE_POST,
    Thread.CAUCUS_DEBTOR: Permission.MESSAGE_POST,
    Thread.CAUCUS_CREDITOR: Permission.MESSAGE_POST,
    Thread.NOTES: Permission.NOTE_POST,
}
# Control characters other than tab and newline (NUL is refused by PostgreSQL's text).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class MessageError(InvalidInput):
    """The message's text is refused: ``required`` (nothing left once trimmed) or
    ``too_long``; the field is the message's ``body``."""

    messages = {
        "too_long": _l("A message can be at most %(n)s characters long.", n=MAX_LENGTH),
    }


class MessageRefused(Refused):
    """The author may not post in this thread now (:func:`thread_access`)."""

    status = 403
    messages = {
        "not_allowed": _l(
            "Messages can be sent from the start of the negotiation until the case is closed."
        ),
    }


def thread_access(case: Case, viewer: User) -> dict[Thread, bool]:
    """THE rule: the threads ``viewer`` may read, in display order, each mapped to whether
    they may also post there now.

    Reading needs to be on the case (:func:`app.access.can` with ``CASE_VIEW``: the
    debtor, the creditor's people, the assigned mediator, the organisation's admin) and
    to be a member of the thread. Posting also needs the thread's permission, which
    ``can`` grants from the negotiation through signing, confirmation and performance,
    until the case is closed; the admin has no posting permission at all.
    """
    if not can(viewer, Permission.CASE_VIEW, case):
        return {}
    side = _SIDE_OF_ROLE[viewer.role]
    return {
        thread: can(viewer, _POST_PERMISSION[thread], case)
        for thread in THREADS
        if side in MEMBERS[thread]
    }


def visible_threads(case: Case, viewer: User) -> list[Thread]:
    return list(thread_access(case, viewer))


def may_post(case: Case, viewer: User, thread: Thread) -> bool:
    return thread_access(case, viewer).get(thread, False)


def clean_body(raw: str) -> str:
    """The text as stored: line breaks normalised, control characters dropped, trimmed;
    required, and at most 4,000 characters."""
    body = _CONTROL.sub("", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not body:
        raise MessageError("required", "body")
    if len(body) > MAX_LENGTH:
        raise MessageError("too_long", "body")
    return body


@use_case
def post_message(
    author: User, case: Case, thread: Thread, raw_body: str, asserted: Collection[str] = ()
) -> Message:
    """Add a message to a thread the author may post to; tell the thread's other members.

    A creditor's or mediator's message in a thread the debtor reads passes the content
    checker first (:mod:`app.notifications.content`; ``asserted``: the legal statements
    the author confirms are true on this case); the debtor's own messages are not checked.

    The audit event records the message id, the thread and the length — never the text,
    which would otherwise live for ever in the hash chain.
    """
    if not may_post(case, author, thread):
        raise MessageRefused("not_allowed")
    body = clean_body(raw_body)
    if author.role in (Role.CREDITOR, Role.MEDIATOR) and Side.DEBTOR in MEMBERS[thread]:
        check_words_to_debtor(body, case, asserted=asserted)
    message = Message(case_id=case.id, thread=thread, author_id=author.id, body=body)
    db.session.add(message)
    db.session.flush()
    audit.record(
        AuditAction.CASE_MESSAGE_POST,
        actor=author,
        object_type="message",
        object_id=message.id,
        case_id=case.id,
        data={"message_id": message.id, "thread": thread.value, "length": len(body)},
    )
    notify_new_message(case, author, thread)
    return message


def notify_new_message(case: Case, author: User, thread: Thread) -> None:
    """Tell the thread's other members, through the outbox and under the contact rules.

    The audience is the thread's sides less the author's: a joint message from the debtor
    goes to the creditor's people and the mediator, from the creditor to the debtor and
    the mediator, from the mediator to both parties; a caucus message to its other member
    only; a note to nobody. The notice never carries the text (see
    :mod:`app.notifications.texts.threads`). The debtor gets one contact per notice (SMS
    when a phone is on file, else email). While a recipient still has an unsent notice for
    this case — typically one a debtor's quiet hours hold back — no second one is queued:
    one notice says there is something new, however many messages follow. Every member
    with an account is also told at once in the notification centre.
    """
    audience = MEMBERS[thread] - {_SIDE_OF_ROLE[author.role]}
    link = f"{case_link(case)}#messages"
    org, ref = case.mediation_org.name, case.reference

    def compose(channel: Channel) -> tuple[str, str]:
        if channel == Channel.SMS:
            return thread_messages.new_message_sms(org, ref, link)
        return thread_messages.new_message_email(org, ref, link)

    notify_accounts(
        case, thread_messages.TEMPLATE, compose, roles={side.value for side in audience}
    )
    if Side.DEBTOR in audience:
        _notify_debtor(case, link)
    if Side.CREDITOR in audience:
        for user in creditor_staff(case):
            _notify_user(case, user, link)
    if Side.MEDIATOR in audience and case.mediator is not None:
        _notify_user(case, case.mediator, link)


def _notify_debtor(case: Case, link: str) -> None:
    org, ref = case.mediation_org.name, case.reference
    if case.debtor_phone:
        address, channel = case.debtor_phone, Channel.SMS
        subject, body = thread_messages.new_message_sms(org, ref, link)
    elif case.debtor_email:
        address, channel = case.debtor_email, Channel.EMAIL
        subject, body = thread_messages.new_message_email(org, ref, link)
    else:
        return
    key = recipient_key(address=address, case_id=case.id, recipient_user_id=None, to_debtor=True)
    pending = _notice_pending(case.id, key)
    if pending is not None:
        told.note(pending)  # the screen tells when the notice already waiting goes out
    else:
        queue_message(
            address=address,
            channel=channel,
            template=thread_messages.TEMPLATE,
            subject=subject,
            body=body,
            case_id=case.id,
            to_debtor=True,
        )


def _notify_user(case: Case, user: User, link: str) -> None:
    if not user.email or user.is_locked:
        return
    key = recipient_key(
        address=user.email, case_id=case.id, recipient_user_id=user.id, to_debtor=False
    )
    if _notice_pending(case.id, key) is not None:
        return
    subject, body = thread_messages.new_message_email(case.mediation_org.name, case.reference, link)
    queue_message(
        address=user.email,
        channel=Channel.EMAIL,
        template=thread_messages.TEMPLATE,
        subject=subject,
        body=body,
        case_id=case.id,
        recipient_user_id=user.id,
    )


def _notice_pending(case_id: int, key: str) -> OutboundMessage | None:
    pending = select(OutboundMessage).where(
        OutboundMessage.recipient_key == key,
        OutboundMessage.case_id == case_id,
        OutboundMessage.template == thread_messages.TEMPLATE,
        OutboundMessage.status == OutboxStatus.QUEUED,
    )
    return db.session.scalar(pending.order_by(OutboundMessage.due_at).limit(1))


@dataclass(frozen=True)
class ShownMessage:
    id: int
    author_id: int
    author_name: str
    author_role: Role
    body: str
    created_at: datetime


@dataclass(frozen=True)
class ThreadPage:
    """One page of a thread as a viewer sees it: at most ``PAGE_SIZE`` messages, oldest
    first (the newest at the bottom)."""

    thread: Thread
    may_post: bool
    messages: tuple[ShownMessage, ...]
    before: int | None  # the cursor this page was read with; None: the latest messages
    earlier_before: int | None  # the cursor of the page before this one, if there is one


def read_threads(
    case: Case, viewer: User, before: Mapping[Thread, int] | None = None
) -> list[ThreadPage]:
    """The threads ``viewer`` may read, each with its latest page (or the page before
    ``before[thread]``, a message id). One query per thread, authors joined in."""
    before = before or {}
    return [
        _page(case, thread, postable, before.get(thread))
        for thread, postable in thread_access(case, viewer).items()
    ]


def _page(case: Case, thread: Thread, postable: bool, before: int | None) -> ThreadPage:
    stmt = (
        select(
            Message.id, Message.author_id, User.name, User.role, Message.body, Message.created_at
        )
        .join(User, User.id == Message.author_id)
        .where(Message.case_id == case.id, Message.thread == thread)
        .order_by(Message.id.desc())
        .limit(PAGE_SIZE + 1)  # one more than shown: is there an earlier page?
    )
    if before is not None:
        stmt = stmt.where(Message.id < before)
    rows = db.session.execute(stmt).all()
    shown = [ShownMessage(*row) for row in reversed(rows[:PAGE_SIZE])]
    earlier = shown[0].id if len(rows) > PAGE_SIZE else None
    return ThreadPage(thread, postable, tuple(shown), before, earlier)
