"""Registering and maintaining organisations and their people."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from stdnum.cn import uscc

from app import audit
from app.accounts.auth import hash_password, revoke_all_sessions
from app.accounts.errors import AccountInvalid
from app.audit import AuditAction
from app.core.transaction import conflict_on, use_case
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User
from app.rules.contacts import is_mainland_mobile, normalise_phone
from app.rules.passwords import password_problem

SEAL_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_SEAL_BYTES = 2 * 1024 * 1024

# Two administrators registering the same code, number or sign-in at the same moment: the
# check before the insert passed for both, the second lost the race
# (``migrations/versions/0001_foundation.py``).
for _constraint in (
    "uq_mediation_organisations_registration_number",
    "uq_creditor_organisations_credit_code",
    "uq_users_email",
    "uq_users_phone",
):
    conflict_on(_constraint, "changed_meanwhile")


@dataclass(frozen=True)
class MediationOrgDetails:
    name: str
    registration_number: str
    address: str
    phone: str


def _check_seal(seal_png: bytes) -> None:
    if not seal_png.startswith(next(iter(SEAL_TYPES))):
        raise AccountInvalid("seal_not_png", "seal")
    if len(seal_png) > MAX_SEAL_BYTES:
        raise AccountInvalid("seal_too_large", "seal")


@use_case
def update_mediation_org(
    actor: User,
    org: MediationOrganisation,
    details: MediationOrgDetails,
    seal_png: bytes | None = None,
) -> None:
    """Change the organisation's registered details (and seal, when a new one is given)."""
    if seal_png is not None:
        _check_seal(seal_png)
    clash = db.session.scalar(
        select(MediationOrganisation.id).where(
            MediationOrganisation.registration_number == details.registration_number,
            MediationOrganisation.id != org.id,
        )
    )
    if clash:
        raise AccountInvalid("duplicate", "registration_number")
    before = {k: getattr(org, k) for k in ("name", "registration_number", "address", "phone")}
    for key, value in details.__dict__.items():
        setattr(org, key, value)
    if seal_png is not None:
        org.seal_image = seal_png
        org.seal_mime = "image/png"
    audit.record(
        AuditAction.ORGANISATION_UPDATE,
        actor=actor,
        object_type="mediation_organisation",
        object_id=org.id,
        data={
            "before": before,
            "after": dict(details.__dict__),
            "seal_replaced": seal_png is not None,
        },
    )


MIN_GRACE_DAYS, MAX_GRACE_DAYS = 1, 90


def parse_grace_days(raw: str | int | None) -> int:
    """The organisation's grace period in whole days, 1 to 90; ``grace_days`` otherwise."""
    text_value = str(raw if raw is not None else "").strip()
    if (
        not (text_value.isascii() and text_value.isdecimal())
        or not MIN_GRACE_DAYS <= int(text_value) <= MAX_GRACE_DAYS
    ):
        raise AccountInvalid("grace_days", "grace_days")
    return int(text_value)


@use_case
def set_grace_days(actor: User, org: MediationOrganisation, raw: str | int | None) -> int:
    """Set how many days an instalment may be late before an agreement of this
    organisation is in breach, where the agreement states no default rule of its own."""
    days = parse_grace_days(raw)
    before = org.grace_days
    org.grace_days = days
    audit.record(
        AuditAction.ORGANISATION_UPDATE,
        actor=actor,
        object_type="mediation_organisation",
        object_id=org.id,
        data={"before": {"grace_days": before}, "after": {"grace_days": days}},
    )
    return days


@use_case
def create_creditor_org(
    actor: User,
    name: str,
    credit_code: str,
    licence_type: LicenceType,
    *,
    address: str = "",
    legal_representative: str = "",
) -> CreditorOrganisation:
    """Register a creditor; the unified social credit code must pass GB 32100 checks. The
    address and legal representative are printed in the agreement and the court package."""
    code = credit_code.strip().upper()
    if not uscc.is_valid(code):
        raise AccountInvalid("invalid_uscc", "credit_code")
    if db.session.scalar(
        select(CreditorOrganisation.id).where(CreditorOrganisation.credit_code == code)
    ):
        raise AccountInvalid("duplicate", "credit_code")
    org = CreditorOrganisation(
        name=name.strip(),
        credit_code=code,
        licence_type=licence_type,
        address=address.strip() or None,
        legal_representative=legal_representative.strip() or None,
    )
    db.session.add(org)
    db.session.flush()
    audit.record(
        AuditAction.CREDITOR_ORG_CREATE,
        actor=actor,
        object_type="creditor_organisation",
        object_id=org.id,
        data={"name": org.name, "credit_code": code, "licence_type": licence_type.value},
    )
    return org


@dataclass(frozen=True)
class NewAccount:
    role: Role
    name: str
    email: str | None
    phone: str | None
    password: str
    mediation_org_id: int | None = None
    creditor_org_id: int | None = None


def _sign_in_names(account: NewAccount) -> tuple[str | None, str | None]:
    """The account's email and mobile number as stored, checked in the order the form
    shows them: the organisation, the email or mobile number, the password; then whether
    someone already signs in with them."""
    if account.role == Role.CREDITOR and (
        account.creditor_org_id is None
        or db.session.get(CreditorOrganisation, account.creditor_org_id) is None
    ):
        raise AccountInvalid("unknown_organisation", "creditor_org_id")
    email = account.email.strip().lower() if account.email else None
    phone = normalise_phone(account.phone) if account.phone else None
    if not email and not phone:
        raise AccountInvalid("email_or_phone_required", "email")
    if phone and not is_mainland_mobile(phone):
        raise AccountInvalid("invalid_mobile", "phone")
    problem = password_problem(account.password)
    if problem is not None:
        raise AccountInvalid(problem, "password")
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountInvalid("duplicate", "email")
    if phone and db.session.scalar(select(User.id).where(User.phone == phone)):
        raise AccountInvalid("duplicate", "phone")
    return email, phone


@use_case
def create_user(actor: User | None, account: NewAccount) -> User:
    """Open an account; email or phone (or both) is how the person signs in."""
    email, phone = _sign_in_names(account)
    user = User(
        role=account.role,
        name=account.name.strip(),
        email=email,
        phone=phone,
        password_hash=hash_password(account.password),
        mediation_org_id=account.mediation_org_id,
        creditor_org_id=account.creditor_org_id,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        AuditAction.USER_CREATE,
        actor=actor,
        object_type="user",
        object_id=user.id,
        data={"role": account.role.value, "name": user.name},
    )
    return user


@use_case
def set_user_locked(actor: User, user: User, locked: bool) -> None:
    """Lock or unlock an account; locking also ends its open sessions."""
    if user.is_locked == locked:
        return
    user.is_locked = locked
    ended = revoke_all_sessions(user) if locked else 0
    audit.record(
        AuditAction.USER_LOCK if locked else AuditAction.USER_UNLOCK,
        actor=actor,
        object_type="user",
        object_id=user.id,
        data={"sessions_ended": ended},
    )
