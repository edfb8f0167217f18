"""The creditor's entity kind decides its representative's title and how it signs; a
natural person's identity is checked like the debtor's, and the agreement prints it with
the ID number masked while sex and date of birth are read from a resident ID."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules.agreement_context import _party, _signatures
from app.rules.agreement_terms import natural_person, organisation_party
from app.rules.errors import InvalidInput
from app.rules.identity import parse_resident_id
from app.rules.party_kinds import (
    EntityKind,
    Sex,
    derived_identity,
    person_identity,
    representative_title,
    sex_of,
    signs_in_person,
)
from app.rules.proposals import Side
from tests.unit.test_agreements import make_draft

TODAY = date(2026, 12, 1)
MAN = "310104196803150135"  # born 15 March 1968, sequence 013: odd, a man
WOMAN = "11010119900307002X"  # born 7 March 1990, sequence 002: even, a woman


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        # 民事诉讼法 Art. 51 para. 2: a legal person acts through its 法定代表人.
        (EntityKind.LEGAL_PERSON, "法定代表人"),
        # 民诉法解释 Arts. 50, 52: a bank's branch is a party; its 负责人 acts for it.
        (EntityKind.BRANCH, "负责人"),
        # A natural person has no representative: they act in person.
        (EntityKind.NATURAL_PERSON, ""),
    ],
)
def test_representative_title_follows_the_kind_cpl_art_51_spc_interpretation_art_52(
    kind: EntityKind, title: str
) -> None:
    assert representative_title(kind) == title
    assert representative_title(kind.value) == title


def test_only_a_natural_person_signs_in_person_people_s_mediation_law_art_29() -> None:
    assert signs_in_person(EntityKind.NATURAL_PERSON)
    assert not signs_in_person(EntityKind.BRANCH)
    assert not signs_in_person(EntityKind.LEGAL_PERSON)


@pytest.mark.parametrize(("number", "sex"), [(MAN, Sex.MALE), (WOMAN, Sex.FEMALE)])
def test_the_17th_character_of_a_resident_id_gives_the_sex_gb_11643(number: str, sex: Sex) -> None:
    """GB 11643-1999: the sequence code's last digit is odd for men, even for women."""
    assert sex_of(parse_resident_id(number, TODAY)) is sex


def test_a_resident_id_gives_sex_and_birth_date_spc_interpretation_art_354() -> None:
    """民诉法解释 Art. 354: a natural-person applicant is stated with sex and birth date."""
    identity = person_identity("resident_id", " 310104196803150135 ", today=TODAY)
    assert (identity.sex, identity.birth_date) == (Sex.MALE, date(1968, 3, 15))
    assert identity.id_number == MAN


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"id_number": "310104196803150136"}, "id_checksum", "id_number"),
        ({"id_number": "31010419680315013"}, "id_format", "id_number"),
        ({"id_number": ""}, "id_required", "id_number"),
        ({"id_type": "licence"}, "id_type", "id_type"),
        ({"sex": "female"}, "id_sex_mismatch", "sex"),
        ({"birth_date": date(1968, 3, 16)}, "id_birth_mismatch", "birth_date"),
        ({"id_type": "passport", "id_number": "E12345678"}, "sex_required", "sex"),
        (
            {"id_type": "passport", "id_number": "E12345678", "sex": "male"},
            "birth_date_required",
            "birth_date",
        ),
    ],
)
def test_a_bad_identity_is_refused_naming_the_field(
    kwargs: dict[str, object], code: str, field: str
) -> None:
    """The check digit is the debtor's rule (GB 11643-1999, ``parse_resident_id``); a typed
    sex or birth date may not contradict the number."""
    args: dict[str, object] = {"id_type": "resident_id", "id_number": MAN, **kwargs}
    with pytest.raises(InvalidInput) as refused:
        person_identity(args.pop("id_type"), args.pop("id_number"), today=TODAY, **args)  # type: ignore[arg-type]
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_passport_holder_states_sex_and_birth_date() -> None:
    identity = person_identity(
        "passport", "e12345678", today=TODAY, sex="female", birth_date=date(1980, 1, 2)
    )
    assert (identity.id_number, identity.sex, identity.birth_date) == (
        "E12345678",
        Sex.FEMALE,
        date(1980, 1, 2),
    )


def test_stored_data_wins_and_a_bad_stored_number_derives_nothing() -> None:
    assert derived_identity("resident_id", MAN, sex="female").sex is Sex.FEMALE
    broken = derived_identity("resident_id", "310104196803150136")
    assert (broken.sex, broken.birth_date) == (None, None)


def _rows(party: object) -> dict[str, str]:
    return {row["label"]: row["value"] for row in _party(party)["rows"]}  # type: ignore[arg-type]


def test_the_agreement_prints_a_debtor_s_sex_birth_date_and_masked_id_pipl_art_51() -> None:
    """Decision: the agreement every party keeps masks the number (PIPL Arts. 28, 51) and
    prints sex and birth date, read from the resident ID (GB 11643-1999)."""
    debtor = natural_person(
        Side.DEBTOR, name="刘强", id_type="resident_id", id_number=WOMAN, address="北京市"
    )
    rows = _rows(debtor)
    assert rows["性别"] == "女"
    assert rows["出生日期"] == "1990年3月7日"
    assert rows["证件类型及号码"] == "居民身份证 110101********002X"
    assert WOMAN not in str(rows)
    assert "民族" not in rows  # not known: not printed


def test_the_agreement_prints_a_natural_person_creditor_with_ethnicity_and_no_seal() -> None:
    creditor = natural_person(
        Side.CREDITOR,
        name="张建国",
        id_type="resident_id",
        id_number=MAN,
        address="上海市",
        phone="13900000005",
        ethnicity="汉族",
    )
    rows = _rows(creditor)
    assert (rows["性别"], rows["出生日期"], rows["民族"]) == ("男", "1968年3月15日", "汉族")
    assert "法定代表人" not in rows and "负责人" not in rows and "统一社会信用代码" not in rows
    assert creditor.signs_in_person


@pytest.mark.parametrize(
    ("kind", "present", "absent"),
    [
        (EntityKind.BRANCH, "负责人", "法定代表人"),
        (EntityKind.LEGAL_PERSON, "法定代表人", "负责人"),
    ],
)
def test_the_agreement_names_the_representative_by_kind_spc_interpretation_art_52(
    kind: EntityKind, present: str, absent: str
) -> None:
    party = organisation_party(
        Side.CREDITOR,
        name="华信银行股份有限公司北京分行",
        credit_code="91110000100000589A",
        address="北京市",
        entity_kind=kind,
        representative="周振华",
    )
    rows = _rows(party)
    assert rows[present] == "周振华"
    assert absent not in rows


def test_an_organisation_party_refuses_the_natural_person_kind() -> None:
    with pytest.raises(ValueError, match="natural_person"):
        organisation_party(
            Side.CREDITOR,
            name="x",
            credit_code="91110000100000589A",
            address="x",
            entity_kind=EntityKind.NATURAL_PERSON,
        )


def test_signature_caption_a_natural_person_creditor_signs_an_entity_signs_and_seals() -> None:
    person = natural_person(
        Side.CREDITOR, name="张建国", id_type="resident_id", id_number=MAN, address="上海市"
    )
    captions = {s["role"]: s["caption"] for s in _signatures(make_draft(creditor=person))}
    assert captions["creditor"] == "债权人（签名）"
    captions = {s["role"]: s["caption"] for s in _signatures(make_draft())}
    assert captions["creditor"] == "债权人（签章）"
