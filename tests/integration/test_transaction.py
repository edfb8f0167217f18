"""The one transaction mechanism (app.core.transaction) on a real database: a use case
commits once at its end or not at all, work registered after the commit runs only after a
successful one, and lost races become Conflict by constraint name or version check."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.exc import IntegrityError

from app.core import jobs
from app.core.errors import Conflict
from app.core.transaction import after_commit, claim, conflict_from, in_use_case, use_case
from app.extensions import db
from app.models.cases import Case
from app.models.confirmation import HolidayOverride
from tests.factories import make_case


def _day(day: date, note: str = "test") -> HolidayOverride:
    return HolidayOverride(day=day, is_working=True, note=note)


def _commits() -> list[int]:
    seen: list[int] = []
    event.listen(db.session(), "after_commit", lambda _s: seen.append(1))
    return seen


def _behind_the_back(case_id: int, version: int) -> None:
    """Another writer's update, which this session's copy of the row does not see."""
    db.session.execute(
        update(Case).where(Case.id == case_id).values(version=version),
        execution_options={"synchronize_session": False},
    )


def _days() -> list[date]:
    return sorted(d.day for d in db.session.scalars(db.select(HolidayOverride)))


def test_a_use_case_commits_once_and_then_runs_its_after_commit_jobs(app: Any) -> None:
    ran: list[tuple[str, list[date]]] = []
    commits = _commits()

    @use_case
    def inner() -> None:
        db.session.add(_day(date(2031, 1, 2)))
        after_commit(lambda: ran.append(("inner", _days())))

    @use_case
    def outer() -> str:
        assert in_use_case()
        db.session.add(_day(date(2031, 1, 1)))
        inner()  # nested: does not commit on its own
        assert commits == [] and ran == []
        return "done"

    assert outer() == "done"
    assert commits == [1]
    assert ran == [("inner", [date(2031, 1, 1), date(2031, 1, 2)])]
    assert not in_use_case()


def test_an_exception_rolls_everything_back_and_drops_the_jobs(app: Any) -> None:
    ran: list[str] = []

    @use_case
    def failing() -> None:
        db.session.add(_day(date(2031, 2, 1)))
        db.session.flush()
        after_commit(ran.append, "never")
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        failing()
    assert _days() == [] and ran == []


def test_the_same_job_asked_twice_runs_once(app: Any) -> None:
    ran: list[int] = []

    def job(n: int) -> None:
        ran.append(n)

    @use_case
    def twice() -> None:
        after_commit(job, 1)
        after_commit(job, 1)
        after_commit(job, 2)

    twice()
    assert ran == [1, 2]


def test_after_commit_outside_a_use_case_is_refused(app: Any) -> None:
    with pytest.raises(RuntimeError, match="outside a use case"):
        after_commit(print)


def test_a_named_unique_constraint_becomes_a_conflict_with_its_code(app: Any) -> None:
    # app.calendar.overrides declares uq_holiday_overrides_day as a lost race.
    @use_case
    def add(day: date) -> None:
        db.session.add(_day(day))

    add(date(2031, 3, 1))
    with pytest.raises(Conflict) as caught:
        add(date(2031, 3, 1))
    assert caught.value.code == "changed_meanwhile"
    assert caught.value.status == 409
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert _days() == [date(2031, 3, 1)]


def test_an_undeclared_constraint_stays_an_integrity_error(app: Any) -> None:
    @use_case
    def orphan() -> None:
        db.session.add(HolidayOverride(day=None, is_working=True, note="x"))  # NOT NULL

    with pytest.raises(IntegrityError) as caught:
        orphan()
    assert conflict_from(caught.value) is None


def test_claim_moves_the_version_and_a_stale_claim_is_a_conflict(app: Any) -> None:
    case = make_case()
    db.session.commit()
    before = case.version

    @use_case
    def take(row: Case) -> None:
        claim(row)

    take(case)
    assert case.version == before + 1

    # Somebody else moves the row behind this session's back: its copy is stale.
    assert case.version == before + 1  # loaded
    _behind_the_back(case.id, before + 5)
    with pytest.raises(Conflict):
        take(case)


def test_a_stale_write_through_the_version_column_is_a_conflict(app: Any) -> None:
    case = make_case()
    db.session.commit()

    @use_case
    def rename(row: Case) -> None:
        _behind_the_back(row.id, row.version + 1)
        row.debtor_address = "别处"

    with pytest.raises(Conflict) as caught:
        rename(case)
    assert caught.value.code == "conflict"


def test_a_job_by_name_is_enqueued_only_after_the_commit(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, bool]] = []
    monkeypatch.setitem(jobs._TASKS, "probe", lambda n: seen.append((n, in_use_case())))

    @use_case
    def ask() -> None:
        jobs.enqueue("probe", 7)
        assert seen == []

    ask()
    assert seen == [(7, False)]
    with pytest.raises(LookupError):
        jobs.enqueue("no_such_job")
