"""Whose figures a dashboard counts: the scope is decided here, from the viewer alone
(there is no id in the URL to guess): the admin's mediation organisation (drafts are the
creditor's and never counted), the mediator's own docket, the creditor's own
organisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select

from app.models.cases import Case
from app.models.contacts import ContactRecord
from app.models.users import Role, User
from app.rules.cases import CaseState

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """Which cases and which contact records the viewer's figures count. ``memo`` keeps
    each figure computed once per page (several charts read the same counts)."""

    viewer: User
    cases: ColumnElement[bool]
    contacts: ColumnElement[bool]
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def role(self) -> Role:
        return self.viewer.role

    def once(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]  # type: ignore[no-any-return]


def scope_of(viewer: User) -> Scope:
    if viewer.role == Role.ADMIN:
        return Scope(
            viewer,
            (Case.mediation_org_id == viewer.mediation_org_id) & (Case.state != CaseState.DRAFT),
            ContactRecord.mediation_org_id == viewer.mediation_org_id,
        )
    if viewer.role == Role.MEDIATOR:
        return Scope(
            viewer,
            (Case.mediator_id == viewer.id) & (Case.state != CaseState.DRAFT),
            ContactRecord.logged_by_id == viewer.id,
        )
    if viewer.role == Role.CREDITOR:
        return Scope(
            viewer,
            Case.creditor_org_id == viewer.creditor_org_id,
            ContactRecord.creditor_org_id == viewer.creditor_org_id,
        )
    raise ValueError(f"no dashboard for {viewer.role}")


def grouped(*columns: Any) -> Any:
    return select(*columns, func.count()).group_by(*columns)


def count_where(condition: Any) -> Any:
    """How many rows meet ``condition``, as one column of an aggregate (``FILTER``: both
    PostgreSQL and SQLite count it without evaluating a ``CASE`` per row)."""
    return func.count().filter(condition)
