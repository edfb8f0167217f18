"""Registering and maintaining organisations and their people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from stdnum.cn import uscc

from app import audit
from app.accounts.auth import hash_password, revoke_all_sessions
from app.accounts.errors import AccountInvalid
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import conflict_on, use_case
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User
from app.rules.contacts import is_mainland_mobile, normalise_phone
from app.rules.errors import InvalidInput
from app.rules.identity import mask_id
from app.rules.party_kinds import EntityKind, person_identity
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


@dataclass(frozen=True)
class PersonDetails:
    """A natural-person creditor's identity as the administrator typed it (民诉法解释 Art.
    354): the sex and birth date may be left empty for a resident ID, which encodes both."""

    id_type: str
    id_number: str
    sex: str = ""
    birth_date: date | None = None
    ethnicity: str = ""


@use_case
def create_creditor_org(
    actor: User | None,
    name: str,
    credit_code: str,
    licence_type: LicenceType,
    *,
    address: str = "",
    legal_representative: str = "",
    entity_kind: EntityKind = EntityKind.LEGAL_PERSON,
    phone: str = "",
    person: PersonDetails | None = None,
) -> CreditorOrganisation:
    """Register a creditor of ``entity_kind`` (:mod:`app.rules.party_kinds`). A legal
    person or a branch has a unified social credit code that passes the GB 32100 checks
    and a representative (法定代表人 or 负责人); a natural person has no code and no
    representative but an identity document checked like the debtor's (GB 11643-1999),
    stored encrypted with its masked form (PIPL Arts. 28, 51). The address and the
    representative or identity are printed in the agreement and the court package."""
    kind = EntityKind(entity_kind)
    org = CreditorOrganisation(
        name=name.strip(),
        entity_kind=kind,
        licence_type=licence_type,
        address=address.strip() or None,
        phone=phone.strip() or None,
    )
    if kind is EntityKind.NATURAL_PERSON:
        set_person_identity(org, person)
    else:
        org.credit_code = _new_credit_code(credit_code)
        if not legal_representative.strip():
            raise AccountInvalid("required", "legal_representative")
        org.legal_representative = legal_representative.strip()
    db.session.add(org)
    db.session.flush()
    audit.record(
        AuditAction.CREDITOR_ORG_CREATE,
        actor=actor,
        object_type="creditor_organisation",
        object_id=org.id,
        # Never the ID number itself: the audit log is read by staff (PIPL Art. 51).
        data={
            "name": org.name,
            "entity_kind": kind.value,
            "credit_code": org.credit_code,
            "id_masked": org.id_masked,
            "licence_type": licence_type.value,
        },
    )
    return org


def _new_credit_code(credit_code: str) -> str:
    code = credit_code.strip().upper()
    if not code:
        raise AccountInvalid("required", "credit_code")
    if not uscc.is_valid(code):
        raise AccountInvalid("invalid_uscc", "credit_code")
    if db.session.scalar(
        select(CreditorOrganisation.id).where(CreditorOrganisation.credit_code == code)
    ):
        raise AccountInvalid("duplicate", "credit_code")
    return code


def set_person_identity(org: CreditorOrganisation, person: PersonDetails | None) -> None:
    """A natural person's checked identity onto ``org`` (``InvalidInput`` names the field:
    the resident ID's own codes, or a sex or birth date that disagrees with it)."""
    if person is None:
        raise AccountInvalid("required", "id_number")
    try:
        identity = person_identity(
            person.id_type,
            person.id_number,
            today=clock.today(),
            sex=person.sex or None,
            birth_date=person.birth_date,
            ethnicity=person.ethnicity,
        )
    except InvalidInput as err:
        raise AccountInvalid(err.code, err.field) from err
    if not (org.phone or "").strip():
        raise AccountInvalid("required", "phone")
    org.credit_code = None
    org.legal_representative = None
    org.id_type = identity.id_type
    org.id_number = identity.id_number
    org.id_masked = mask_id(identity.id_number)
    org.person_sex = identity.sex
    org.person_birth_date = identity.birth_date
    org.person_ethnicity = identity.ethnicity or None


@dataclass(frozen=True)
class NewAccount:
    role: Role
    name: str
    email: str | None
    phone: str | None
    password: str
    mediation_org_id: int | None = None
    creditor_org_id: int | None = None
    # a creditor user who keeps the creditor organisation's profile (papers, seal)
    is_creditor_admin: bool = False


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
        is_creditor_admin=account.is_creditor_admin and account.role == Role.CREDITOR,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        AuditAction.USER_CREATE,
        actor=actor,
        object_type="user",
        object_id=user.id,
        data={
            "role": account.role.value,
            "name": user.name,
            "creditor_admin": user.is_creditor_admin,
        },
    )
    return user


@use_case
def set_creditor_admin(actor: User, user: User, on: bool) -> None:
    """Let a creditor organisation's user keep its profile (papers, seal), or stop that."""
    if user.role != Role.CREDITOR:
        raise AccountInvalid("not_a_creditor_user", "user")
    if user.is_creditor_admin == on:
        return
    user.is_creditor_admin = on
    audit.record(
        AuditAction.USER_CREDITOR_ADMIN,
        actor=actor,
        object_type="user",
        object_id=user.id,
        data={"creditor_admin": on},
    )


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
