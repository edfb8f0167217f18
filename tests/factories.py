"""Test factories: real rows through the real models, any field overridable by keyword."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from app.accounts.auth import hash_password
from app.extensions import db
from app.models.cases import Case, CaseParty
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User
from app.rules.cases import CaseState

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


def credit_code(n: int) -> str:
    """A well-formed unified social credit code (GB 32100-2015 check character)."""
    from stdnum.cn import uscc

    body = f"91110105{n:09d}"
    return body + uscc.calc_check_digit(body)


def make_creditor_org(**kw: Any) -> CreditorOrganisation:
    n = next(_seq)
    org = CreditorOrganisation(
        **{
            "name": f"测试银行{n}",
            "credit_code": credit_code(n),
            "licence_type": LicenceType.BANK,
            "address": "北京市西城区金融大街 1 号",
            "legal_representative": "赵法人",
            **kw,
        }
    )
    db.session.add(org)
    db.session.commit()
    return org


def make_natural_person_creditor(**kw: Any) -> CreditorOrganisation:
    """A private lender who is a natural person (app.rules.party_kinds): no credit code, no
    representative; a resident ID (a man born 15 March 1968) stored as the debtor's is."""
    from app.rules.identity import mask_id
    from app.rules.party_kinds import EntityKind, Sex

    number = kw.pop("id_number", "310104196803150135")
    return make_creditor_org(
        **{
            "name": "张建国",
            "entity_kind": EntityKind.NATURAL_PERSON,
            "credit_code": None,
            "licence_type": LicenceType.PRIVATE_LENDER,
            "address": "上海市徐汇区漕溪北路 398 弄 5 号 1201 室",
            "legal_representative": None,
            "phone": "13900000005",
            "id_type": "resident_id",
            "id_number": number,
            "id_masked": mask_id(number),
            "person_sex": Sex.MALE,
            "person_birth_date": date(1968, 3, 15),
            "person_ethnicity": "汉族",
            **kw,
        }
    )


def make_user(role: Role = Role.DEBTOR, password: str = PASSWORD, **kw: Any) -> User:
    n = next(_seq)
    if role == Role.CREDITOR and "creditor_org" not in kw and "creditor_org_id" not in kw:
        kw["creditor_org"] = make_creditor_org()
    if role in (Role.MEDIATOR, Role.ADMIN) and not (
        {"mediation_org", "mediation_org_id"} & kw.keys()
    ):
        kw["mediation_org"] = make_mediation_org()
    if role == Role.MEDIATOR:
        # Appointed by the committee (人民调解法 Arts. 13-14) unless a test says otherwise.
        kw.setdefault("appointment_number", f"调聘字第{n:04d}号")
        kw.setdefault("appointed_on", date(2024, 3, 1))
        kw.setdefault("appointed_by", "人民调解委员会")
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


def make_case(
    creditor: User | None = None,
    mediator: User | None = None,
    state: CaseState = CaseState.SUBMITTED,
    **kw: Any,
) -> Case:
    """A complete, lawful claim (a bank loan at 12%), submitted by default."""
    creditor = creditor or make_user(Role.CREDITOR)
    org_id = kw.pop("mediation_org_id", None) or (
        mediator.mediation_org_id if mediator else make_mediation_org().id
    )
    values: dict[str, Any] = {
        "state": state,
        "creditor_org_id": creditor.creditor_org_id,
        "created_by_id": creditor.id,
        "mediation_org_id": org_id,
        "mediator_id": mediator.id if mediator else None,
        "lender_kind": LicenceType.BANK,
        "debtor_name": "刘强",
        "debtor_id_type": "resident_id",
        "debtor_id_number": "11010519491231002X",
        "debtor_id_masked": "110105********002X",
        "debtor_phone": "13800138001",
        "debtor_email": "debtor@example.com",
        "debtor_address": "北京市朝阳区某街 1 号",
        "contract_number": "HT-2024-001",
        "contract_date": date(2024, 3, 1),
        "principal_lent": Decimal("50000.00"),
        "annual_rate": Decimal("12.0000"),
        "term_months": 24,
        "outstanding_principal": Decimal("30000.00"),
        "interest": Decimal("1500.00"),
        "penalty": Decimal("300.00"),
        "fees": Decimal("0.00"),
        "claim_total": Decimal("31800.00"),
        "overdue_since": date(2025, 6, 1),
        **kw,
    }
    if state != CaseState.DRAFT and "submitted_at" not in values:
        values["submitted_at"] = datetime.now(UTC)
    case = Case(**values)
    db.session.add(case)
    db.session.commit()
    return case


def make_case_party(
    case: Case,
    role: str,
    guarantee_kind: str | None,
    name: str,
    id_number: str,
    added_by: User,
    user: User | None = None,
    **kw: Any,
) -> CaseParty:
    """A guarantor or co-borrower on ``case`` (how they are added, invited and join:
    tests/integration/agreements/test_guarantors.py); joined when ``user`` is given."""
    from app.core import clock

    party = CaseParty(
        case_id=case.id,
        role=role,
        guarantee_kind=guarantee_kind,
        name=name,
        id_type="resident_id",
        id_number=id_number,
        id_masked=id_number[:6] + "********" + id_number[-4:],
        phone="13900000000",
        address="北京市西城区某街1号",
        added_by_id=added_by.id,
        user_id=user.id if user else None,
        invited_at=clock.now() if user else None,
        joined_at=clock.now() if user else None,
        **kw,
    )
    db.session.add(party)
    db.session.commit()
    db.session.expire(case, ["extra_parties"])
    return party
