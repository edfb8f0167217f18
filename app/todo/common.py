"""The to-do item every role's list is made of, and the links they share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import url_for
from sqlalchemy import Exists, Select, literal, select
from sqlalchemy.orm import defer

from app.models.cases import Case
from app.rules.todo import Urgency, by_urgency

T = TypeVar("T")


@dataclass(frozen=True)
class TodoItem:
    """One thing to do: ``text`` is the whole sentence (it names the case), ``url`` the
    place to act (None when the place is outside the platform, e.g. an SMS link), ``kind``
    a stable key for styling and tests."""

    kind: str
    text: str
    reference: str | None
    url: str | None
    due_on: date | None = None


Entry = tuple[Urgency, TodoItem]

# A docket of thousands of cases: a list of what waits on cases is drawn from the most
# pressing ones only, few enough to read at a glance (and to build on every visit of a
# home page); the docket's "deadline within" filter and the case list show every one.
MAX_CASES = 25


class TodoList(list[TodoItem]):
    """The items, the most urgent first. ``cut``: more cases than :data:`MAX_CASES` may
    have something waiting; only the most pressing were read (the page says so and links
    to the full list)."""

    def __init__(self, items: Iterable[TodoItem] = (), cut: bool = False) -> None:
        super().__init__(items)
        self.cut = cut


def most_pressing(rows: Iterable[T]) -> tuple[list[T], bool]:
    """The first :data:`MAX_CASES` of ``rows`` (read with a limit of one more), and whether
    there were more."""
    found = list(rows)
    return found[:MAX_CASES], len(found) > MAX_CASES


def case_url(case: Case, anchor: str | None = None) -> str:
    """The case page, scrolled to the section where the act happens."""
    url = url_for("cases.show", case_id=case.id)
    return f"{url}#{anchor}" if anchor else url


def ordered(entries: list[Entry]) -> list[TodoItem]:
    return by_urgency(entries)


def select_cases() -> Select[tuple[Case]]:
    """Cases as a list needs them: the ID number stays encrypted in the database (a list
    never shows it, and decrypting it is not free: PIPL Art. 51, least access)."""
    return select(Case).options(defer(Case.debtor_id_number))


NO_ID_NUMBER = defer(Case.debtor_id_number)


def probe(query: Select[Any]) -> Exists:
    """Whether ``query`` finds anything, as an EXISTS over its own FROM and WHERE: a list
    asks one statement which kinds of item it has, then reads only those."""
    return query.with_only_columns(literal(1), maintain_column_froms=True).order_by(None).exists()
