"""Identity numbers: the PRC resident identity card number, ages, and masking.

Resident ID numbers and bank account numbers are sensitive personal information
(PIPL Arts. 28, 29, 51): they are masked everywhere except in the court package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from app.rules.errors import InvalidInput

# 17 ASCII digits and an ASCII digit or X. Written with [0-9] rather than \d because \d
# also matches full-width and other Unicode digits, which python-stdnum would silently
# translate; we refuse them instead so that what is stored is what was typed.
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)
_MASK = "****"


@dataclass(frozen=True)
class ResidentId:
    """A checked resident identity card number (居民身份证号码, GB 11643-1999)."""

    number: str
    birth_date: date
    division_code: str


def parse_resident_id(raw: str, today: date) -> ResidentId:
    """Check an 18-character resident identity card number (GB 11643-1999).

    Layout: 6-digit administrative division code (GB/T 2260), 8-digit birth date,
    3-digit sequence code, and an ISO 7064 MOD 11-2 check character (0-9 or X).
    Surrounding whitespace is stripped and a lower-case ``x`` is accepted as ``X``;
    anything else (spaces inside, full-width digits, 15-digit first-generation numbers)
    is ``id_format``. Checks run in this order, the first failure wins:
    ``id_format``, ``id_birth_date`` (not a calendar date, or before 1900),
    ``id_future_birth`` (after ``today``), ``id_checksum``.

    The division code is not looked up: divisions are renamed and merged every year
    and a stale table would refuse real people, while the check character already
    catches typing mistakes.
    """
    number = raw.strip().upper()
    if not _RESIDENT_ID.fullmatch(number):
        raise InvalidInput("id_format")
    try:
        birth = ric.get_birth_date(number)
    except ValidationError as exc:
        raise InvalidInput("id_birth_date") from exc
    if birth < _EARLIEST_BIRTH:
        raise InvalidInput("id_birth_date")
    if birth > today:
        raise InvalidInput("id_future_birth")
    if ric.calc_check_digit(number) != number[-1]:
        raise InvalidInput("id_checksum")
    return ResidentId(number=number, birth_date=birth, division_code=number[:6])


def age_on(birth: date, day: date) -> int:
    """Age in completed years (周岁) on ``day``.

    A year is completed on the birthday itself; someone born on 29 February completes
    it on 1 March in common years. Raises ``ValueError`` if ``day`` is before ``birth``.
    """
    if day < birth:
        raise ValueError("day is before the birth date")
    had_birthday = (day.month, day.day) >= (birth.month, birth.day)
    return day.year - birth.year - (0 if had_birthday else 1)


FULL_CAPACITY_AGE = 18  # 民法典 Art. 17: an adult
SELF_SUPPORT_AGE = 16  # 民法典 Art. 18 para. 2


class Capacity(StrEnum):
    """Civil capacity by age (民法典 Arts. 17–19)."""

    FULL = "full"  # 18 or older (Art. 17)
    # 16 or 17: full capacity *if* they live mainly on their own labour income (Art. 18
    # para. 2); that is a fact to prove, not something the age tells.
    FULL_IF_SELF_SUPPORTING = "full_if_self_supporting"
    LIMITED = "limited"  # under 16 (Art. 19; under 8 none at all, Art. 20)


def capacity_on(birth: date, day: date) -> Capacity:
    """The capacity the age alone gives on ``day`` (民法典 Arts. 17, 18, 19). A birth
    date after ``day`` counts as under 16."""
    age = age_on(birth, day) if birth <= day else 0
    if age >= FULL_CAPACITY_AGE:
        return Capacity.FULL
    if age >= SELF_SUPPORT_AGE:
        return Capacity.FULL_IF_SELF_SUPPORTING
    return Capacity.LIMITED


def mask_id(number: str) -> str:
    """Mask an identity document number for display (PIPL Art. 51).

    An 18-character resident ID keeps its first 6 (division) and last 4 characters:
    ``110101********1234``. Any other document (passport, permit) keeps only its last 4
    behind a fixed ``****``, which also hides its length. Four characters or fewer are
    masked entirely; an empty number stays empty.
    """
    value = number.strip()
    if not value:
        return ""
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    return _last_four(value)


def mask_account(number: str) -> str:
    """Mask a bank account or card number for display: ``****1234`` (PIPL Art. 51).

    Spaces and dashes that people type between digit groups are ignored; four characters
    or fewer are masked entirely; an empty number stays empty.
    """
    value = re.sub(r"[\s-]", "", number)
    if not value:
        return ""
    return _last_four(value)


def _last_four(value: str) -> str:
    return _MASK + value[-4:] if len(value) > 4 else _MASK
