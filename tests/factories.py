"""Test factories: real rows through the real models, any field overridable by keyword."""

from __future__ import annotations

import itertools
from typing import Any

from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User
from app.services.auth import hash_password

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_HASH: dict[str, str] = {}


def _password_hash(password: str) -> str:
    # argon2 is deliberately slow; hash each distinct test password once.
    if password not in _HASH:
        _HASH[password] = hash_password(password)
    return _HASH[password]


def make_mediation_org(**kw: Any) -> MediationOrganisation:
    n = next(_seq)
    org = MediationOrganisation(
        **{
            "name": f"测试调解委员会{n}",
            "registration_number": f"REG-{n:05d}",
            "address": "北京市东城区测试路 1 号",
            "phone": "010-12345678",
            **kw,
        }
    )
    db.session.add(org)
    db.session.commit()
    return org


def make_creditor_org(**kw: Any) -> CreditorOrganisation:
    n = next(_seq)
    org = CreditorOrganisation(
        **{
            "name": f"测试银行{n}",
            "credit_code": f"TEST{n:014d}",
            "licence_type": LicenceType.BANK,
            **kw,
        }
    )
    db.session.add(org)
    db.session.commit()
    return org


def make_user(role: Role = Role.DEBTOR, password: str = PASSWORD, **kw: Any) -> User:
    n = next(_seq)
    if role == Role.CREDITOR and "creditor_org" not in kw and "creditor_org_id" not in kw:
        kw["creditor_org"] = make_creditor_org()
    if role in (Role.MEDIATOR, Role.ADMIN) and not (
        {"mediation_org", "mediation_org_id"} & kw.keys()
    ):
        kw["mediation_org"] = make_mediation_org()
    user = User(
        **{
            "role": role,
            "name": f"用户{n}",
            "email": f"user{n}@example.com",
            "phone": f"139{n:08d}",
            "password_hash": _password_hash(password),
            **kw,
        }
    )
    db.session.add(user)
    db.session.commit()
    return user
