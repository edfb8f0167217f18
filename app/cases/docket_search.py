"""The docket's search box: what a term can find (app.cases.docket applies it).

A case reference (``HZ-2026-000123`` or its number), part of the debtor's name or of its
pinyin (:mod:`app.rules.pinyin`), or the last four characters of the debtor's phone or
ID number. A whole phone or ID number is never searched for: the search travels in the
address (a GET form, so results can be bookmarked and paged), and a full number does
not belong there (PIPL Art. 51: the least exposure); the page asks for the tail instead.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ColumnElement, Text, false, func, or_
from sqlalchemy.dialects.postgresql import ARRAY, array

from app.core import clock
from app.models.cases import Case
from app.rules.pinyin import pinyin_term

_REFERENCE = re.compile(r"^(?:HZ-(?P<year>\d{4})-)?(?P<number>\d{1,9})$", re.IGNORECASE)
_TAIL = re.compile(r"^\d{3}[\dXx]$")  # the last four of a phone or an ID number
_FULL_NUMBER = re.compile(r"\d{10,}")  # a reference has at most 9 digits
# The same rule for the browser, as the search box's ``pattern``: it does not send a form
# whose box holds ten digits in a row.
NO_FULL_NUMBER_PATTERN = r"(?![\s\S]*[0-9]{10})[\s\S]*"


def full_number(term: str) -> bool:
    """A whole phone or ID number: never searched for, so it has no reason to be typed
    into a search that travels in the address (PIPL Art. 51: the least exposure)."""
    return _FULL_NUMBER.search(term) is not None


def search_filter(term: str, postgres: bool = False) -> ColumnElement[bool]:
    """A case reference, part of the debtor's name or of its pinyin, or the last four
    characters of the debtor's phone or ID number (the ID's tail is the masked column's:
    the full number stays encrypted). ``postgres``: the name and pinyin go through their
    GIN indexes (migration 0033) as well as the LIKE."""
    if full_number(term):
        return false()
    found: list[ColumnElement[bool]] = []
    if _TAIL.match(term):
        tail = term.upper()
        found.append(Case.debtor_phone.endswith(tail, autoescape=True))
        found.append(Case.debtor_id_masked.endswith(tail, autoescape=True))
    if (letters := pinyin_term(term)) is not None:
        pinyin = Case.debtor_name_pinyin.contains(letters, autoescape=True)
        found.append(_grams(Case.debtor_name_pinyin, letters) & pinyin if postgres else pinyin)
    match = _REFERENCE.match(term)
    if match is None:
        name = Case.debtor_name.icontains(term, autoescape=True)
        found.append(_grams(Case.debtor_name, term) & name if postgres else name)
    else:
        found.append(_reference(match))
    return or_(*found)


def _grams(column: ColumnElement[str], term: str) -> ColumnElement[bool]:
    """PostgreSQL: the rows whose text holds every piece of up to three characters of
    ``term`` (``concord_grams``, lower case, GIN-indexed): all that can hold the term, a
    handful of a million. The LIKE beside it keeps the answer exact."""
    size = min(3, len(term))
    pieces = sorted({term[i : i + size] for i in range(len(term) - size + 1)})
    grams = func.concord_grams(column, type_=ARRAY(Text))
    return grams.contains(array([func.lower(p) for p in pieces], type_=Text))


def _reference(match: re.Match[str]) -> ColumnElement[bool]:
    """The case's id, and the year it was opened when the reference gives one."""
    where = Case.id == int(match["number"])
    if match["year"]:
        # The reference's year is the year the case was opened, on Beijing time.
        year = int(match["year"])
        if not 1970 <= year <= 9998:
            return false()
        start = datetime(year, 1, 1, tzinfo=clock.legal_tz())
        end = datetime(year + 1, 1, 1, tzinfo=clock.legal_tz())
        where = where & (Case.created_at >= start) & (Case.created_at < end)
    return where
