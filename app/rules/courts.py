"""Which courts may confirm a mediation agreement (CPL Art. 205).

《民事诉讼法》第二百零五条: when a court invited the mediation organisation to mediate
(先行调解), the parties apply to that court; otherwise to the basic-level court where a
party is domiciled, where the subject matter is, or where the organisation is located.
This module ships a directory of basic-level courts keyed by the 6-digit administrative
division code (GB/T 2260) and finds the courts for a case from the parties' resident ID
numbers and addresses. It never guesses: an address it cannot place, or can place in two
ways, is reported as unresolved so a person can decide.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from app.rules.citations import cite

SOURCE = cite("cpl.205")
SOURCE_DOMICILE = cite("cpl.22", "cpl_interp.3", "cpl_interp.4")
DEFAULT_CSV = Path(__file__).resolve().parent.parent / "data" / "courts.csv"
COLUMNS = ("division_code", "province", "city", "district", "court_name", "court_level")
# An optional last column names the intermediate court above a basic-level court (the court
# an application goes to when the dispute is within intermediate first-instance
# jurisdiction, CPL Art. 205(2)); a CSV without it still loads (no intermediate courts).
EXTENDED_COLUMNS = (*COLUMNS, "intermediate_court")
BASIC = "basic"
INTERMEDIATE = "intermediate"
LEVELS = frozenset({BASIC, INTERMEDIATE, "high", "specialised"})
# The order in which grounds, and the courts they produce, are listed.
GROUNDS = ("debtor_domicile", "creditor_domicile", "subject_matter", "organisation")
INVITING_COURT = "inviting_court"
# GB/T 2260 province-level codes that appear on mainland resident ID cards. 81/82/83 are the
# residence permits of Hong Kong, Macao and Taiwan residents and 9x the foreigners' permanent
# residence card: 18 characters too, but their first 6 digits name no place of domicile.
_PROVINCES = frozenset(
    str(code)
    for first, last in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65))
    for code in range(first, last + 1)
)
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_DIVISION = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class Court:
    division_code: str
    province: str
    city: str
    district: str
    name: str
    level: str
    # The intermediate court above a basic-level court ("" when not on file).
    intermediate: str = ""


@dataclass(frozen=True)
class Domicile:
    """A party's domicile evidence: ``who`` is "debtor" or "creditor"; the ID number (any
    type, only resident IDs yield a division) and/or an address."""

    who: str
    id_number: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class CompetentCourt:
    court: Court
    grounds: tuple[str, ...]


@dataclass(frozen=True)
class Unresolved:
    """An input that named no court in the directory. ``kind`` is "division" (value: the
    6-digit code, never the whole ID number), "address" or "court_name"."""

    ground: str
    kind: str
    value: str


@dataclass(frozen=True)
class CompetentCourts:
    courts: tuple[CompetentCourt, ...]
    unresolved: tuple[Unresolved, ...]

    def __iter__(self) -> Iterator[CompetentCourt]:
        return iter(self.courts)

    def __len__(self) -> int:
        return len(self.courts)


class CourtDirectory:
    """Courts keyed by division code and by name. Several rows may name the same court:
    a division merged into another (e.g. 宣武区 110104 into 西城区) keeps its code on
    older ID cards, so its row points at the court that now serves it. The row whose
    district appears in the court's name is that court's canonical row."""

    def __init__(self, courts: Iterable[Court]) -> None:
        self.courts: tuple[Court, ...] = tuple(courts)
        self._by_division: dict[str, Court] = {}
        self._by_name: dict[str, Court] = {}
        for court in self.courts:
            if court.level == BASIC:
                if court.division_code in self._by_division:
                    raise ValueError(f"two basic-level courts for {court.division_code}")
                self._by_division[court.division_code] = court
            known = self._by_name.get(court.name)
            if known is None or (court.district in court.name and known.district not in known.name):
                self._by_name[court.name] = court
        for court in self.courts:
            above = self._by_name.get(court.intermediate) if court.intermediate else None
            if court.intermediate and (above is None or above.level != INTERMEDIATE):
                raise ValueError(f"{court.name}: no intermediate court named {court.intermediate}")
        self._city_keys = _keys(self._by_division.values(), with_city=True)
        self._district_keys = _keys(self._by_division.values(), with_city=False)

    @classmethod
    def from_csv(cls, source: Path | str) -> CourtDirectory:
        """Load the columns of ``COLUMNS``. A ``Path``, or a ``str`` without a line break,
        is a file to read; a ``str`` with line breaks is the CSV text itself."""
        if isinstance(source, Path) or "\n" not in source:
            source = Path(source).read_text(encoding="utf-8-sig")
        rows = csv.DictReader(io.StringIO(source.lstrip("\ufeff")))
        if tuple(rows.fieldnames or ()) not in (COLUMNS, EXTENDED_COLUMNS):
            raise ValueError(
                f"court CSV columns must be {','.join(COLUMNS)} (optionally ,intermediate_court)"
            )
        return cls(_court_from_row(row, line) for line, row in enumerate(rows, start=2))

    @classmethod
    def default(cls) -> CourtDirectory:
        """The directory shipped with the product (app/data/courts.csv)."""
        return cls.from_csv(DEFAULT_CSV)

    def by_division(self, code: str) -> Court | None:
        """The basic-level court serving the division (as its canonical row)."""
        court = self._by_division.get(code)
        return None if court is None else self._by_name[court.name]

    def by_name(self, name: str) -> Court | None:
        return self._by_name.get(_normalise(name))

    def intermediate_of(self, court: Court) -> Court | None:
        """The intermediate court above a basic-level court, or None when not on file."""
        return self._by_name.get(court.intermediate) if court.intermediate else None

    def find_by_address(self, address: str) -> Court | None:
        """The basic-level court of the district named in ``address``, or None.

        City and district together ("北京市朝阳区", "北京朝阳区", also inside
        "广东省深圳市福田区") decide first, so the longer match wins; a bare district
        name counts only when no city matched and the address starts with it. Two
        different courts left over ("朝阳区…": 北京市 or 长春市; two districts in one
        address) is ambiguous: None, never a guess.
        """
        text = _normalise(address)
        names = {name for key, found in self._city_keys.items() if key in text for name in found}
        if not names:
            # Anything before a bare district ("南昌西湖区") may be a city we do not hold.
            names = {
                name
                for key, found in self._district_keys.items()
                if text.startswith(key)
                for name in found
            }
        return self._by_name[names.pop()] if len(names) == 1 else None


def division_of_resident_id(id_number: str) -> str | None:
    """The administrative division code (first 6 digits) of a mainland resident ID number
    (GB 11643-1999), or None for anything else (passport, permit, credit code, bad number).

    The code is the place of household registration when the card was first issued; it
    does not change when the registration moves."""
    number = id_number.strip().upper()
    if not _RESIDENT_ID.fullmatch(number) or number[:2] not in _PROVINCES:
        return None
    if ric.calc_check_digit(number) != number[-1]:
        return None
    try:
        ric.get_birth_date(number)
    except ValidationError:
        return None
    # Like app.rules.identity, the division is not checked against python-stdnum's place
    # table: it refuses real codes of merged divisions (e.g. 330103 下城区 for a 1980 birth).
    return number[:6]


def competent_courts(
    *,
    party_domiciles: Sequence[Domicile],
    subject_matter_address: str | None,
    organisation_address: str | None,
    inviting_court: str | None,
    directory: CourtDirectory,
) -> CompetentCourts:
    """The courts a judicial-confirmation application may go to (CPL Art. 205).

    If a court invited the mediation, only that court (of any level). Otherwise the
    basic-level courts of each party's domicile, of the subject matter and of the
    organisation, deduplicated with their grounds merged, in the order of ``GROUNDS``.

    A party's domicile is their household registration (民诉法解释 Art. 3), or their
    habitual residence of a year or more where the two differ (CPL Art. 22; 民诉法解释
    Art. 4). Neither can be verified here, so both the ID's division and the address
    given are listed; the mediator confirms and the court checks. An entity has no
    resident ID: its domicile is its main office, i.e. the address given.
    """
    if inviting_court:
        court = directory.by_name(inviting_court)
        if court is None:
            return CompetentCourts((), (Unresolved(INVITING_COURT, "court_name", inviting_court),))
        return CompetentCourts((CompetentCourt(court, (INVITING_COURT,)),), ())
    found: dict[str, tuple[Court, set[str]]] = {}
    unresolved: list[Unresolved] = []
    for ground, kind, value in _inputs(
        party_domiciles, subject_matter_address, organisation_address
    ):
        court = (
            directory.by_division(value) if kind == "division" else directory.find_by_address(value)
        )
        if court is None:
            unresolved.append(Unresolved(ground, kind, value))
        else:
            found.setdefault(court.name, (court, set()))[1].add(ground)
    ordered = sorted(found.values(), key=lambda item: min(GROUNDS.index(g) for g in item[1]))
    courts = tuple(CompetentCourt(c, tuple(g for g in GROUNDS if g in gs)) for c, gs in ordered)
    return CompetentCourts(courts, tuple(dict.fromkeys(unresolved)))


def is_competent(court_name: str, competent: Iterable[CompetentCourt]) -> bool:
    """True only for a court on the competent list (CPL Art. 205): the mediator's choice is
    refused otherwise, however close the name."""
    name = _normalise(court_name)
    return any(item.court.name == name for item in competent)


def _inputs(
    parties: Sequence[Domicile], subject_matter: str | None, organisation: str | None
) -> list[tuple[str, str, str]]:
    """(ground, kind, value) for every input that can name a court, in ``GROUNDS`` order."""
    unknown = {party.who for party in parties} - {"debtor", "creditor"}
    if unknown:
        raise ValueError(f"unknown party role(s): {sorted(unknown)}")
    items: list[tuple[str, str, str]] = []
    for who in ("debtor", "creditor"):
        for party in (p for p in parties if p.who == who):
            division = division_of_resident_id(party.id_number) if party.id_number else None
            if division:
                items.append((f"{who}_domicile", "division", division))
            if party.address and party.address.strip():
                items.append((f"{who}_domicile", "address", party.address.strip()))
    for ground, address in (("subject_matter", subject_matter), ("organisation", organisation)):
        if address and address.strip():
            items.append((ground, "address", address.strip()))
    return items


def _court_from_row(row: dict[str, str | None], line: int) -> Court:
    values = {key: _normalise(row.get(key) or "") for key in EXTENDED_COLUMNS}
    if not _DIVISION.fullmatch(values["division_code"]):
        raise ValueError(f"line {line}: division_code must be 6 digits")
    if values["court_level"] not in LEVELS:
        raise ValueError(f"line {line}: court_level must be one of {sorted(LEVELS)}")
    if not all(values[key] for key in COLUMNS):
        raise ValueError(f"line {line}: every column needs a value")
    return Court(
        values["division_code"],
        values["province"],
        values["city"],
        values["district"],
        values["court_name"],
        values["court_level"],
        values["intermediate_court"],
    )


def _keys(courts: Iterable[Court], *, with_city: bool) -> dict[str, set[str]]:
    """Address fragments → names of the courts they point to."""
    keys: dict[str, set[str]] = {}
    for court in courts:
        cities = {court.city, court.city.removesuffix("市")} if with_city else {""}
        for city in cities:
            keys.setdefault(city + court.district, set()).add(court.name)
    return keys


def _normalise(text: str) -> str:
    # NFKC folds full-width letters and digits; whitespace (incl. U+3000) is never meaningful.
    return "".join(unicodedata.normalize("NFKC", text).split())
