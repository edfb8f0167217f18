"""Drafts of the debtor's step forms, kept server-side per case, user and form, so "save
and continue later" survives leaving the page, another device or a new session; and the
steps the debtor has looked at and moved past (kind ``progress``).

A draft is the debtor's own scratch paper: it is not case content, nobody else reads it,
and it is deleted in the same transaction as the form it belongs to is sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.step_drafts import StepDraft
from app.models.users import User
from app.negotiation import proposals as proposal_service
from app.negotiation import statements as statement_service
from app.negotiation.offers import Offer
from app.rules.affordability import Statement
from app.rules.debtor_steps import Step

STATEMENT = "statement"
PROPOSAL = "proposal"
PROGRESS = "progress"
KINDS = frozenset({STATEMENT, PROPOSAL, PROGRESS})
# A draft holds what a form has: a few dozen short fields; longer text is cut.
MAX_FIELDS = 40
MAX_VALUE = 2000


def _row(case: Case, user: User, kind: str) -> StepDraft | None:
    return db.session.scalar(
        select(StepDraft).where(
            StepDraft.case_id == case.id, StepDraft.user_id == user.id, StepDraft.kind == kind
        )
    )


def draft_of(case: Case, user: User, kind: str) -> dict[str, str] | None:
    """The values kept for this form, or None."""
    row = _row(case, user, kind)
    if row is None:
        return None
    return {str(k): str(v) for k, v in (row.data.get("values") or {}).items()}


def _cleaned(values: dict[str, str]) -> dict[str, str]:
    kept = {}
    for name, value in list(values.items())[:MAX_FIELDS]:
        kept[str(name)[:64]] = str(value)[:MAX_VALUE]
    return kept


def _put(case: Case, user: User, kind: str, data: dict[str, Any]) -> None:
    assert kind in KINDS
    row = _row(case, user, kind)
    if row is None:
        db.session.add(StepDraft(case_id=case.id, user_id=user.id, kind=kind, data=data))
    else:
        row.data = data
        row.updated_at = clock.now()
    db.session.flush()


@use_case
def save_draft(user: User, case: Case, kind: str, values: dict[str, str]) -> None:
    """Keep what was typed on the form ``kind`` (replacing the earlier draft)."""
    _put(case, user, kind, {"values": _cleaned(values)})


def discard_draft(user: User, case: Case, kind: str) -> None:
    """Drop the draft: called inside the use case that sends its form."""
    row = _row(case, user, kind)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def seen_steps(case: Case, user: User) -> frozenset[str]:
    row = _row(case, user, PROGRESS)
    return frozenset((row.data.get("seen") or []) if row else [])


@use_case
def mark_seen(user: User, case: Case, step: Step) -> None:
    """The debtor looked at ``step`` (the claim, the objections) and moved on."""
    seen = seen_steps(case, user) | {step.value}
    _put(case, user, PROGRESS, {"seen": sorted(seen)})


@use_case
def send_statement(user: User, case: Case, statement: Statement, share: bool) -> None:
    """Send the statement and drop its draft, in one transaction."""
    statement_service.submit_statement(user, case, statement, share)
    discard_draft(user, case, STATEMENT)


@use_case
def send_proposal(user: User, case: Case, offer: Offer) -> None:
    """Send the proposal and drop its draft, in one transaction."""
    proposal_service.submit_proposal(user, case, offer)
    discard_draft(user, case, PROPOSAL)
