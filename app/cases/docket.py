"""The docket: the cases a mediator (or their organisation's admin) works on, as a read model.

A mediator's docket holds the cases assigned to them; an admin's holds every case of their
mediation organisation. Drafts are the creditor's alone until submitted, so they are on
no docket (the same rule as :func:`app.access._is_party_or_staff`).

Built to stay fast at a million cases (bench/docket_pg.py). Nothing is counted over the
cases: the counts per state, and the total of the "deadline within" filter, are sums over
``docket_counts`` (a few hundred rows per owner), which database triggers keep in the
transaction of every write to a case (migration 0033). Every sort has an (owner, key, id)
index per owner (``ix_cases_mediator_amount``, ``ix_cases_org_deadline``, ...), so a
page's ids are read from an index in order, a deep page from where the previous one
ended (the pager's links carry a cursor: :func:`cursor`), never past every earlier row.
The search by name or pinyin goes through a GIN index on PostgreSQL
(:mod:`app.cases.docket_search`). Inside one statement the page's ids are picked first,
then only those rows are read and joined to their creditor and mediator (no N+1). Only
plain columns are selected: the encrypted ID number is never loaded, let alone decrypted.
Each page row also carries its number of open objections, counted by a subquery
correlated to that row alone (``ix_objections_case_status``): the page's 25 rows cost 25
index lookups, never a pass over all objections or all cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased

from app.cases.docket_search import search_filter
from app.core import clock
from app.core.db import MAX_ID
from app.extensions import db
from app.models.cases import Case, DocketCount
from app.models.evidence import PowerOfAttorneyRecord
from app.models.negotiation import Objection, ObjectionStatus
from app.models.organisations import CreditorOrganisation
from app.models.users import Role, User
from app.rules.cases import CLOSED_STATES, CaseReference, CaseState
from app.rules.party_kinds import EntityKind

_SORT_COLUMNS = {
    "activity": "last_activity_at",
    "amount": "claim_total",
    "deadline": "next_deadline",
    "reference": "id",
}
SORTS = tuple(_SORT_COLUMNS)
MAX_PER_PAGE = 100
MAX_DEADLINE_DAYS = 366
# Every state but the draft, in lifecycle order: the docket's states and their order.
DOCKET_STATES: tuple[CaseState, ...] = tuple(s for s in CaseState if s != CaseState.DRAFT)
# "HZ-2026-000123", "hz-2026-123", "000123" or "123".


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
    # A "next" link's cursor (the previous page's last row), or a "previous" link's (the
    # next page's first row): see :func:`cursor`. Used when valid; otherwise ignored.
    after: str = ""
    before: str = ""

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
    # What the creditor has still to give (app.cases.papers): "power_of_attorney",
    # "receiving_account"; read in the page's own statement.
    missing: tuple[str, ...] = ()


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

    Four statements at most, whatever the docket's size: counts per state (read from
    ``docket_counts``), the filtered total (skipped when the counts answer it), the page,
    the creditor options.
    """
    owner, counter = _owner(viewer)
    counts = _state_counts(counter)
    states = (q.state,) if q.state is not None else DOCKET_STATES
    narrowing = _filters(q, today)
    if q.search.strip() and counter is not None and counter[0] == "org":
        # The search's own index finds a few thousand cases of a million; the whole
        # organisation's index range holds all million, and reading it to AND both costs
        # more than checking the organisation on the found rows: it is kept out of the
        # index choice. (A mediator's search has an index of its own, migration 0033.)
        owner = Case.mediation_org_id + 0 == counter[1]
    if not narrowing:  # the counts per state already hold the answer
        total = sum(counts[s] for s in states)
    elif q.creditor_org_id is None and not q.search.strip():  # only the deadline filter
        total = _deadline_count(counter, states, today, q.deadline_within_days or 0)
    else:  # a search or a creditor: counted with the page, in one statement
        rows, total, page = _counted_rows([owner, Case.state.in_(states), *narrowing], q)
        return DocketPage(
            rows=rows,
            total=total,
            counts=counts,
            page=page,
            pages=max(1, -(-total // q.per_page)),
            per_page=q.per_page,
            creditors=_creditor_options(),
        )
    pages = max(1, -(-total // q.per_page))
    page = min(q.page, pages)
    rows = _rows(owner, states, narrowing, q, page) if total else []
    return DocketPage(
        rows=rows,
        total=total,
        counts=counts,
        page=page,
        pages=pages,
        per_page=q.per_page,
        creditors=_creditor_options(),
    )


def _owner(viewer: User) -> tuple[ColumnElement[bool], tuple[str, int] | None]:
    """Whose cases: the leading column of the docket indexes, and the counters' key."""
    if viewer.role == Role.MEDIATOR:
        return Case.mediator_id == viewer.id, ("mediator", viewer.id)
    if viewer.role == Role.ADMIN and viewer.mediation_org_id is not None:
        return Case.mediation_org_id == viewer.mediation_org_id, ("org", viewer.mediation_org_id)
    return false(), None


def _counter(counter: tuple[str, int]) -> list[ColumnElement[bool]]:
    scope, owner_id = counter
    return [DocketCount.scope == scope, DocketCount.owner_id == owner_id]


def _state_counts(counter: tuple[str, int] | None) -> dict[CaseState, int]:
    """The docket's cases per state, summed over the owner's counters (a few hundred rows
    at most: one per state and deadline day), never counted over the cases."""
    counts = dict.fromkeys(DOCKET_STATES, 0)
    if counter is None:
        return counts
    found = db.session.execute(
        select(DocketCount.state, func.sum(DocketCount.n))
        .where(*_counter(counter), DocketCount.state.in_(DOCKET_STATES))
        .group_by(DocketCount.state)
    ).all()
    counts.update({CaseState(state): int(n) for state, n in found})
    return counts


def _deadline_count(
    counter: tuple[str, int] | None, states: tuple[CaseState, ...], today: date, days: int
) -> int:
    """Cases due within ``days`` (overdue ones included), from the counters: a case
    without a deadline is kept under :data:`NO_DEADLINE`, past any such day."""
    if counter is None:
        return 0
    found = db.session.scalar(
        select(func.sum(DocketCount.n)).where(
            *_counter(counter),
            DocketCount.state.in_(states),
            DocketCount.deadline <= today + timedelta(days=days),
        )
    )
    return int(found or 0)


def _filters(q: DocketQuery, today: date) -> list[ColumnElement[bool]]:
    """The filters beyond the owner and the state."""
    filters: list[ColumnElement[bool]] = []
    if q.creditor_org_id is not None:
        filters.append(Case.creditor_org_id == q.creditor_org_id)
    if q.deadline_within_days is not None:
        # Overdue deadlines are included: they are the most urgent of all.
        filters.append(Case.next_deadline <= today + timedelta(days=q.deadline_within_days))
    if q.search.strip():
        postgres = db.session.get_bind().dialect.name == "postgresql"
        filters.append(search_filter(q.search.strip(), postgres=postgres))
    return filters


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


# --- cursors ------------------------------------------------------------------------------
#
# A "next" or "previous" link carries the last (first) row's sort key and id: the page
# after it is read from the (owner, key, id) index where the cursor left off, whatever its
# depth, instead of counting past every earlier row (OFFSET).


def cursor(row: DocketRow, sort: str) -> str:
    """Where ``row`` stands in the docket sorted by ``sort``: ``<key>_<id>``."""
    key: Any = {
        "activity": row.last_activity_at,
        "amount": row.claim_total,
        "deadline": row.next_deadline,
        "reference": None,
    }[sort]
    text = "" if key is None else key.isoformat() if hasattr(key, "isoformat") else str(key)
    return f"{text}_{row.case_id}"


@dataclass(frozen=True)
class _Cursor:
    key: Any  # the sort column's value (None: a case without a deadline, or by reference)
    id: int
    after: bool  # the page after the row (True) or before it


def _parse_cursor(raw: str, sort: str, after: bool) -> _Cursor | None:
    """A cursor from a link, or None when it is not one (then the page is counted)."""
    text, _, number = raw.rpartition("_")
    if not number.isdigit() or not 0 < int(number) <= MAX_ID:
        return None
    try:
        key: Any
        if sort == "activity":
            key = datetime.fromisoformat(text)
            if key.tzinfo is None:
                return None
        elif sort == "amount":
            key = Decimal(text)
            if not key.is_finite():
                return None
        elif sort == "deadline":
            key = date.fromisoformat(text) if text else None
        else:
            key = None
    except (ValueError, ArithmeticError):
        return None
    return _Cursor(key, int(number), after)


def _segments(q: DocketQuery) -> list[tuple[list[ColumnElement[bool]], Any]]:
    """The docket's order as runs each read in (key, id) order from one index: by deadline,
    the cases with one, then those without (ordered by id); otherwise a single run."""
    if q.sort == "deadline":
        return [
            ([Case.next_deadline.is_not(None)], Case.next_deadline),
            ([Case.next_deadline.is_(None)], None),
        ]
    if q.sort == "reference":
        return [([], None)]
    return [([], getattr(Case, _SORT_COLUMNS[q.sort]))]


def _rows(
    owner: ColumnElement[bool],
    states: tuple[CaseState, ...],
    narrowing: list[ColumnElement[bool]],
    q: DocketQuery,
    page: int,
) -> list[DocketRow]:
    raw = q.after or q.before
    at = _parse_cursor(raw, q.sort, after=bool(q.after)) if raw and page == q.page else None
    base = [owner, Case.state.in_(states), *narrowing]
    if at is not None:
        page_ids = _keyset_ids(base, q, at)
        rows = [_row(r) for r in db.session.execute(_page_statement(page_ids, q))]
        if rows:
            return rows
    page_ids = _offset_ids(base, q, (page - 1) * q.per_page)
    return [_row(r) for r in db.session.execute(_page_statement(page_ids, q))]


def _counted_rows(
    base: list[ColumnElement[bool]], q: DocketQuery
) -> tuple[list[DocketRow], int, int]:
    """The page's rows and the number of matching cases, read by one statement (a window
    count beside the page's ids: the search's index and rows are visited once, not once
    to count and again to page). A page past the last is counted plainly, then the last
    page is read."""
    page = q.page
    for _ in range(2):
        page_ids = (
            select(Case.id, func.count().over().label("total"))
            .where(*base)
            .order_by(*_order(q))
            .limit(q.per_page)
            .offset((page - 1) * q.per_page)
            .subquery("page_ids")
        )
        found = db.session.execute(_page_statement(page_ids, q)).all()
        if found:
            return [_row(r) for r in found], found[0].total, page
        total = db.session.scalar(select(func.count()).where(*base)) or 0
        last = max(1, -(-total // q.per_page))
        if not total or page <= last:
            break
        page = last
    return [], total, min(page, max(1, -(-total // q.per_page)))


def _run(
    base: list[ColumnElement[bool]],
    conditions: list[ColumnElement[bool]],
    key: Any,
    descending: bool,
    seg: int,
    limit: int,
) -> Any:
    """One run's ids in (key, id) order, ``descending`` or not."""
    order = [] if key is None else [key.desc() if descending else key.asc()]
    order.append(Case.id.desc() if descending else Case.id.asc())
    return (
        select(Case.id, literal(seg).label("seg"))
        .where(*base, *conditions)
        .order_by(*order)
        .limit(limit)
    )


def _combined(runs: list[Any], q: DocketQuery, descending: bool, offset: int) -> Any:
    """The page's ids from the runs, in run order, then (key, id) order."""
    if len(runs) == 1:
        only = runs[0].subquery()
        return (
            select(only.c.id).limit(q.per_page).offset(offset).subquery("page_ids")
            if offset
            else only
        )
    merged = union_all(*(r.subquery().select() for r in runs)).subquery()
    keyed = (
        select(merged.c.id, merged.c.seg, Case.next_deadline)
        .join(Case, Case.id == merged.c.id)
        .subquery()
    )
    order = [keyed.c.seg.desc() if descending != q.descending else keyed.c.seg.asc()]
    order.append(keyed.c.next_deadline.desc() if descending else keyed.c.next_deadline.asc())
    order.append(keyed.c.id.desc() if descending else keyed.c.id.asc())
    return select(keyed.c.id).order_by(*order).limit(q.per_page).offset(offset).subquery("page_ids")


def _offset_ids(base: list[ColumnElement[bool]], q: DocketQuery, offset: int) -> Any:
    """The page's ids counted from the start: each run gives its first offset + per_page."""
    enough = offset + q.per_page
    runs = [
        _run(base, conditions, key, q.descending, seg, enough if offset else q.per_page)
        for seg, (conditions, key) in enumerate(_segments(q))
    ]
    if len(runs) == 1 and offset:
        runs = [runs[0].limit(q.per_page).offset(offset)]
        offset = 0
    return _combined(runs, q, q.descending, offset)


def _keyset_ids(base: list[ColumnElement[bool]], q: DocketQuery, at: _Cursor) -> Any:
    """The page's ids next to the cursor: after it in the docket's order, or before it
    (read backwards, put back in order by the page statement)."""
    descending = q.descending if at.after else not q.descending
    segments = _segments(q)
    at_seg = 1 if q.sort == "deadline" and at.key is None else 0
    runs = []
    for seg, (conditions, key) in enumerate(segments):
        if (seg < at_seg and at.after) or (seg > at_seg and not at.after):
            continue  # wholly on the other side of the cursor
        where = list(conditions)
        if seg == at_seg:
            where.append(_past(key, at, descending))
        runs.append(_run(base, where, key, descending, seg, q.per_page))
    return _combined(runs, q, descending, 0)


def _past(key: Any, at: _Cursor, descending: bool) -> ColumnElement[bool]:
    """Past the cursor's row when reading in (key, id) order, ``descending`` or not."""
    if key is None or at.key is None:
        return Case.id < at.id if descending else Case.id > at.id
    mine, theirs = tuple_(key, Case.id), tuple_(literal(at.key, key.type), literal(at.id))
    return mine < theirs if descending else mine > theirs


# The row's parts that take no value from the query are built once, not per page: a
# statement's construction costs more than its (cached) compilation.
@cache
def _open_objections() -> Any:
    """Open objections of the row's case: a correlated count on (case_id, status)."""
    return (
        select(func.count())
        .where(Objection.case_id == Case.id, Objection.status == ObjectionStatus.OPEN)
        .correlate(Case)
        .scalar_subquery()
        .label("open_objections")
    )


@cache
def _poa_missing() -> Any:
    """An entity's case without a recorded power of attorney (CPL Art. 62; a natural
    person signs in person): a correlated EXISTS on (case_id), no extra statement."""
    recorded = (
        select(PowerOfAttorneyRecord.id)
        .where(PowerOfAttorneyRecord.case_id == Case.id)
        .correlate(Case)
    )
    return and_(
        CreditorOrganisation.entity_kind != EntityKind.NATURAL_PERSON, ~recorded.exists()
    ).label("poa_missing")


@cache
def _mediator() -> Any:
    return aliased(User, name="mediator")


def _page_statement(page_ids: Any, q: DocketQuery) -> Select[Any]:
    mediator = _mediator()
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
            *([page_ids.c.total] if "total" in page_ids.c else []),
            _open_objections(),
            _poa_missing(),
            Case.receiving_account_number.is_(None).label("account_missing"),
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
        missing=_missing(r),
    )


def _missing(r: Any) -> tuple[str, ...]:
    if CaseState(r.state) in CLOSED_STATES:
        return ()
    flags = (("power_of_attorney", r.poa_missing), ("receiving_account", r.account_missing))
    return tuple(name for name, missing in flags if missing)


def _creditor_options() -> list[CreditorOption]:
    """Every registered creditor organisation: a short list the admin keeps, and cheaper
    than finding which of them appear among 100,000 cases."""
    found = db.session.execute(
        select(CreditorOrganisation.id, CreditorOrganisation.name).order_by(
            CreditorOrganisation.name, CreditorOrganisation.id
        )
    )
    return [CreditorOption(id=i, name=n) for i, n in found]
