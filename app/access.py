"""The one place that decides who may do what.

Permissions are named ``resource:action``. ``can(user, permission, obj)`` answers for a
user and, where it matters, a particular object; the decorators guard views with it.
Every endpoint carries either ``@requires(...)`` or ``@public``; a test walks the URL
map and fails on any endpoint that carries neither.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.models.cases import Case
from app.models.organisations import MediationOrganisation
from app.models.users import Role, User
from app.rules.cases import CLOSED_STATES, OPEN_STATES, PERFORMANCE_STATES, CaseState

F = TypeVar("F", bound=Callable[..., Any])


class Permission(StrEnum):
    ACCOUNT_MANAGE = "account:manage"
    CREDITOR_WORKSPACE = "creditor:workspace"
    DEBTOR_WORKSPACE = "debtor:workspace"
    DOCKET_VIEW = "docket:view"
    ORGANISATION_MANAGE = "organisation:manage"
    CREDITOR_ORG_MANAGE = "creditor_org:manage"
    USER_MANAGE = "user:manage"
    AUDIT_VIEW = "audit:view"
    CASE_CREATE = "case:create"
    CASE_VIEW = "case:view"
    CASE_EDIT = "case:edit"
    CASE_SUBMIT = "case:submit"
    CASE_ACCEPT = "case:accept"
    CASE_REASSIGN = "case:reassign"
    EVIDENCE_UPLOAD = "case:evidence:upload"
    EVIDENCE_DOWNLOAD = "case:evidence:download"
    CONFLICT_DECLARE = "mediator:conflict:declare"
    LPR_MANAGE = "lpr:manage"
    OBJECTION_RAISE = "case:objection:raise"
    OBJECTION_ANSWER = "case:objection:answer"
    OBJECTION_RESOLVE = "case:objection:resolve"
    STATEMENT_SUBMIT = "case:statement:submit"
    STATEMENT_VIEW = "case:statement:view"
    PROPOSAL_SUBMIT = "case:proposal:submit"
    PROPOSAL_DECIDE = "case:proposal:decide"
    PROPOSAL_WITHDRAW = "case:proposal:withdraw"
    MESSAGE_POST = "case:message:post"
    NOTE_POST = "case:note:post"
    AGREEMENT_DRAFT = "case:agreement:draft"
    AGREEMENT_VIEW = "case:agreement:view"
    AGREEMENT_SIGN = "case:agreement:sign"
    # confirmation
    CONFIRMATION_MANAGE = "case:confirmation:manage"
    PACKAGE_VIEW = "case:package:view"
    PACKAGE_SIGN = "case:package:sign"
    CALENDAR_MANAGE = "calendar:manage"
    # repayments
    REPAYMENT_VIEW = "case:repayment:view"
    PAYMENT_RECORD = "case:payment:record"
    PAYMENT_REPORT = "case:payment:report"
    PAYMENT_DECIDE = "case:payment:decide"
    PAYMENT_RESOLVE = "case:payment:resolve"
    # enforcement: the creditor's applications to the court after a breach
    ENFORCEMENT_APPLY = "case:enforcement:apply"
    # certificates
    CERTIFICATE_VIEW = "case:certificate:view"
    CERTIFICATE_ISSUE = "case:certificate:issue"


P = Permission
_CASE_READ = {P.CASE_VIEW, P.EVIDENCE_DOWNLOAD}
_NEGOTIATE = {P.PROPOSAL_SUBMIT, P.PROPOSAL_WITHDRAW, P.MESSAGE_POST}
# The agreement is the parties' and the mediator's (人民调解法 Art. 29: the parties and the
# mediator sign it); the organisation's admin does not sign it or download it.
_AGREE = {P.AGREEMENT_VIEW, P.AGREEMENT_SIGN, P.PACKAGE_VIEW}
_ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CREDITOR: frozenset(
        {
            P.ACCOUNT_MANAGE,
            P.CREDITOR_WORKSPACE,
            P.CASE_CREATE,
            P.CASE_EDIT,
            P.CASE_SUBMIT,
            P.EVIDENCE_UPLOAD,
            P.OBJECTION_ANSWER,
            P.STATEMENT_VIEW,
            P.PROPOSAL_DECIDE,
            *_CASE_READ,
            *_NEGOTIATE,
            *_AGREE,
            P.PACKAGE_SIGN,
            P.REPAYMENT_VIEW,
            P.PAYMENT_RECORD,
            P.PAYMENT_DECIDE,
            P.ENFORCEMENT_APPLY,
            P.CERTIFICATE_VIEW,
        }
    ),
    Role.DEBTOR: frozenset(
        {
            P.ACCOUNT_MANAGE,
            P.DEBTOR_WORKSPACE,
            P.OBJECTION_RAISE,
            P.STATEMENT_SUBMIT,
            P.STATEMENT_VIEW,
            P.PROPOSAL_DECIDE,
            *_CASE_READ,
            *_NEGOTIATE,
            *_AGREE,
            P.PACKAGE_SIGN,
            P.REPAYMENT_VIEW,
            P.PAYMENT_REPORT,
            P.CERTIFICATE_VIEW,
        }
    ),
    Role.MEDIATOR: frozenset(
        {
            P.ACCOUNT_MANAGE,
            P.DOCKET_VIEW,
            P.CASE_ACCEPT,
            P.CONFLICT_DECLARE,
            P.OBJECTION_RESOLVE,
            P.STATEMENT_VIEW,
            P.NOTE_POST,
            P.AGREEMENT_DRAFT,
            P.CONFIRMATION_MANAGE,
            P.REPAYMENT_VIEW,
            P.PAYMENT_RESOLVE,
            P.CERTIFICATE_VIEW,
            P.CERTIFICATE_ISSUE,
            *_CASE_READ,
            *_NEGOTIATE,
            *_AGREE,
        }
    ),
    Role.ADMIN: frozenset(
        {
            P.ACCOUNT_MANAGE,
            P.DOCKET_VIEW,
            P.ORGANISATION_MANAGE,
            P.CREDITOR_ORG_MANAGE,
            P.USER_MANAGE,
            P.AUDIT_VIEW,
            P.CASE_REASSIGN,
            P.LPR_MANAGE,
            P.CALENDAR_MANAGE,
            *_CASE_READ,
        }
    ),
}


def can(user: Any, permission: Permission, obj: Any = None) -> bool:
    """Whether ``user`` may exercise ``permission`` (on ``obj`` when given)."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if permission not in _ROLE_PERMISSIONS[user.role]:
        return False
    if obj is None:
        return True
    return _can_on_object(user, permission, obj)


