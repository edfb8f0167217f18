"""Inviting the debtor and letting them in: a one-time link, their ID number, a one-time
code, a password and their consents (BRIEF §2 journey 3, §6)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app import audit
from app.accounts.auth import MIN_PASSWORD_LENGTH, hash_password, verify_password
from app.cases.lifecycle import CaseRuleError, transition_case
from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.invitations import Consent, Invitation, OneTimeCode
from app.models.notifications import Channel
from app.models.users import Role, User
from app.notifications.outbox import queue_message
from app.notifications.texts import common as messages
from app.rules.cases import CaseEvent
from app.rules.consents import consent_text, missing_required

MAX_TRIES = 5
MEDIATION_DAYS = 30
CODE_MINUTES = 10


class InvitationError(Exception):
    """The step is refused; ``code`` says why (for the message shown)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _digest(secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def invitation_link(token: str) -> str:
    return f"{current_app.config['SETTINGS'].public_url}/invite/{token}"


def create_invitation(case: Case, now: datetime | None = None) -> str:
    """A new link for the debtor (earlier unused ones stop working), sent by email and SMS
    under the contact rules. Returns the token; only its hash is stored."""
    now = now or clock.now()
    for old in db.session.scalars(
        select(Invitation).where(Invitation.case_id == case.id, Invitation.used_at.is_(None))
    ):
        old.revoked_at = old.revoked_at or now
    token = secrets.token_urlsafe(32)
    days = current_app.config["SETTINGS"].invitation_days
    invitation = Invitation(
        case_id=case.id,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    link = invitation_link(token)
    expires_on = clock.day_of(invitation.expires_at)
    case.next_deadline = expires_on  # the debtor's time to respond (BRIEF §7)
    org, creditor = case.mediation_org.name, case.creditor_org.name
    channels = (
        (Channel.EMAIL, case.debtor_email, messages.invitation),
        (Channel.SMS, case.debtor_phone, messages.invitation_sms),
    )
    for channel, address, build in channels:
        if not address:
            continue
        subject, body = build(org, case.reference, creditor, link, expires_on)
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
    audit.record(
        "case:invite",
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
    return token


def open_invitation(token: str) -> Invitation:
    """The invitation behind a link, if the link may still be used from the start."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _digest(token))
    )
    if invitation is None:
        raise InvitationError("unknown")
    if invitation.used_at is not None or invitation.identity_confirmed_at is not None:
        raise InvitationError("used")
    if invitation.revoked_at is not None:
        raise InvitationError("revoked")
    if invitation.expires_at <= clock.now():
        raise InvitationError("expired")
    return invitation


def _case(invitation: Invitation) -> Case:
    case = db.session.get(Case, invitation.case_id)
    assert case is not None
    return case


def check_id_suffix(invitation: Invitation, suffix: str, channel: Channel) -> None:
    """Compare the last six characters of the debtor's ID number; after five wrong answers
    the link stops working. On success a one-time code goes to the phone or email."""
    case = _case(invitation)
    expected = (case.debtor_id_number or "")[-6:].upper()
    if len(expected) == 6 and hmac.compare_digest(suffix.strip().upper(), expected):
        _send_code(invitation, case, channel)
        db.session.commit()
        return
    invitation.id_attempts += 1
    if invitation.id_attempts >= MAX_TRIES:
        invitation.revoked_at = clock.now()
        audit.record(
            "invitation:revoke",
            actor=None,
            object_type="invitation",
            object_id=invitation.id,
            case_id=case.id,
            data={"reason": "id_attempts"},
        )
        db.session.commit()
        raise InvitationError("revoked")
    db.session.commit()
    raise InvitationError("id_mismatch")


def _send_code(invitation: Invitation, case: Case, channel: Channel) -> None:
    now = clock.now()
    address = case.debtor_phone if channel == Channel.SMS else case.debtor_email
    if not address:
        raise InvitationError("no_such_channel")
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
    closes the link to anyone else."""
    otp = db.session.scalar(
        select(OneTimeCode)
        .where(OneTimeCode.invitation_id == invitation.id, OneTimeCode.consumed_at.is_(None))
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    )
    if otp is None:
        raise InvitationError("no_code")
    if otp.expires_at <= clock.now():
        raise InvitationError("code_expired")
    if otp.attempts >= MAX_TRIES:
        raise InvitationError("code_locked")
    otp.attempts += 1
    if not hmac.compare_digest(otp.code_hash, _digest(code.strip())):
        db.session.commit()
        raise InvitationError("code_locked" if otp.attempts >= MAX_TRIES else "code_wrong")
    otp.consumed_at = invitation.identity_confirmed_at = clock.now()
    audit.record(
        "invitation:identity:confirm",
        actor=None,
        object_type="invitation",
        object_id=invitation.id,
        case_id=invitation.case_id,
        data={"channel": otp.channel},
    )
    db.session.commit()


def pending_invitation(invitation_id: int | None) -> Invitation:
    """The invitation whose holder confirmed their identity in this browser session."""
    invitation = db.session.get(Invitation, invitation_id) if invitation_id else None
    if invitation is None or invitation.identity_confirmed_at is None:
        raise InvitationError("unknown")
    if invitation.used_at is not None:
        raise InvitationError("used")
    if invitation.identity_confirmed_at + timedelta(minutes=30) <= clock.now():
        raise InvitationError("expired")
    return invitation


def _debtor_account(case: Case, password: str) -> User:
    """The debtor's account: an existing one (same phone or email) must prove its
    password; otherwise a new account is opened with the password chosen now."""
    keys = [k for k in (case.debtor_phone, case.debtor_email) if k]
    existing = db.session.scalar(
        select(User).where(or_(User.phone.in_(keys), User.email.in_(keys)))
    )
    if existing is not None:
        if existing.role != Role.DEBTOR or not verify_password(existing, password):
            raise InvitationError("existing_account_password")
        return existing
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvitationError("password_too_short")
    user = User(
        role=Role.DEBTOR,
        name=case.debtor_name,
        phone=case.debtor_phone,
        email=case.debtor_email,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user:create",
        actor=None,
        object_type="user",
        object_id=user.id,
        case_id=case.id,
        data={"role": "debtor", "via": "invitation"},
    )
    return user


def join_case(invitation: Invitation, password: str, consents: set[str]) -> User:
    """The debtor sets a password (or proves an existing one), gives the consents and
    joins: the case moves to negotiation and the link is spent."""
    if missing_required(consents):
        raise InvitationError("consent_required")
    case = _case(invitation)
    user = _debtor_account(case, password)
    for kind in sorted(consents):
        text = consent_text(kind)
        db.session.add(
            Consent(
                user_id=user.id, case_id=case.id, kind=kind, text_version=text.version, text=text.zh
            )
        )
    try:
        transition_case(case, CaseEvent.DEBTOR_JOIN)
    except CaseRuleError:
        raise InvitationError("case_closed") from None
    case.debtor_user_id = user.id
    invitation.used_at = clock.now()
    # Online mediation runs 30 days from acceptance (在线调解规则 Art. 24; BRIEF §7).
    accepted = case.accepted_at or clock.now()
    case.next_deadline = clock.day_of(accepted + timedelta(days=MEDIATION_DAYS))
    audit.record(
        "case:debtor:join",
        actor=user,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"consents": sorted(consents)},
    )
    db.session.commit()
    return user


def decline_mediation(invitation: Invitation, reason: str) -> None:
    """The debtor declines mediation; the case closes as not mediated (人民调解法 Art. 17)."""
    if not reason.strip():
        raise InvitationError("reason_required")
    case = _case(invitation)
    try:
        transition_case(case, CaseEvent.DEBTOR_DECLINE)
    except CaseRuleError:
        raise InvitationError("case_closed") from None
    case.closed_at = clock.now()
    case.next_deadline = None
    case.close_reason = reason.strip()[:2000]
    invitation.used_at = clock.now()
    audit.record(
        "case:debtor:decline",
        actor=None,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"reason": case.close_reason},
    )
    db.session.commit()
