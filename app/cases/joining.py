"""The debtor's answer to the invitation, once their identity is confirmed: join (a
password and the consents) or decline mediation (人民调解法 Art. 17: mediation needs
both parties' consent). Each consent is recorded with the version of its text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from app import audit
from app.accounts.auth import MIN_PASSWORD_LENGTH, hash_password, open_session, verify_password
from app.accounts.password_checks import judge_password_try, password_check_policy
from app.audit import AuditAction
from app.calendar.overrides import legal_calendar
from app.cases.errors import CaseRuleError, InvitationError, LinkRefused
from app.cases.transitions import transition_case
from app.core import clock
from app.core.errors import DomainError
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case, CaseParty
from app.models.invitations import Consent, Invitation
from app.models.users import Role, User
from app.rules.cases import CaseEvent
from app.rules.consents import consent_text, missing_required
from app.rules.mediation_failure import FailureGround, mediation_deadline
from app.rules.passwords import password_problem

MEDIATION_DAYS = 30
CONFIRMED_MINUTES = 30  # how long the step after the one-time code stays open


def case_of(invitation: Invitation) -> Case:
    """The case the invitation belongs to."""
    case = db.session.get(Case, invitation.case_id)
    assert case is not None
    return case


@dataclass(frozen=True)
class Invitee:
    """Who a link invites: the debtor, or an additional party (guarantor, co-borrower),
    with the identity number they prove and the addresses their codes go to."""

    name: str
    id_number: str
    phone: str | None
    email: str | None
    party: CaseParty | None = None


def invitee_of(invitation: Invitation) -> Invitee:
    case = case_of(invitation)
    if invitation.party_id is None:
        return Invitee(
            case.debtor_name, case.debtor_id_number or "", case.debtor_phone, case.debtor_email
        )
    party = db.session.get(CaseParty, invitation.party_id)
    assert party is not None and party.case_id == case.id
    return Invitee(party.name, party.id_number or "", party.phone, party.email, party)


def pending_invitation(invitation_id: int | None) -> Invitation:
    """The invitation whose holder confirmed their identity in this browser session."""
    invitation = db.session.get(Invitation, invitation_id) if invitation_id else None
    if invitation is None or invitation.identity_confirmed_at is None:
        raise LinkRefused("unknown")
    if invitation.used_at is not None:
        raise LinkRefused("used")
    if invitation.revoked_at is not None:  # a newer link was sent meanwhile
        raise LinkRefused("replaced")
    if invitation.identity_confirmed_at + timedelta(minutes=CONFIRMED_MINUTES) <= clock.now():
        raise LinkRefused("expired")
    return invitation


def _existing_account(invitee: Invitee) -> User | None:
    keys = [k for k in (invitee.phone, invitee.email) if k]
    return db.session.scalar(select(User).where(or_(User.phone.in_(keys), User.email.in_(keys))))


def _debtor_account(case: Case, password: str, invitee: Invitee | None = None) -> User:
    """The invitee's account (the debtor's, or a guarantor's or co-borrower's, who sign in
    like a debtor): an existing one (same phone or email) must prove its password;
    otherwise a new account is opened with the password chosen now. An additional party
    never joins with the debtor's own account: each signs for themselves (电子签名法 Art.
    13: the signing means belong to the signer alone)."""
    invitee = invitee or Invitee(
        case.debtor_name, case.debtor_id_number or "", case.debtor_phone, case.debtor_email
    )
    existing = _existing_account(invitee)
    if existing is not None:
        if existing.role != Role.DEBTOR or not verify_password(existing, password):
            raise InvitationError("existing_account_password", "password")
        if invitee.party is not None and _already_on_case(existing, case):
            raise InvitationError("party_is_already_on_case", "password")
        return existing
    problem = password_problem(password)
    if problem is not None:
        raise InvitationError(problem, "password", n=MIN_PASSWORD_LENGTH)
    user = User(
        role=Role.DEBTOR,
        name=invitee.name,
        phone=invitee.phone,
        email=invitee.email,
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


def _already_on_case(user: User, case: Case) -> bool:
    """The debtor, or another additional party of the same case."""
    return case.debtor_user_id == user.id or any(p.user_id == user.id for p in case.extra_parties)


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
    if invitation.party_id is not None:
        return _join_as_party(case, invitation, password, consents)
    user = _debtor_account(case, password)
    _record_consents(user, case, consents)
    _move(case, CaseEvent.DEBTOR_JOIN)
    case.debtor_user_id = user.id
    invitation.used_at = clock.now()
    # Online mediation runs 30 days from acceptance (cf. 在线调解规则 Art. 24), counted like a
    # legal period (CPL Art. 85).
    accepted = clock.day_of(case.accepted_at or clock.now())
    case.next_deadline = mediation_deadline(
        accepted,
        legal_calendar(),
        days=MEDIATION_DAYS,
        extended_until=case.mediation_extended_until,
    )
    audit.record(
        AuditAction.CASE_DEBTOR_JOIN,
        actor=user,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"consents": sorted(consents)},
    )
    return user


def _record_consents(user: User, case: Case, consents: set[str]) -> None:
    for kind in sorted(consents):
        text = consent_text(kind)
        db.session.add(
            Consent(
                user_id=user.id, case_id=case.id, kind=kind, text_version=text.version, text=text.zh
            )
        )


def _join_as_party(case: Case, invitation: Invitation, password: str, consents: set[str]) -> User:
    """A guarantor or co-borrower joins: the same account rules and consents as the debtor
    (PIPL Arts. 14, 29), but the case does not move: they take part in the mediation the
    debtor is in, and sign its agreement (:mod:`app.rules.case_parties`)."""
    if case.state.value not in _PARTY_JOIN_STATES:
        raise InvitationError("case_closed")
    invitee = invitee_of(invitation)
    party = invitee.party
    assert party is not None
    user = _debtor_account(case, password, invitee)
    _record_consents(user, case, consents)
    party.user_id = user.id
    party.joined_at = invitation.used_at = clock.now()
    audit.record(
        AuditAction.CASE_PARTY_JOIN,
        actor=user,
        object_type="case_party",
        object_id=party.id,
        case_id=case.id,
        data={"role": party.role, "consents": sorted(consents)},
    )
    return user


# A party may join until the agreement is signed by everyone (they must sign it too).
_PARTY_JOIN_STATES = frozenset(
    {"submitted", "invited", "negotiating", "agreement_drafting", "signing"}
)


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
    existing = _existing_account(invitee_of(invitation))
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


def closed_not_mediated(case: Case) -> None:
    """Tell the listeners that ``case`` has just closed as not mediated (any ground: the
    debtor's refusal here, the others in :mod:`app.closing`)."""
    for listener in _not_mediated:
        listener(case)


@use_case
def decline_mediation(invitation: Invitation, reason: str) -> None:
    """The debtor declines mediation; the case closes as not mediated (人民调解法 Art. 17)."""
    if not reason.strip():
        raise InvitationError("reason_required", "reason")
    if invitation.party_id is not None:
        # Only the debtor's refusal ends the mediation; a guarantor who will not take part
        # tells the mediator, who decides (the agreement needs every party's signature).
        raise InvitationError("party_cannot_decline")
    case = case_of(invitation)
    _move(case, CaseEvent.DEBTOR_DECLINE)
    case.closed_at = clock.now()
    case.next_deadline = None
    case.close_reason = reason.strip()[:2000]
    case.failure_ground = FailureGround.DEBTOR_DECLINED.value
    case.ended_by_side = "debtor"
    invitation.used_at = clock.now()
    audit.record(
        AuditAction.CASE_DEBTOR_DECLINE,
        actor=None,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"reason": case.close_reason},
    )
    closed_not_mediated(case)