def _can_on_object(user: User, permission: Permission, obj: Any) -> bool:
    if isinstance(obj, Case):
        return _can_on_case(user, permission, obj)
    if isinstance(obj, MediationOrganisation):
        return user.mediation_org_id == obj.id
    if isinstance(obj, User):
        # Admins manage the staff of their own organisation and the creditor users;
        # never themselves through the staff screens (that is the account page).
        if obj.id == user.id:
            return False
        if obj.role in (Role.MEDIATOR, Role.ADMIN):
            return obj.mediation_org_id == user.mediation_org_id
        return obj.role == Role.CREDITOR
    return False


def _is_party_or_staff(user: User, case: Any) -> bool:
    """On the case: its creditor's people, its debtor, its mediator, its organisation's
    admin. A draft is the creditor's alone until it is submitted."""
    if user.role == Role.CREDITOR:
        return user.creditor_org_id == case.creditor_org_id
    if case.state == CaseState.DRAFT:
        return False
    if user.role == Role.DEBTOR:
        return case.debtor_user_id == user.id
    if user.role == Role.MEDIATOR:
        return case.mediator_id == user.id
    return user.mediation_org_id == case.mediation_org_id


def _can_on_case(user: User, permission: Permission, case: Any) -> bool:
    """Who may act on a case, and when (the state is part of the answer)."""
    if not _is_party_or_staff(user, case):
        return False
    if permission in (Permission.CASE_EDIT, Permission.CASE_SUBMIT):
        return case.state == CaseState.DRAFT
    if permission == Permission.EVIDENCE_UPLOAD:
        return case.state not in CLOSED_STATES
    if permission == Permission.CASE_ACCEPT:
        return case.state == CaseState.SUBMITTED
    if permission == Permission.CASE_REASSIGN:
        return case.state in OPEN_STATES
    if permission in _WHILE_NEGOTIATING:
        return case.state == CaseState.NEGOTIATING
    if permission in (Permission.MESSAGE_POST, Permission.NOTE_POST):
        return case.state in (
            CaseState.NEGOTIATING,
            CaseState.AGREEMENT_DRAFTING,
            CaseState.SIGNING,
        )
    if permission == Permission.AGREEMENT_DRAFT:
        return case.state in (CaseState.AGREEMENT_DRAFTING, CaseState.SIGNING)
    if permission == Permission.AGREEMENT_SIGN:
        return case.state == CaseState.SIGNING
    if permission == Permission.AGREEMENT_VIEW:
        return case.state in _AGREEMENT_STATES
    # confirmation
    if permission == Permission.CONFIRMATION_MANAGE:
        return case.state in _CONFIRMATION_STATES
    if permission == Permission.PACKAGE_VIEW:
        return case.state in _CONFIRMATION_STATES | {CaseState.CONFIRMED}
    if permission == Permission.PACKAGE_SIGN:
        return case.state == CaseState.IN_FORCE
    # repayments: payments count while the agreement is performed; the record stays readable
    if permission in (Permission.PAYMENT_RECORD, Permission.PAYMENT_REPORT):
        return case.state in PERFORMANCE_STATES
    if permission in (Permission.PAYMENT_DECIDE, Permission.PAYMENT_RESOLVE):
        return case.state in PERFORMANCE_STATES
    if permission == Permission.REPAYMENT_VIEW:
        return case.state in PERFORMANCE_STATES | {CaseState.PERFORMED}
    if permission == Permission.ENFORCEMENT_APPLY:
        # after a breach the creditor applies (confirmed) or sues (not confirmed)
        return case.state in PERFORMANCE_STATES
    # certificates: once the case closed, as not mediated or as performed
    if permission in (Permission.CERTIFICATE_VIEW, Permission.CERTIFICATE_ISSUE):
        return case.state in (CaseState.CLOSED_NOT_MEDIATED, CaseState.PERFORMED)
    if permission == Permission.STATEMENT_VIEW:
        return True  # the creditor's view also depends on the debtor's consent: services
    return permission in (Permission.CASE_VIEW, Permission.EVIDENCE_DOWNLOAD)


