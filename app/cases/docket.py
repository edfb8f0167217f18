"""The docket: the cases a mediator (or their organisation's admin) works on, as a read model.

A mediator's docket holds the cases assigned to them; an admin's holds every case of their
mediation organisation. Drafts are the creditor's alone until submitted, so they are on
no docket (the same rule as :func:`app.access._is_party_or_staff`).

Built to stay fast at 100,000 cases: every statement filters on ``mediator_id`` or
``mediation_org_id`` and ``state`` first, so the composite indexes
``ix_cases_mediator_state_activity`` / ``ix_cases_mediation_org_state_activity`` carry it
(the counts are an index-only scan; the default order is read straight from the index,
see :func:`_merged_by_state`). Inside one statement the page's ids are picked first,
then only those rows are read and joined to their creditor and mediator (no N+1). Only
plain columns are selected: the encrypted ID number is never loaded, let alone decrypted.
Each page row also carries its number of open objections, counted by a subquery
correlated to that row alone (``ix_objections_case_status``): the page's 25 rows cost 25
index lookups, never a pass over all objections or all cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select, union_all
from sqlalchemy.orm import aliased

from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Objection, ObjectionStatus
from app.models.organisations import CreditorOrganisation
from app.models.users import Role, User
from app.rules.cases import CaseReference, CaseState

_SORT_COLUMNS = {
    "activity": "last_activity_at",
    "amount": "claim_total",
    "deadline": "next_deadline",
    "reference": "id",
}
SORTS = tuple(_SORT_COLUMNS)
# Sorts an (owner, state, key) index serves, so each state can be read in order and merged.
# "amount" belongs here once (mediator_id|mediation_org_id, state, claim_total) exist.
_INDEX_ORDERED_SORTS = ("activity",)
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
    open_objections: int = 0  # the debtor's objections not yet resolved or withdrawn


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
    owner = _owner(viewer)
    counts = _state_counts(owner)
    states = (q.state,) if q.state is not None else DOCKET_STATES
    narrowing = _filters(q, today)
    if narrowing:
        total = db.session.scalar(
            select(func.count()).where(owner, Case.state.in_(states), *narrowing)
        )
    else:  # the counts per state already hold the answer: spare the database a scan
        total = sum(counts[s] for s in states)
    pages = max(1, -(-(total or 0) // q.per_page))
    page = min(q.page, pages)
    rows = _rows(owner, states, narrowing, q, page) if total else []
    return DocketPage(
        rows=rows,
        total=total or 0,
        counts=counts,
        page=page,
        pages=pages,
        per_page=q.per_page,
        creditors=_creditor_options(),
    )


def _owner(viewer: User) -> ColumnElement[bool]:
    """Whose cases: the leading column of the docket indexes."""
    if viewer.role == Role.MEDIATOR:
        return Case.mediator_id == viewer.id
    if viewer.role == Role.ADMIN and viewer.mediation_org_id is not None:
        return Case.mediation_org_id == viewer.mediation_org_id
    return false()


def _state_counts(owner: ColumnElement[bool]) -> dict[CaseState, int]:
    found = db.session.execute(
        select(Case.state, func.count())
        .where(owner, Case.state.in_(DOCKET_STATES))
        .group_by(Case.state)
    ).all()
    counts = dict.fromkeys(DOCKET_STATES, 0)
    counts.update({CaseState(state): n for state, n in found})
    return counts


def _filters(q: DocketQuery, today: date) -> list[ColumnElement[bool]]:
    """The filters beyond the owner and the state."""
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
        start = datetime(year, 1, 1, tzinfo=clock.legal_tz())
        end = datetime(year + 1, 1, 1, tzinfo=clock.legal_tz())
        where = where & (Case.created_at >= start) & (Case.created_at < end)
    return where


def _order(q: DocketQuery, columns: Any = Case) -> list[Any]:
    """Sort keys with the id as the last, stable tiebreak; cases without a deadline come
    last when sorting by deadline, in either direction."""
    key = getattr(columns, _SORT_COLUMNS[q.sort])
    keys: list[Any] = []
    if q.sort == "deadline":
        keys.append(columns.next_deadline.is_(None))
    if q.sort != "reference":
        keys.append(key.desc() if q.descending else key.asc())
    keys.append(columns.id.desc() if q.descending else columns.id.asc())
    return keys


def _rows(
    owner: ColumnElement[bool],
    states: tuple[CaseState, ...],
    narrowing: list[ColumnElement[bool]],
    q: DocketQuery,
    page: int,
) -> list[DocketRow]:
    offset = (page - 1) * q.per_page
    if q.sort in _INDEX_ORDERED_SORTS and len(states) > 1:
        page_ids = _merged_by_state(owner, states, narrowing, q, offset)
    else:
        page_ids = (
            select(Case.id)
            .where(owner, Case.state.in_(states), *narrowing)
            .order_by(*_order(q))
            .limit(q.per_page)
            .offset(offset)
            .subquery("page_ids")
        )
    return [_row(r) for r in db.session.execute(_page_statement(page_ids, q))]


def _merged_by_state(
    owner: ColumnElement[bool],
    states: tuple[CaseState, ...],
    narrowing: list[ColumnElement[bool]],
    q: DocketQuery,
    offset: int,
) -> Any:
    """The page's ids across several states, each state read in index order.

    The (owner, state, last_activity_at) index is ordered by activity within one state
    only; sorting the whole docket would read every case of it. Instead each state gives
    its first ``offset + per_page`` cases straight from the index, and only those are
    merged: the default view costs the same at 1,000 cases as at 100,000.
    """
    enough = offset + q.per_page
    key = _SORT_COLUMNS[q.sort]
    branches = [
        select(Case.id, getattr(Case, key))
        .where(owner, Case.state == state, *narrowing)
        .order_by(*_order(q))
        .limit(enough)
        .subquery()
        for state in states
    ]
    merged = union_all(*(select(b.c.id, b.c[key]) for b in branches)).subquery()
    return (
        select(merged.c.id)
        .order_by(*_order(q, merged.c))
        .limit(q.per_page)
        .offset(offset)
        .subquery("page_ids")
    )


def _open_objections() -> Any:
    """Open objections of the row's case: a correlated count on (case_id, status)."""
    return (
        select(func.count())
        .where(Objection.case_id == Case.id, Objection.status == ObjectionStatus.OPEN)
        .correlate(Case)
        .scalar_subquery()
        .label("open_objections")
    )


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
            _open_objections(),
        )
        .join(page_ids, page_ids.c.id == Case.id)
        .join(CreditorOrganisation, CreditorOrganisation.id == Case.creditor_org_id)
        .outerjoin(mediator, mediator.id == Case.mediator_id)
        .order_by(*_order(q))
    )


def _row(r: Any) -> DocketRow:
    return DocketRow(
        case_id=r.id,
        reference=str(CaseReference(clock.local(r.created_at).year, r.id)),
        debtor_name=r.debtor_name,
        debtor_id_masked=r.debtor_id_masked,
        creditor_name=r.creditor_name,
        claim_total=r.claim_total,
        state=CaseState(r.state),
        next_deadline=r.next_deadline,
        last_activity_at=r.last_activity_at,
        mediator_name=r.mediator_name,
        open_objections=r.open_objections or 0,
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
