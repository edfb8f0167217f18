"""The administrator registers each kind of creditor (:mod:`app.rules.party_kinds`): a
natural-person lender with an identity checked like the debtor's (GB 11643-1999) and no
credit code, a branch with its 负责人 (民诉法解释 Art. 52). A bad ID number is refused with
its message and nothing typed is lost; nobody but an administrator may register one."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.pii import decrypt
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.organisations import CreditorOrganisation
from app.models.users import Role, User
from app.rules.party_kinds import EntityKind, Sex
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser

LENDER_ID = "310104196803150135"


@pytest.fixture
def admin(browser: Browser) -> User:
    user = make_user(Role.ADMIN)
    assert browser.login(user.email, PASSWORD).status_code == 302
    return user


def _person(**over: str) -> dict[str, str]:
    return {
        "cred-entity_kind": "natural_person",
        "cred-name": "张建国",
        "cred-licence_type": "private_lender",
        "cred-address": "上海市徐汇区漕溪北路 398 弄 5 号 1201 室",
        "cred-phone": "13900000005",
        "cred-id_type": "resident_id",
        "cred-id_number": LENDER_ID,
        "cred-sex": "",
        "cred-birth_date": "",
        "cred-ethnicity": "汉族",
        **over,
    }


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(CreditorOrganisation)) or 0


def test_a_natural_person_lender_is_registered_without_code_with_identity(
    browser: Browser, admin: User
) -> None:
    """民诉法解释 Art. 354: name, sex, birth date, ethnicity, ID; the sex and birth date
    read from the resident ID; the number stored encrypted, as the debtor's (PIPL Art. 51)."""
    response = browser.submit("/admin/creditors", _person(), page="/admin/")
    assert response.status_code == 302
    org = db.session.scalar(select(CreditorOrganisation))
    assert org is not None
    assert org.entity_kind is EntityKind.NATURAL_PERSON
    assert (org.credit_code, org.legal_representative) == (None, None)
    assert (org.person_sex, org.person_birth_date) == (Sex.MALE, date(1968, 3, 15))
    assert (org.person_ethnicity, org.phone) == ("汉族", "13900000005")
    assert org.id_number == LENDER_ID and org.id_masked == "310104********0135"
    stored = (
        db.session.connection()
        .exec_driver_sql("SELECT id_number FROM creditor_organisations")
        .scalar_one()
    )
    assert LENDER_ID not in stored and decrypt(stored) == LENDER_ID
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == "creditor_org:create"
    assert LENDER_ID not in str(event.data) and "310104********0135" in str(event.data)
    page = browser.get("/admin/").get_data(as_text=True)
    assert "310104********0135" in page and LENDER_ID not in page


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"cred-id_number": "310104196803150136"}, "GB 11643"),  # wrong check character
        ({"cred-id_number": "31010419680315013"}, "18 位"),  # 17 characters
        ({"cred-sex": "female"}, "性别不一致"),
        ({"cred-id_type": "passport", "cred-id_number": "E12345678"}, "未载明性别"),
        ({"cred-phone": ""}, "此项为必填项"),
    ],
)
def test_a_bad_identity_is_refused_with_its_message_and_nothing_typed_is_lost(
    browser: Browser, admin: User, over: dict[str, str], message: str
) -> None:
    response = browser.submit("/admin/creditors", _person(**over), page="/admin/")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    for kept in ("张建国", "上海市徐汇区漕溪北路 398 弄 5 号 1201 室", "汉族"):
        assert f'value="{kept}"' in html
    assert f'value="{over.get("cred-id_number", LENDER_ID)}"' in html
    assert re.search(
        r'<option (selected value="natural_person"|value="natural_person" selected)', html
    )
    assert _count() == 0


def test_a_branch_is_registered_with_its_person_in_charge(browser: Browser, admin: User) -> None:
    response = browser.submit(
        "/admin/creditors",
        {
            "cred-entity_kind": "branch",
            "cred-name": "华信银行股份有限公司北京分行",
            "cred-credit_code": "91110000100000589A",
            "cred-licence_type": "bank",
            "cred-address": "北京市西城区金融大街 17 号",
            "cred-legal_representative": "周振华",
        },
        page="/admin/",
    )
    assert response.status_code == 302
    org = db.session.scalar(select(CreditorOrganisation))
    assert org is not None and org.entity_kind is EntityKind.BRANCH
    assert org.legal_representative == "周振华"


def test_an_entity_needs_its_code_and_representative(browser: Browser, admin: User) -> None:
    data: dict[str, Any] = {
        "cred-entity_kind": "legal_person",
        "cred-name": "某银行",
        "cred-licence_type": "bank",
        "cred-address": "北京市",
    }
    response = browser.submit("/admin/creditors", data, page="/admin/")
    assert response.status_code == 400
    assert _count() == 0


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.CREDITOR, Role.DEBTOR])
def test_nobody_but_an_administrator_registers_a_creditor(browser: Browser, role: Role) -> None:
    user = make_user(role)
    assert browser.login(user.email or user.phone, PASSWORD).status_code == 302
    response = browser.submit("/admin/creditors", _person(), follow_refusal=False)
    assert response.status_code in (403, 404)
    assert _count() == (1 if role is Role.CREDITOR else 0)  # the creditor user's own org