_AGREEMENT_STATES = frozenset(
    {
        CaseState.SIGNING,
        CaseState.IN_FORCE,
        CaseState.FILED,
        CaseState.CONFIRMED,
        CaseState.CONFIRMATION_REJECTED,
    }
)
_CONFIRMATION_STATES = frozenset(
    {CaseState.IN_FORCE, CaseState.FILED, CaseState.CONFIRMATION_REJECTED}
)
_WHILE_NEGOTIATING = frozenset(
    {
        Permission.OBJECTION_RAISE,
        Permission.OBJECTION_ANSWER,
        Permission.OBJECTION_RESOLVE,
        Permission.STATEMENT_SUBMIT,
        Permission.PROPOSAL_SUBMIT,
        Permission.PROPOSAL_DECIDE,
        Permission.PROPOSAL_WITHDRAW,
    }
)


def role_home_endpoint(user: User) -> str:
    return {
        Role.CREDITOR: "home.creditor",
        Role.DEBTOR: "home.debtor",
        Role.MEDIATOR: "docket.index",
        Role.ADMIN: "admin.home",
    }[user.role]


def public(view: F) -> F:
    """Mark a view as open to anyone, signed in or not."""
    view.__access__ = "public"  # type: ignore[attr-defined]
    return view


def requires(permission: Permission) -> Callable[[F], F]:
    """Guard a view: anonymous users go to the sign-in page, others without the
    permission get 403. Object-level checks happen in the view with :func:`can`
    (and answer 404, so ids of other people's objects do not leak)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        guarded.__access__ = permission  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def requires_object(permission: Permission, obj: Any) -> None:
    """Abort with 404 unless the current user may act on ``obj``."""
    if obj is None or not can(current_user, permission, obj):
        abort(404)
