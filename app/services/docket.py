"""The docket: the cases a mediator (or their organisation's admin) works on, as a read model.

A mediator's docket holds the cases assigned to them; an admin's holds every case of their
mediation organisation. Drafts are the creditor's alone until submitted, so they are on
no docket (the same rule as :func:`app.access._is_party_or_staff`).

Built to stay fast at 100,000 cases: every statement filters on ``mediator_id`` or
``mediation_org_id`` and ``state`` first, so the composite indexes
``ix_cases_mediator_state_activity`` / ``ix_cases_mediation_org_state_activity`` carry it.
The page is fetched in two steps inside one statement: the index picks the page's ids,
then only those rows are read and joined to their creditor (no N+1, and no row is read
just to be thrown away). Only plain columns are selected, so the encrypted ID number is
never loaded, let alone decrypted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select
from sqlalchemy.orm import aliased

from app.domain.cases import CaseReference, CaseState
from app.extensions import db
from app.models.cases import LEGAL_TZ, Case
from app.models.organisations import CreditorOrganisation
from app.models.users import Role, User

SORTS = ("activity", "amount", "deadline", "reference")
MAX_PER_PAGE = 100
MAX_DEADLINE_DAYS = 366
# Every state but the draft, in lifecycle order: the docket's states and their order.
DOCKET_STATES: tuple[CaseState, ...] = tuple(s for s in CaseState if s != CaseState.DRAFT)
# "HZ-2026-000123", "hz-2026-123", "000123" or "123".
_REFERENCE = re.compile(r"^(?:HZ-(?P<year>\d{4})-)?(?P<number>\d{1,9})$", re.IGNORECASE)


@dataclass(frozen=True)
class DocketQuery:
    """What the viewer asked for. Values are trusted here: the web layer parses input."""

    state: CaseState | None = None
    creditor_org_id: int | None = None
    deadline_within_days: int | None = None
    search: str = ""
    sort: str = "activity"
    descending: bool = True
    page: int = 1
    per_page: int = 25

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}")
        if self.state == CaseState.DRAFT:
            raise ValueError("drafts are on no docket")
        if self.deadline_within_days is not None and not (
            0 <= self.deadline_within_days <= MAX_DEADLINE_DAYS
        ):
            raise ValueError("deadline_within_days out of range")
        if self.page < 1 or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValueError("page or per_page out of range")


@dataclass(frozen=True)
class DocketRow:
    case_id: int
    reference: str
    debtor_name: str
    debtor_id_masked: str
    creditor_name: str
    claim_total: Decimal
    state: CaseState
    next_deadline: date | None
    last_activity_at: datetime
    mediator_name: str | None  # None: not assigned yet (admins see those)


@dataclass(frozen=True)
class CreditorOption:
    id: int
    name: str


@dataclass(frozen=True)
class DocketPage:
    rows: list[DocketRow]
    total: int  # cases matching every filter
    counts: dict[CaseState, int]  # the whole docket per state, whatever the filters
    page: int  # the page shown (clamped to the last page)
    pages: int
    per_page: int
    creditors: list[CreditorOption] = field(default_factory=list)

    @property
    def docket_size(self) -> int:
        return sum(self.counts.values())


def docket(viewer: User, q: DocketQuery, today: date) -> DocketPage:
    """The viewer's docket, filtered, sorted and cut into pages.

    Four statements at most, whatever the docket's size: counts per state, the filtered
    total (skipped when the counts already answer it), the page, the creditor options.
    """
    scope = _scope(viewer)
    counts = _state_counts(scope)
    narrowing = _filters(q, today)
    if q.state is not None:
        scope = [*scope, Case.state == q.state]
    if narrowing:
        total = db.session.scalar(select(func.count()).select_from(Case).where(*scope, *narrowing))
    else:  # the counts per state already hold the answer: spare the database a scan
        total = counts[q.state] if q.state is not None else sum(counts.values())
    pages = max(1, -(-(total or 0) // q.per_page))
    page = min(q.page, pages)
    rows = _rows([*scope, *narrowing], q, page) if total else []
    return DocketPage(
        rows=rows,
        total=total or 0,
        counts=counts,
        page=page,
        pages=pages,
        per_page=q.per_page,
        creditors=_creditor_options(),
    )


def _scope(viewer: User) -> list[ColumnElement[bool]]:
    """Whose cases: the owner column first, then the state, matching the index order."""
    states = Case.state.in_(DOCKET_STATES)
    if viewer.role == Role.MEDIATOR:
        return [Case.mediator_id == viewer.id, states]
    if viewer.role == Role.ADMIN and viewer.mediation_org_id is not None:
        return [Case.mediation_org_id == viewer.mediation_org_id, states]
    return [false()]


def _state_counts(scope: list[ColumnElement[bool]]) -> dict[CaseState, int]:
    found = db.session.execute(
        select(Case.state, func.count()).where(*scope).group_by(Case.state)
    ).all()
    counts = dict.fromkeys(DOCKET_STATES, 0)
    counts.update({CaseState(state): n for state, n in found})
    return counts


def _filters(q: DocketQuery, today: date) -> list[ColumnElement[bool]]:
    """The filters beyond the state (the state's is applied with the scope)."""
    filters: list[ColumnElement[bool]] = []
    if q.creditor_org_id is not None:
        filters.append(Case.creditor_org_id == q.creditor_org_id)
    if q.deadline_within_days is not None:
        # Overdue deadlines are included: they are the most urgent of all.
        filters.append(Case.next_deadline <= today + timedelta(days=q.deadline_within_days))
    if q.search.strip():
        filters.append(_search(q.search.strip()))
    return filters


def _search(term: str) -> ColumnElement[bool]:
    """A case reference (the id, and the year when given) or part of the debtor's name."""
    match = _REFERENCE.match(term)
    if match is None:
        return Case.debtor_name.icontains(term, autoescape=True)
    where = Case.id == int(match["number"])
    if match["year"]:
        # The reference's year is the year the case was opened, on Beijing time.
        year = int(match["year"])
        if not 1970 <= year <= 9998:
            return false()
        start = datetime(year, 1, 1, tzinfo=LEGAL_TZ)
        end = datetime(year + 1, 1, 1, tzinfo=LEGAL_TZ)
        where = where & (Case.created_at >= start) & (Case.created_at < end)
    return where


def _order(q: DocketQuery, columns: Any = Case) -> list[Any]:
    """Sort keys with the id as the last, stable tiebreak; cases without a deadline come
    last when sorting by deadline, in either direction."""
    key = {
        "activity": columns.last_activity_at,
        "amount": columns.claim_total,
        "deadline": columns.next_deadline,
        "reference": columns.id,
    }[q.sort]
    keys: list[Any] = []
    if q.sort == "deadline":
        keys.append(columns.next_deadline.is_(None))
    if q.sort != "reference":
        keys.append(key.desc() if q.descending else key.asc())
    keys.append(columns.id.desc() if q.descending else columns.id.asc())
    return keys


def _rows(where: list[ColumnElement[bool]], q: DocketQuery, page: int) -> list[DocketRow]:
    page_ids = (
        select(Case.id)
        .where(*where)
        .order_by(*_order(q))
        .limit(q.per_page)
        .offset((page - 1) * q.per_page)
        .subquery("page_ids")
    )
    return [_row(r) for r in db.session.execute(_page_statement(page_ids, q))]


def _page_statement(page_ids: Any, q: DocketQuery) -> Select[Any]:
    mediator = aliased(User)
    return (
        select(
            Case.id,
            Case.created_at,
            Case.debtor_name,
            Case.debtor_id_masked,
            CreditorOrganisation.name.label("creditor_name"),
            Case.claim_total,
            Case.state,
            Case.next_deadline,
            Case.last_activity_at,
            mediator.name.label("mediator_name"),
        )
        .join(page_ids, page_ids.c.id == Case.id)
        .join(CreditorOrganisation, CreditorOrganisation.id == Case.creditor_org_id)
        .outerjoin(mediator, mediator.id == Case.mediator_id)
        .order_by(*_order(q))
    )


def _row(r: Any) -> DocketRow:
    return DocketRow(
        case_id=r.id,
        reference=str(CaseReference(r.created_at.astimezone(LEGAL_TZ).year, r.id)),
        debtor_name=r.debtor_name,
        debtor_id_masked=r.debtor_id_masked,
        creditor_name=r.creditor_name,
        claim_total=r.claim_total,
        state=CaseState(r.state),
        next_deadline=r.next_deadline,
        last_activity_at=r.last_activity_at,
        mediator_name=r.mediator_name,
    )


def _creditor_options() -> list[CreditorOption]:
    """Every registered creditor organisation: a short list the admin keeps, and cheaper
    than finding which of them appear among 100,000 cases."""
    found = db.session.execute(
        select(CreditorOrganisation.id, CreditorOrganisation.name).order_by(
            CreditorOrganisation.name, CreditorOrganisation.id
        )
    )
    return [CreditorOption(id=i, name=n) for i, n in found]
