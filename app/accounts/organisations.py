"""Registering and maintaining organisations and their people."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from stdnum.cn import uscc

from app import audit
from app.accounts.auth import MIN_PASSWORD_LENGTH, hash_password, revoke_all_sessions
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User
from app.rules.contacts import is_mainland_mobile, normalise_phone

SEAL_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_SEAL_BYTES = 2 * 1024 * 1024


class ValidationFailed(Exception):
    """Input refused; ``errors`` maps a field name to a message code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class MediationOrgDetails:
    name: str
    registration_number: str
    address: str
    phone: str


def update_mediation_org(
    actor: User,
    org: MediationOrganisation,
    details: MediationOrgDetails,
    seal_png: bytes | None = None,
) -> None:
    """Change the organisation's registered details (and seal, when a new one is given)."""
    if seal_png is not None:
        if not seal_png.startswith(next(iter(SEAL_TYPES))):
            raise ValidationFailed({"seal": "seal_not_png"})
        if len(seal_png) > MAX_SEAL_BYTES:
            raise ValidationFailed({"seal": "seal_too_large"})
    clash = db.session.scalar(
        select(MediationOrganisation.id).where(
            MediationOrganisation.registration_number == details.registration_number,
            MediationOrganisation.id != org.id,
        )
    )
    if clash:
        raise ValidationFailed({"registration_number": "duplicate"})
    before = {k: getattr(org, k) for k in ("name", "registration_number", "address", "phone")}
    for key, value in details.__dict__.items():
        setattr(org, key, value)
    if seal_png is not None:
        org.seal_image = seal_png
        org.seal_mime = "image/png"
    audit.record(
        "organisation:update",
        actor=actor,
        object_type="mediation_organisation",
        object_id=org.id,
        data={
            "before": before,
            "after": dict(details.__dict__),
            "seal_replaced": seal_png is not None,
        },
    )
    db.session.commit()


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
        raise ValidationFailed({"credit_code": "invalid_uscc"})
    if db.session.scalar(
        select(CreditorOrganisation.id).where(CreditorOrganisation.credit_code == code)
    ):
        raise ValidationFailed({"credit_code": "duplicate"})
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
        "creditor_org:create",
        actor=actor,
        object_type="creditor_organisation",
        object_id=org.id,
        data={"name": org.name, "credit_code": code, "licence_type": licence_type.value},
    )
    db.session.commit()
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


def create_user(actor: User | None, account: NewAccount, *, commit: bool = True) -> User:
    """Open an account; email or phone (or both) is how the person signs in."""
    errors: dict[str, str] = {}
    email = account.email.strip().lower() if account.email else None
    phone = normalise_phone(account.phone) if account.phone else None
    if not email and not phone:
        errors["email"] = "email_or_phone_required"
    if phone and not is_mainland_mobile(phone):
        errors["phone"] = "invalid_mobile"
    if len(account.password) < MIN_PASSWORD_LENGTH:
        errors["password"] = "password_too_short"  # noqa: S105 (a message code)
    taken = (
        db.session.scalars(select(User).where(or_(User.email == email, User.phone == phone))).all()
        if (email or phone)
        else []
    )
    for other in taken:
        if email and other.email == email:
            errors["email"] = "duplicate"
        if phone and other.phone == phone:
            errors["phone"] = "duplicate"
    if errors:
        raise ValidationFailed(errors)
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
        "user:create",
        actor=actor,
        object_type="user",
        object_id=user.id,
        data={"role": account.role.value, "name": user.name},
    )
    if commit:
        db.session.commit()
    return user


def set_user_locked(actor: User, user: User, locked: bool) -> None:
    """Lock or unlock an account; locking also ends its open sessions."""

    if user.is_locked == locked:
        return
    user.is_locked = locked
    ended = revoke_all_sessions(user) if locked else 0
    audit.record(
        "user:lock" if locked else "user:unlock",
        actor=actor,
        object_type="user",
        object_id=user.id,
        data={"sessions_ended": ended},
    )
    db.session.commit()
