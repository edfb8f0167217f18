"""The debtor's income-and-spending statement (modelled on the UK Standard Financial
Statement) and who may see it.

Each submission is a new row; the newest counts and older ones stay on the record. The
assessment (disposable income, affordable band, explanation) is always computed by
:func:`app.rules.affordability.assess` from the stored figures, never stored itself.

Who sees it: the debtor and the case's mediator always; the creditor only while the
debtor consents — the newest statement's ``shared_with_creditor``. A statement is
sensitive personal information (PIPL Art. 28: financial accounts) and giving it to
another handler needs the person's separate consent (PIPL Arts. 23, 29), which can be
withdrawn at any time (Art. 15): un-ticking "share" on a later statement withdraws it.
Every read of a statement goes through :func:`visible_statement`.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.access import Permission, can
from app.audit import AuditAction
from app.core import clock
from app.core.errors import InvalidInput, Refused
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.invitations import Consent
from app.models.negotiation import FinancialStatement
from app.models.users import Role, User
from app.rules.affordability import (
    ESSENTIAL_CATEGORIES,
    INCOME_SOURCES,
    Affordability,
    Statement,
    assess,
)

SHARE_KIND = "share_statement"
SHARE_VERSION = "2026-11"
SHARE_TEXT_ZH = (
    "我同意调解组织将我填写的收入与支出情况（收入、必要开支、存款和资产）提供给本案债权人，"
    "用于商定还款方案。我可以在以后提交情况表时取消勾选，撤回此同意。"
)
SHARE_TEXT_EN = (
    "I agree that the mediation organisation shows my income-and-spending statement "
    "(income, essential spending, savings and assets) to the creditor of this case, to agree "
    "a repayment plan. I can withdraw this by un-ticking it on a later statement."
)


class StatementError(Refused):
    """Only the case's debtor states their means."""

    messages = {
        "not_the_debtor": _l("Only the debtor of this case can fill in the statement."),
    }


class StatementInvalid(InvalidInput):
    """A figure of the statement form that cannot be taken as typed (the codes of
    :func:`app.rules.affordability.parse_statement`, and ``negative`` for an amount typed
    with a minus sign); ``field`` names the input."""

    messages = {
        "number_format": _l("Enter a whole number with digits only, e.g. 3."),
        "household_size_range": _l("Enter the number of people in your household, from 1 to 20."),
        "dependants_range": _l("Enter a number from 0 to 19."),
        "dependants_household": _l(
            "Dependants must be fewer than the people in your household, which counts you."
        ),
        "negative": _l("Enter 0 or more, without a minus sign."),
    }


@use_case
def submit_statement(
    actor: User, case: Case, statement: Statement, share: bool
) -> FinancialStatement:
    """Record the debtor's statement and their choice about sharing it with the creditor.

    Sharing is a consent of its own: ticking it records a ``Consent`` (versioned text)
    unless one is already in force; not ticking it withdraws the one in force. Both are
    audited, with the statement, in one transaction. The figures are not copied into the
    append-only audit log (it cannot be erased); the log names the statement row.
    """
    if case.debtor_user_id != actor.id:
        raise StatementError("not_the_debtor")
    row = FinancialStatement(
        case_id=case.id,
        user_id=actor.id,
        household_size=statement.household_size,
        dependants=statement.dependants,
        income={k: str(v) for k, v in statement.income.items()},
        spending={k: str(v) for k, v in statement.spending.items()},
        savings=statement.savings,
        assets=statement.assets,
        shared_with_creditor=share,
    )
    db.session.add(row)
    case.last_activity_at = clock.now()
    db.session.flush()
    audit.record(
        AuditAction.CASE_STATEMENT_SUBMIT,
        actor=actor,
        object_type="financial_statement",
        object_id=row.id,
        case_id=case.id,
        data={"shared_with_creditor": share},
    )
    _record_consent(actor, case, share)
    return row


def _record_consent(actor: User, case: Case, share: bool) -> None:
    current = active_share_consent(actor, case)
    if share and current is None:
        consent = Consent(
            user_id=actor.id,
            case_id=case.id,
            kind=SHARE_KIND,
            text_version=SHARE_VERSION,
            text=SHARE_TEXT_ZH,
        )
        db.session.add(consent)
        db.session.flush()
        _audit_consent(AuditAction.CASE_CONSENT_GIVE, actor, consent)
    elif not share and current is not None:
        current.withdrawn_at = clock.now()
        _audit_consent(AuditAction.CASE_CONSENT_WITHDRAW, actor, current)


def _audit_consent(action: AuditAction, actor: User, consent: Consent) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="consent",
        object_id=consent.id,
        case_id=consent.case_id,
        data={"kind": consent.kind, "version": consent.text_version},
    )


def active_share_consent(user: User, case: Case) -> Consent | None:
    return db.session.scalar(
        select(Consent)
        .where(
            Consent.user_id == user.id,
            Consent.case_id == case.id,
            Consent.kind == SHARE_KIND,
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Consent.id.desc())
        .limit(1)
    )


def latest_statement(case: Case) -> FinancialStatement | None:
    """The newest statement of the case (the one that counts). Not access-checked: for
    showing it to someone, use :func:`visible_statement`."""
    return db.session.scalar(
        select(FinancialStatement)
        .where(FinancialStatement.case_id == case.id)
        .order_by(FinancialStatement.id.desc())
        .limit(1)
    )


def may_see(viewer: User, case: Case, latest: FinancialStatement | None) -> bool:
    """The debtor and the mediator of the case always; its creditor only with consent."""
    if not can(viewer, Permission.STATEMENT_VIEW, case):
        return False
    if viewer.role == Role.CREDITOR:
        return latest is not None and latest.shared_with_creditor
    return True


def visible_statement(viewer: User, case: Case) -> FinancialStatement | None:
    """The newest statement if ``viewer`` may see it, else ``None`` (also when there is
    none: the two are deliberately alike for a creditor)."""
    latest = latest_statement(case)
    return latest if latest is not None and may_see(viewer, case, latest) else None


def as_domain(row: FinancialStatement) -> Statement:
    """The stored figures as the domain's statement (sources and categories it knows)."""
    return Statement(
        household_size=row.household_size,
        dependants=row.dependants,
        income={k: Decimal(str(v)) for k, v in row.income.items() if k in INCOME_SOURCES},
        spending={k: Decimal(str(v)) for k, v in row.spending.items() if k in ESSENTIAL_CATEGORIES},
        savings=row.savings,
        assets=row.assets,
    )


def assessment(row: FinancialStatement) -> Affordability:
    return assess(as_domain(row))
