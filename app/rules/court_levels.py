"""Which level of court confirms the agreement: basic or intermediate (级别管辖).

CPL Art. 205(2) (2023 amendment): where the dispute settled by the agreement falls within
an intermediate court's first-instance jurisdiction, the application goes to the
corresponding intermediate court instead of the basic-level court. That jurisdiction is
set by amount in the SPC's notice 《关于调整中级人民法院管辖第一审民事案件标准的通知》
(法发〔2021〕27号, in force since 2021-10-01):

- item 1: when the parties' domiciles are all in, or all outside, the province of the
  court, the intermediate court takes civil cases of 5亿元 (500,000,000 yuan) or more;
- item 2: when one party's domicile is outside that province, 1亿元 or more;
- item 5: the figures do not apply to IP, maritime and foreign-related cases (none of
  which this product handles).

The notice set one figure nationwide and repealed the earlier per-province tables (item
6), but a province's high court may be authorised to set its own again, so the figures
are data per province (``app/data/court_level_thresholds.csv``, editable by the
administrator). The amount judged is the agreement's settled total (the claimed total
while there is no agreement). Where a party's province is unknown and the amount lies
between the two figures the level cannot be decided: both levels are offered and the
mediator chooses, never a guess.

Not modelled (uncertain, left to the mediator): the financial courts (北京金融法院, 上海
金融法院, 成渝金融法院) take first-instance financial-loan cases that would otherwise go to
an intermediate court of their area (e.g. 法释〔2018〕14号 for Shanghai); whether they also
take judicial-confirmation applications at that level has not been verified here. The
intermediate court above each Beijing and Shanghai district follows the courts' published
districts as found in 2026 and should be re-checked when they change.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path

from app.rules.citations import cite
from app.rules.courts import (
    BASIC,
    INVITING_COURT,
    CompetentCourt,
    CompetentCourts,
    Court,
    CourtDirectory,
    Unresolved,
)

SOURCE_NOTICE = cite("level_notice_2021.1", "level_notice_2021.2")
SOURCE_LEVEL = cite("cpl.205.2", "level_notice_2021.1", "level_notice_2021.2")
DEFAULT_CSV = Path(__file__).resolve().parent.parent / "data" / "court_level_thresholds.csv"
COLUMNS = (
    "province",
    "same_province_min_yuan",
    "cross_province_min_yuan",
    "effective_from",
    "source",
)
PARTY_GROUNDS = {"debtor": "debtor_domicile", "creditor": "creditor_domicile"}


class Level(StrEnum):
    BASIC = "basic"
    INTERMEDIATE = "intermediate"
    EITHER = "either"  # cannot be decided from what is known: both are offered


@dataclass(frozen=True)
class LevelThreshold:
    """One province's figures: the intermediate court takes first-instance cases of
    ``same_province_min`` or more when the parties are all in (or all outside) the
    province, ``cross_province_min`` or more when one party is outside it."""

    province: str
    same_province_min: Decimal
    cross_province_min: Decimal
    effective_from: date
    source: str


def thresholds_from_csv(source: Path | str = DEFAULT_CSV) -> dict[str, LevelThreshold]:
    """Read the columns of ``COLUMNS`` (a path, or the CSV text itself), keyed by province.
    Raises ``ValueError`` naming the line of a bad row."""
    if isinstance(source, Path) or "\n" not in source:
        source = Path(source).read_text(encoding="utf-8-sig")
    rows = csv.DictReader(io.StringIO(source.lstrip("\ufeff")))
    if tuple(rows.fieldnames or ()) != COLUMNS:
        raise ValueError(f"threshold CSV columns must be {','.join(COLUMNS)}")
    found: dict[str, LevelThreshold] = {}
    for line, row in enumerate(rows, start=2):
        item = threshold_from_values(
            row["province"],
            row["same_province_min_yuan"],
            row["cross_province_min_yuan"],
            row["effective_from"],
            row["source"],
            line=line,
        )
        if item.province in found:
            raise ValueError(f"line {line}: {item.province} appears twice")
        found[item.province] = item
    return found


def threshold_from_values(
    province: str,
    same_min: str,
    cross_min: str,
    effective_from: str,
    source: str,
    *,
    line: int = 0,
) -> LevelThreshold:
    """One row as typed (amounts in yuan, whole or with fen), or ``ValueError``."""
    where = f"line {line}: " if line else ""
    province, source = (province or "").strip(), (source or "").strip()
    if not province or not source:
        raise ValueError(f"{where}province and source are required")
    try:
        same, cross = Decimal(same_min.strip()), Decimal(cross_min.strip())
        start = date.fromisoformat(effective_from.strip())
    except (InvalidOperation, ValueError, AttributeError):
        raise ValueError(f"{where}amounts must be numbers and the date YYYY-MM-DD") from None
    if not (same.is_finite() and cross.is_finite()) or same <= 0 or cross <= 0:
        raise ValueError(f"{where}amounts must be positive")
    return LevelThreshold(province, same, cross, start, source)


def required_level(
    amount: Decimal,
    court_province: str,
    party_provinces: Sequence[str | None],
    threshold: LevelThreshold | None,
) -> Level:
    """The level of court for ``amount`` at a court in ``court_province`` (法发〔2021〕27号
    items 1, 2). ``party_provinces`` holds each party's province of domicile, None when
    unknown. No threshold on file for the province: ``EITHER`` (nothing to decide by)."""
    if threshold is None:
        return Level.EITHER
    low = min(threshold.same_province_min, threshold.cross_province_min)
    high = max(threshold.same_province_min, threshold.cross_province_min)
    if amount < low:
        return Level.BASIC
    if amount >= high:
        return Level.INTERMEDIATE
    if any(p is None for p in party_provinces) or not party_provinces:
        return Level.EITHER
    inside = [p == court_province for p in party_provinces]
    line = threshold.same_province_min if all(inside) or not any(inside) else None
    line = threshold.cross_province_min if line is None else line
    return Level.INTERMEDIATE if amount >= line else Level.BASIC


def party_provinces(competent: CompetentCourts) -> tuple[str | None, ...]:
    """Each party's province, read from the basic courts of their domicile: one province
    (all courts found for them lie in it, and nothing of theirs was unresolved) or None."""
    provinces: list[str | None] = []
    for ground in PARTY_GROUNDS.values():
        found = {c.court.province for c in competent if ground in c.grounds}
        unresolved = any(u.ground == ground for u in competent.unresolved)
        provinces.append(found.pop() if len(found) == 1 and not unresolved else None)
    return tuple(provinces)


def courts_at_level(
    competent: CompetentCourts,
    *,
    amount: Decimal,
    thresholds: Mapping[str, LevelThreshold],
    directory: CourtDirectory,
) -> CompetentCourts:
    """The competent courts at the right level (CPL Art. 205(2)): each basic-level court
    whose dispute is within intermediate jurisdiction is replaced by the intermediate court
    above it (grounds merged); where the level cannot be decided both are listed. An
    inviting court is kept as it is. A basic court with no intermediate court on file is
    reported as unresolved ("intermediate_court", its name) rather than kept."""
    provinces = party_provinces(competent)
    found: dict[str, tuple[Court, list[str]]] = {}
    unresolved = list(competent.unresolved)
    for item in competent:
        if item.court.level != BASIC or INVITING_COURT in item.grounds:
            _merge(found, item.court, item.grounds)
            continue
        level = required_level(
            amount, item.court.province, provinces, thresholds.get(item.court.province)
        )
        if level is not Level.INTERMEDIATE:
            _merge(found, item.court, item.grounds)
        if level is Level.BASIC:
            continue
        above = directory.intermediate_of(item.court)
        if above is None:
            for ground in item.grounds:
                unresolved.append(Unresolved(ground, "intermediate_court", item.court.name))
        else:
            _merge(found, above, item.grounds)
    courts = tuple(CompetentCourt(court, tuple(grounds)) for court, grounds in found.values())
    return CompetentCourts(courts, tuple(dict.fromkeys(unresolved)))


def _merge(found: dict[str, tuple[Court, list[str]]], court: Court, grounds: Iterable[str]) -> None:
    entry = found.setdefault(court.name, (court, []))
    entry[1].extend(g for g in grounds if g not in entry[1])
