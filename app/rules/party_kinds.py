"""What kind of entity a party is, who represents it, and how a natural person is
identified on paper.

A creditor is a legal person (法人: a bank, a consumer-finance company, an asset manager),
a branch (分支机构: a bank's branch, which may itself be a party, 民诉法解释 Art. 52), or a
natural person (自然人: a private lender). The kind decides the representative's title
(法定代表人 for a legal person, 民事诉讼法 Art. 51 para. 2; 负责人 for a branch, 民诉法解释
Art. 50 para. 2 with Art. 52; none for a natural person, who acts in person) and how the
party signs (a natural person signs in their own name, 人民调解法 Art. 29; no seal, no
经办人). The licence type (``LicenceType``) is a separate question: which interest rules
apply (:mod:`app.rules.claims`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.rules.errors import InvalidInput
from app.rules.identity import ResidentId, parse_resident_id


class EntityKind(StrEnum):
    LEGAL_PERSON = "legal_person"
    BRANCH = "branch"
    NATURAL_PERSON = "natural_person"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


SEX_ZH = {Sex.MALE: "男", Sex.FEMALE: "女"}
ID_TYPES = ("resident_id", "passport", "other")

# The representative's title by kind (民事诉讼法 Art. 51; 民诉法解释 Arts. 50, 52).
_REPRESENTATIVE_ZH = {EntityKind.LEGAL_PERSON: "法定代表人", EntityKind.BRANCH: "负责人"}


def representative_title(kind: EntityKind | str) -> str:
    """The Chinese title of whoever represents an entity of ``kind``: 法定代表人 for a legal
    person (民事诉讼法 Art. 51 para. 2), 负责人 for a branch (民诉法解释 Arts. 50, 52),
    ``""`` for a natural person, who has no representative and acts in person."""
    return _REPRESENTATIVE_ZH.get(EntityKind(kind), "")


def signs_in_person(kind: EntityKind | str) -> bool:
    """A natural person signs the agreement and the application themself (人民调解法 Art.
    29; 民诉法解释 Art. 354): no agent, no power of attorney, no seal. An entity acts
    through a representative or an authorised agent (民事诉讼法 Arts. 51, 62)."""
    return EntityKind(kind) is EntityKind.NATURAL_PERSON


def sex_of(resident_id: ResidentId) -> Sex:
    """The sex a resident ID number encodes: the 17th character (the last of the 3-digit
    sequence code) is odd for a man and even for a woman (GB 11643-1999 §4.3)."""
    return Sex.MALE if int(resident_id.number[16]) % 2 else Sex.FEMALE


@dataclass(frozen=True)
class PersonIdentity:
    """A natural person's identity as the papers print it (民诉法解释 Art. 354: name, sex,
    date of birth, ethnicity, address and contact details of a natural-person applicant).
    ``id_number`` is the full number; who may see it is the caller's decision (the court
    package prints it, the agreement prints :func:`app.rules.identity.mask_id` of it)."""

    sex: Sex | None
    birth_date: date | None
    ethnicity: str
    id_type: str
    id_number: str


def person_identity(
    id_type: str,
    id_number: str,
    *,
    today: date,
    sex: Sex | str | None = None,
    birth_date: date | None = None,
    ethnicity: str = "",
) -> PersonIdentity:
    """A natural person's checked identity. A resident ID must pass the GB 11643-1999
    checks (:func:`app.rules.identity.parse_resident_id`: ``id_format``,
    ``id_birth_date``, ``id_future_birth``, ``id_checksum``) and then gives the sex and
    the birth date; a sex or birth date also typed must agree with it
    (``id_sex_mismatch``, ``id_birth_mismatch``). Another document (a passport) states
    neither, so both must be given (``sex_required``, ``birth_date_required``). Refusal
    codes carry the field at fault."""
    if id_type not in ID_TYPES:
        raise InvalidInput("id_type", "id_type")
    number = id_number.strip().upper()
    if not number:
        raise InvalidInput("id_required", "id_number")
    given_sex = Sex(sex) if sex else None
    if id_type == "resident_id":
        try:
            parsed = parse_resident_id(number, today)
        except InvalidInput as exc:
            raise InvalidInput(exc.code, "id_number") from exc
        if given_sex is not None and given_sex is not sex_of(parsed):
            raise InvalidInput("id_sex_mismatch", "sex")
        if birth_date is not None and birth_date != parsed.birth_date:
            raise InvalidInput("id_birth_mismatch", "birth_date")
        return PersonIdentity(
            sex_of(parsed), parsed.birth_date, ethnicity.strip(), id_type, parsed.number
        )
    if given_sex is None:
        raise InvalidInput("sex_required", "sex")
    if birth_date is None:
        raise InvalidInput("birth_date_required", "birth_date")
    if birth_date > today:
        raise InvalidInput("id_future_birth", "birth_date")
    return PersonIdentity(given_sex, birth_date, ethnicity.strip(), id_type, number)


def derived_identity(
    id_type: str,
    id_number: str,
    *,
    sex: Sex | str | None = None,
    birth_date: date | None = None,
    ethnicity: str = "",
) -> PersonIdentity:
    """What can be printed about a person whose data is already stored: the stored sex and
    birth date, else those a valid resident ID encodes, else None. Never refuses (a stored
    record is printed as it is; the checks ran when it was typed)."""
    number = (id_number or "").strip().upper()
    found_sex, found_birth = (Sex(sex) if sex else None), birth_date
    if id_type == "resident_id" and (found_sex is None or found_birth is None):
        try:
            parsed = parse_resident_id(number, date.max)  # a stored record: no "future" test
        except InvalidInput:
            parsed = None
        if parsed is not None:
            found_sex = found_sex or sex_of(parsed)
            found_birth = found_birth or parsed.birth_date
    return PersonIdentity(found_sex, found_birth, (ethnicity or "").strip(), id_type, number)


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
