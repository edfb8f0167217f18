"""Inviting the debtor: a one-time link, then the end of their ID number and a one-time
code prove who follows it (the rest of the way in, a password and the consents, is
:mod:`app.cases.joining`).

A wrong answer (the ID number's end, a code) is counted even though the step is refused:
the count is committed by a small use case that returns the refusal, which is raised only
after the commit, so five wrong answers really do close the link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.cases.errors import InvitationError, LinkRefused

# The demo joins and declines through this module, too.
from app.cases.joining import case_of, invitee_of
from app.cases.joining import decline_mediation as decline_mediation
from app.cases.joining import join_case as join_case
from app.cases.transitions import transition_case
from app.core import clock
from app.core.counters import atomic_increment
from app.core.errors import DomainError
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case, CaseParty
from app.models.invitations import Invitation, OneTimeCode
from app.models.notifications import Channel
from app.models.users import User
from app.notifications.org_templates import org_text
from app.notifications.outbox import queue_message
from app.notifications.texts import common as messages
from app.notifications.texts.common import long_date
from app.rules.cases import CaseEvent
from app.rules.throttle import tries_used_up, try_allowed
from app.signing.reauth import check_send_limit

MAX_TRIES = 5
CODE_MINUTES = 10


def _digest(secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def invitation_link(token: str) -> str:
    return f"{current_app.config['SETTINGS'].public_url}/invite/{token}"


def _new_invitation(case: Case, party: CaseParty | None, now: datetime) -> tuple[str, Invitation]:
    """A new link for the debtor (``party`` None) or one additional party; that invitee's
    earlier unused links stop working. Only the token's hash is stored."""
    for old in db.session.scalars(
        select(Invitation).where(
            Invitation.case_id == case.id,
            Invitation.used_at.is_(None),
            Invitation.party_id.is_(None) if party is None else Invitation.party_id == party.id,
        )
    ):
        old.revoked_at = old.revoked_at or now
    token = secrets.token_urlsafe(32)
    days = current_app.config["SETTINGS"].invitation_days
    invitation = Invitation(
        case_id=case.id,
        party_id=party.id if party is not None else None,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    return token, invitation


@use_case
def create_invitation(case: Case, now: datetime | None = None) -> str:
    """A new link for the debtor (earlier unused ones stop working), sent by email and SMS
    under the contact rules. Returns the token; only its hash is stored. The additional
    parties not invited yet (guarantors, co-borrowers) are invited with the debtor."""
    now = now or clock.now()
    token, invitation = _new_invitation(case, None, now)
    expires_on = clock.day_of(invitation.expires_at)
    case.next_deadline = expires_on  # the debtor's time to answer the invitation
    _send_invitation(
        case, invitation_link(token), expires_on, now, (case.debtor_email, case.debtor_phone)
    )
    audit.record(
        AuditAction.CASE_INVITE,
        actor=None,
        object_type="invitation",
        object_id=invitation.id,
        case_id=case.id,
        data={
            "expires_at": invitation.expires_at,
            "email": bool(case.debtor_email),
            "sms": bool(case.debtor_phone),
        },
    )
    for party in case.extra_parties:
        if party.invited_at is None and party.joined_at is None:
            create_party_invitation(None, case, party, now)
    return token


@use_case
def create_party_invitation(
    actor: User | None, case: Case, party: CaseParty, now: datetime | None = None
) -> str:
    """A link for a guarantor or co-borrower, like the debtor's (the same steps: the end
    of their ID number, a one-time code, a password and the consents), sent to their own
    phone and email under the same contact rules. Returns the token."""
    now = now or clock.now()
    token, invitation = _new_invitation(case, party, now)
    party.invited_at = now
    _send_invitation(
        case,
        invitation_link(token),
        clock.day_of(invitation.expires_at),
        now,
        (party.email, party.phone),
    )
    audit.record(
        AuditAction.CASE_PARTY_INVITE,
        actor=actor,
        object_type="case_party",
        object_id=party.id,
        case_id=case.id,
        data={"invitation": invitation.id, "expires_at": invitation.expires_at},
    )
    return token


def _send_invitation(
    case: Case,
    link: str,
    expires_on: date,
    now: datetime,
    to: tuple[str | None, str | None],
) -> None:
    org, creditor = case.mediation_org.name, case.creditor_org.name
    email, phone = to
    channels = (
        (Channel.EMAIL, email, messages.invitation),
        (Channel.SMS, phone, messages.invitation_sms),
    )
    for channel, address, build in channels:
        if not address:
            continue
        values = {
            "org": org,
            "case": case.reference,
            "link": link,
            "creditor": creditor,
            "expires_on": long_date(expires_on),
        }  # the organisation's own wording, when it has one
        own = org_text(case.mediation_org_id, "invitation", channel, values)
        subject, body = own or build(org, case.reference, creditor, link, expires_on)
        queue_message(
            address=address,
            channel=channel,
            template="invitation",
            subject=subject,
            body=body,
            case_id=case.id,
            to_debtor=True,
            now=now,
        )


def open_invitation(token: str) -> Invitation:
    """The invitation behind a link, if the link may still be used from the start."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _digest(token))
    )
    if invitation is None:
        raise LinkRefused("unknown", status=404)
    if invitation.used_at is not None:
        raise LinkRefused("used")
    if invitation.revoked_at is not None:
        raise revoked_refusal(invitation)
    if invitation.identity_confirmed_at is not None:
        raise LinkRefused("used")
    if invitation.expires_at <= clock.now():
        raise LinkRefused("expired")
    return invitation


def revoked_refusal(invitation: Invitation) -> LinkRefused:
    """Why a revoked link no longer works: a newer link for the case replaced it (the
    debtor is told to use that one), or it was closed (too many wrong answers)."""
    newer = db.session.scalar(
        select(Invitation.id)
        .where(Invitation.case_id == invitation.case_id, Invitation.id > invitation.id)
        .where(
            Invitation.party_id.is_(None)
            if invitation.party_id is None
            else Invitation.party_id == invitation.party_id
        )
        .limit(1)
    )
    return LinkRefused("replaced" if newer is not None else "revoked")


@use_case
def resend_invitation(mediator: User, case: Case) -> str:
    """The mediator sends the debtor a new link (a debtor who lost the first, or whose
    first expired): the old links stop working at once and say they were replaced. The
    new messages are outreach like the first invitation, so the contact rules apply
    (quiet hours, the daily limit: :func:`app.notifications.outbox.queue_message`).
    Returns the new token."""
    transition_case(case, CaseEvent.REINVITE)
    token = create_invitation(case)
    audit.record(
        AuditAction.INVITATION_RESEND,
        actor=mediator,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )
    return token


def check_id_suffix(invitation: Invitation, suffix: str, channel: Channel) -> None:
    """Compare the last six characters of the debtor's ID number; after five wrong answers
    the link stops working (``LinkRefused("revoked")``). On success a one-time code goes
    to the phone or email. Call it outside any use case (a request does): inside one, the
    count would roll back with the refusal."""
    refusal = _answer_id_suffix(invitation, suffix, channel)
    if refusal is not None:
        raise refusal


@use_case
def _answer_id_suffix(invitation: Invitation, suffix: str, channel: Channel) -> DomainError | None:
    """The answer checked and, when wrong, counted; the refusal is returned, not raised, so
    the count is committed."""
    case = case_of(invitation)
    tries = atomic_increment(Invitation.id_attempts, invitation.id)  # counted before judged
    if not try_allowed(tries, MAX_TRIES):
        return LinkRefused("revoked")
    expected = invitee_of(invitation).id_number[-6:].upper()
    if len(expected) == 6 and hmac.compare_digest(suffix.strip().upper(), expected):
        _send_code(invitation, case, channel)
        return None
    if not tries_used_up(tries, MAX_TRIES):
        return InvitationError("id_mismatch", "id_suffix")
    invitation.revoked_at = clock.now()
    audit.record(
        AuditAction.INVITATION_REVOKE,
        actor=None,
        object_type="invitation",
        object_id=invitation.id,
        case_id=case.id,
        data={"reason": "id_attempts"},
    )
    return LinkRefused("revoked")


def _send_code(invitation: Invitation, case: Case, channel: Channel) -> None:
    now = clock.now()
    invitee = invitee_of(invitation)
    address = invitee.phone if channel == Channel.SMS else invitee.email
    if not address:
        raise InvitationError("no_such_channel", "channel")
    since = now - timedelta(hours=1)
    check_send_limit(
        list(
            db.session.scalars(
                select(OneTimeCode.created_at).where(
                    OneTimeCode.invitation_id == invitation.id, OneTimeCode.created_at > since
                )
            )
        ),
        "id_suffix",
    )
    for old in db.session.scalars(
        select(OneTimeCode).where(
            OneTimeCode.invitation_id == invitation.id, OneTimeCode.consumed_at.is_(None)
        )
    ):
        old.consumed_at = clock.now()  # only the newest code counts
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.session.add(
        OneTimeCode(
            purpose="invitation",
            invitation_id=invitation.id,
            code_hash=_digest(code),
            channel=channel.value,
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
        )
    )
    build = messages.one_time_code_sms if channel == Channel.SMS else messages.one_time_code_email
    subject, body = build(case.mediation_org.name, case.reference, code, CODE_MINUTES)
    queue_message(
        address=address,
        channel=channel,
        template="one_time_code",
        subject=subject,
        body=body,
        case_id=case.id,
        to_debtor=True,
        requested_by_recipient=True,
    )


def verify_code(invitation: Invitation, code: str) -> None:
    """The newest code, within ten minutes, five tries; success confirms the identity and
    closes the link to anyone else. Like :func:`check_id_suffix`, called outside any use
    case, so that a wrong try stays counted."""
    refusal = _answer_code(invitation, code)
    if refusal is not None:
        raise refusal


@use_case
def _answer_code(invitation: Invitation, code: str) -> InvitationError | None:
    """The code checked and the try counted; the refusal is returned, not raised, so the
    count is committed."""
    otp = db.session.scalar(
        select(OneTimeCode)
        .where(OneTimeCode.invitation_id == invitation.id, OneTimeCode.consumed_at.is_(None))
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    )
    if otp is None:
        return InvitationError("no_code", "code")
    if otp.expires_at <= clock.now():
        return InvitationError("code_expired", "code")
    tries = atomic_increment(OneTimeCode.attempts, otp.id)  # counted before judged
    if not try_allowed(tries, MAX_TRIES):
        return InvitationError("code_locked", "code")
    if not hmac.compare_digest(otp.code_hash, _digest(code.strip())):
        return InvitationError(
            "code_locked" if tries_used_up(tries, MAX_TRIES) else "code_wrong", "code"
        )
    otp.consumed_at = invitation.identity_confirmed_at = clock.now()
    audit.record(
        AuditAction.INVITATION_IDENTITY_CONFIRM
        if invitation.party_id is None
        else AuditAction.CASE_PARTY_IDENTITY_CONFIRM,
        actor=None,
        object_type="invitation",
        object_id=invitation.id,
        case_id=invitation.case_id,
        data={"channel": otp.channel},
    )
    return None
