"""A database seeded by an older demo, where the private lender was an organisation with a
made-up credit code and the bank's branch a legal person, is brought up to date: the
lender becomes a natural person (民诉法解释 Art. 354), the branch gets its 负责人 (民诉法解释
Art. 52); nothing is duplicated."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.demo.seed import CREDITORS, _creditor
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType
from app.rules.party_kinds import EntityKind, Sex
from tests.factories import make_creditor_org


def test_an_older_demo_s_creditors_are_converted_in_place(app: Flask) -> None:
    bank = make_creditor_org(
        name="华信银行股份有限公司北京分行", credit_code="91110000100000589A", address="北京"
    )
    lender = make_creditor_org(
        name="张建国（个人出借人）",
        credit_code="91310000MA1FL0000N",
        licence_type=LicenceType.PRIVATE_LENDER,
        address="上海",
    )
    results = [_creditor(spec) for spec in CREDITORS]
    assert [(org.id, changed) for org, changed in results] == [(bank.id, True), (lender.id, True)]
    assert bank.entity_kind is EntityKind.BRANCH and bank.legal_representative == "周振华"
    assert lender.entity_kind is EntityKind.NATURAL_PERSON
    assert (lender.name, lender.credit_code, lender.legal_representative) == ("张建国", None, None)
    assert lender.person_sex is Sex.MALE and lender.id_masked == "310104********0135"
    # A second run changes nothing and finds the converted lender by name and kind.
    assert [changed for _, changed in (_creditor(spec) for spec in CREDITORS)] == [False, False]
    assert db.session.scalar(select(func.count()).select_from(CreditorOrganisation)) == 2
