"""The debtor's answer to the invitation, once their identity is confirmed: join (a
password and the consents) or decline mediation (人民调解法 Art. 17: mediation needs
both parties' consent). Each consent is recorded with the version of its text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select

from app import audit
from app.accounts.auth import MIN_PASSWORD_LENGTH, hash_password, open_session, verify_password
from app.accounts.password_checks import judge_password_try, password_check_policy
from app.audit import AuditAction
from app.cases.errors import CaseRuleError, InvitationError, LinkRefused
from app.cases.transitions import transition_case
from app.core import clock
from app.core.errors import DomainError
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.invitations import Consent, Invitation
from app.models.users import Role, User
from app.rules.cases import CaseEvent
from app.rules.consents import consent_text, missing_required
from app.rules.passwords import password_problem

MEDIATION_DAYS = 30
CONFIRMED_MINUTES = 30  # how long the step after the one-time code stays open


def case_of(invitation: Invitation) -> Case:
    """The case the invitation belongs to."""
    case = db.session.get(Case, invitation.case_id)
    assert case is not None
    return case


def pending_invitation(invitation_id: int | None) -> Invitation:
    """The invitation whose holder confirmed their identity in this browser session."""
    invitation = db.session.get(Invitation, invitation_id) if invitation_id else None
    if invitation is None or invitation.identity_confirmed_at is None:
        raise LinkRefused("unknown")
    if invitation.used_at is not None:
        raise LinkRefused("used")
    if invitation.identity_confirmed_at + timedelta(minutes=CONFIRMED_MINUTES) <= clock.now():
        raise LinkRefused("expired")
    return invitation


def _existing_account(case: Case) -> User | None:
    keys = [k for k in (case.debtor_phone, case.debtor_email) if k]
    return db.session.scalar(select(User).where(or_(User.phone.in_(keys), User.email.in_(keys))))


def _debtor_account(case: Case, password: str) -> User:
    """The debtor's account: an existing one (same phone or email) must prove its
    password; otherwise a new account is opened with the password chosen now."""
    existing = _existing_account(case)
    if existing is not None:
        if existing.role != Role.DEBTOR or not verify_password(existing, password):
            raise InvitationError("existing_account_password", "password")
        return existing
    problem = password_problem(password)
    if problem is not None:
        raise InvitationError(problem, "password", n=MIN_PASSWORD_LENGTH)
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
        AuditAction.USER_CREATE,
        actor=None,
        object_type="user",
        object_id=user.id,
        case_id=case.id,
        data={"role": "debtor", "via": "invitation"},
    )
    return user


def _move(case: Case, event: CaseEvent) -> None:
    """The debtor's answer moves the case; a case that moved on meanwhile is closed to it."""
    try:
        transition_case(case, event)
    except CaseRuleError:
        raise InvitationError("case_closed") from None


@use_case
def join_case(invitation: Invitation, password: str, consents: set[str]) -> User:
    """The debtor sets a password (or proves an existing one), gives the consents and
    joins: the case moves to negotiation and the link is spent."""
    if missing_required(consents):
        raise InvitationError("consent_required", "consent")
    case = case_of(invitation)
    user = _debtor_account(case, password)
    for kind in sorted(consents):
        text = consent_text(kind)
        db.session.add(
            Consent(
                user_id=user.id, case_id=case.id, kind=kind, text_version=text.version, text=text.zh
            )
        )
    _move(case, CaseEvent.DEBTOR_JOIN)
    case.debtor_user_id = user.id
    invitation.used_at = clock.now()
    # Online mediation runs 30 days from acceptance (在线调解规则 Art. 24).
    accepted = case.accepted_at or clock.now()
    case.next_deadline = clock.day_of(accepted + timedelta(days=MEDIATION_DAYS))
    audit.record(
        AuditAction.CASE_DEBTOR_JOIN,
        actor=user,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"consents": sorted(consents)},
    )
    return user


def join_and_sign_in(
    invitation: Invitation,
    password: str,
    confirm: str,
    consents: set[str],
    *,
    ip: str,
    user_agent: str,
    lifetime: timedelta,
) -> User:
    """:func:`join_case` from the form (the password typed twice), and the debtor signed
    in at once with a server-side session like any sign-in: one transaction. When the
    debtor already has an account, its password is a secret check like any other: the
    try is counted and committed first (:func:`app.accounts.password_checks.judge_password_try`), so
    call it outside any use case."""
    if password != confirm:
        raise InvitationError("passwords_differ", "confirm")
    refusal = _existing_password_try(invitation, password)
    if refusal is not None:
        raise refusal
    return _join_and_sign_in(invitation, password, consents, ip, user_agent, lifetime)


@use_case
def _existing_password_try(invitation: Invitation, password: str) -> DomainError | None:
    existing = _existing_account(case_of(invitation))
    if existing is None or existing.role != Role.DEBTOR:
        return None  # a new account, or one that cannot join as the debtor (refused later)
    return judge_password_try(
        existing,
        password,
        password_check_policy(),
        InvitationError("existing_account_password", "password"),
    )


@use_case
def _join_and_sign_in(
    invitation: Invitation,
    password: str,
    consents: set[str],
    ip: str,
    user_agent: str,
    lifetime: timedelta,
) -> User:
    user = join_case(invitation, password, consents)
    open_session(user, ip, user_agent, lifetime)
    return user


NotMediatedListener = Callable[[Case], None]
_not_mediated: list[NotMediatedListener] = []


def on_closed_not_mediated(listener: NotMediatedListener) -> NotMediatedListener:
    """Call ``listener(case)`` when a case closes as not mediated, inside the use case that
    closes it (a later feature issues the certificate that mediation failed; wired in
    :mod:`app.features`). Registering the same listener twice changes nothing."""
    if listener not in _not_mediated:
        _not_mediated.append(listener)
    return listener


@use_case
def decline_mediation(invitation: Invitation, reason: str) -> None:
    """The debtor declines mediation; the case closes as not mediated (人民调解法 Art. 17)."""
    if not reason.strip():
        raise InvitationError("reason_required", "reason")
    case = case_of(invitation)
    _move(case, CaseEvent.DEBTOR_DECLINE)
    case.closed_at = clock.now()
    case.next_deadline = None
    case.close_reason = reason.strip()[:2000]
    invitation.used_at = clock.now()
    audit.record(
        AuditAction.CASE_DEBTOR_DECLINE,
        actor=None,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"reason": case.close_reason},
    )
    for listener in _not_mediated:
        listener(case)
