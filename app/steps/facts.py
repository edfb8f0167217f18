"""The facts of a case that decide the debtor's current step, read from the database."""

from __future__ import annotations

from sqlalchemy import exists, select

from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import FinancialStatement, Objection
from app.models.users import User
from app.rules.debtor_steps import Step, StepFacts, current_step
from app.steps.drafts import seen_steps


def facts_for(case: Case, user: User) -> StepFacts:
    seen = seen_steps(case, user)
    has_objection = db.session.scalar(
        select(exists().where(Objection.case_id == case.id, Objection.raised_by_id == user.id))
    )
    has_statement = db.session.scalar(select(exists().where(FinancialStatement.case_id == case.id)))
    return StepFacts(
        state=case.state,
        claim_seen=Step.CLAIM.value in seen,
        objections_seen=Step.OBJECTIONS.value in seen,
        has_objection=bool(has_objection),
        has_statement=bool(has_statement),
    )


def current_step_of(case: Case, user: User) -> Step:
    return current_step(facts_for(case, user))
