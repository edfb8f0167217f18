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

from app.models.case_imports import CaseImport
from app.models.cases import Case
from app.models.organisations import CreditorOrganisation, MediationOrganisation
from app.models.payment_imports import PaymentImport
from app.models.users import Role, User
from app.rules.case_parties import OPEN_FOR_PARTIES
from app.rules.cases import CLOSED_STATES, OPEN_STATES, PERFORMANCE_STATES, CaseState

F = TypeVar("F", bound=Callable[..., Any])


class Permission(StrEnum):
    ACCOUNT_MANAGE = "account:manage"
    # one's own in-app notifications (the object check: the notification is one's own)
    NOTIFICATION_READ = "account:notification:read"
    CREDITOR_WORKSPACE = "creditor:workspace"
    DEBTOR_WORKSPACE = "debtor:workspace"
    DOCKET_VIEW = "docket:view"
    ORGANISATION_MANAGE = "organisation:manage"
    # the organisation's own wording of its outreach messages (app.rules.message_templates)
    TEMPLATE_MANAGE = "organisation:template:manage"
    CREDITOR_ORG_MANAGE = "creditor_org:manage"
    # the creditor organisation's own profile (licences, seal): its administrator only
    CREDITOR_PROFILE_MANAGE = "creditor_org:profile:manage"
    # the organisation's API tokens (/api/v1): created, scoped and revoked by its admin
    API_TOKEN_MANAGE = "creditor_org:api_token:manage"  # noqa: S105 (a permission name)
    USER_MANAGE = "user:manage"
    AUDIT_VIEW = "audit:view"
    CASE_CREATE = "case:create"
    CASE_VIEW = "case:view"
    CASE_EDIT = "case:edit"
    CASE_SUBMIT = "case:submit"
    CASE_ACCEPT = "case:accept"
    CASE_REASSIGN = "case:reassign"
    # the mediator's view of the messages sent on the case, and a new invitation link
    CASE_MESSAGES_VIEW = "case:messages:view"
    INVITATION_RESEND = "case:invitation:resend"
    # the docket's bulk invitations: a new link for each selected case still at the
    # invitation stage (the mediator's own cases; the admin's organisation's)
    BULK_INVITE = "docket:bulk:invite"
    EVIDENCE_UPLOAD = "case:evidence:upload"
    EVIDENCE_DOWNLOAD = "case:evidence:download"
    # the creditor's power of attorney and receiving account, asked for at case opening
    CASE_PAPERS = "case:papers:give"
    # the debtor's ID copy (front and back) for the court package
    IDENTITY_COPY_UPLOAD = "case:identity:upload"
    CONFLICT_DECLARE = "mediator:conflict:declare"
    CONTACT_REVEAL = "case:contact:reveal"
    # The sham-mediation signals across the organisation (CPL Art. 115): the mediator's.
    COLLUSION_VIEW = "case:collusion:view"
    LPR_MANAGE = "lpr:manage"
    COURT_LEVELS_MANAGE = "court_levels:manage"
    # the contact record (every call, visit, letter with a party) and complaints about it
    CONTACT_LOG = "case:contact:log"
    CONTACT_HISTORY = "case:contact:history"
    COMPLAINT_FILE = "case:complaint:file"
    COMPLAINT_ANSWER = "case:complaint:answer"
    COMPLIANCE_VIEW = "compliance:view"
    # the figures and charts of one's own scope (app.dashboards.figures.scope_of)
    DASHBOARD_VIEW = "dashboard:view"
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
    # a creditor organisation's statement of payments, matched to its cases
    PAYMENT_IMPORT = "creditor:payment:import"
    # a creditor organisation's sheet of cases (and ZIP of evidence), imported row by row
    CASE_IMPORT = "creditor:case:import"
    # enforcement: the creditor's applications to the court after a breach
    ENFORCEMENT_APPLY = "case:enforcement:apply"
    # certificates
    CERTIFICATE_VIEW = "case:certificate:view"
    CERTIFICATE_ISSUE = "case:certificate:issue"
    # the end of a mediation without agreement, and the extension of its period
    MEDIATION_END = "case:mediation:end"  # a party asks to end it
    MEDIATION_TERMINATE = "case:mediation:terminate"  # the mediator ends it
    MEDIATION_EXTEND = "case:mediation:extend"  # a party proposes or answers an extension
    # restructuring: a supplementary agreement (补充协议) on an agreement in force
    RESTRUCTURING_VIEW = "case:restructuring:view"
    RESTRUCTURING_REQUEST = "case:restructuring:request"
    RESTRUCTURING_ANSWER = "case:restructuring:answer"
    SUPPLEMENTARY_DRAFT = "case:supplementary:draft"
    SUPPLEMENTARY_SIGN = "case:supplementary:sign"
    # the debtor's guided path through their case, one step per page, and its drafts
    STEPS_FOLLOW = "case:steps:follow"
    # guarantors and co-borrowers: the creditor adds them while drafting, the mediator
    # until an agreement is drafted; the mediator sends (again) their invitation link
    CASE_PARTY_ADD = "case:party:add"
    CASE_PARTY_INVITE = "case:party:invite"
    # the mediation record (调解笔录) of a held session: the mediator writes it, the
    # parties and the mediator read and sign it (人民调解法 Art. 27)
    RECORD_WRITE = "case:minutes:write"
    RECORD_VIEW = "case:minutes:view"
    RECORD_SIGN = "case:minutes:sign"
    # mediation sessions: the assigned mediator schedules, moves, cancels and records
    # them; the invited parties answer (app.sessions)
    SESSION_SCHEDULE = "case:session:schedule"
    SESSION_RECORD = "case:session:record"
    SESSION_RESPOND = "case:session:respond"


P = Permission
_CASE_READ = {P.CASE_VIEW, P.EVIDENCE_DOWNLOAD}
_NEGOTIATE = {P.PROPOSAL_SUBMIT, P.PROPOSAL_WITHDRAW, P.MESSAGE_POST}
# The agreement is the parties' and the mediator's (人民调解法 Art. 29: the parties and the
# mediator sign it); the organisation's admin does not sign it or download it.
_AGREE = {P.AGREEMENT_VIEW, P.AGREEMENT_SIGN, P.PACKAGE_VIEW, P.RECORD_VIEW, P.RECORD_SIGN}
_ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CREDITOR: frozenset(
        {
            P.ACCOUNT_MANAGE,
            P.NOTIFICATION_READ,
            P.CREDITOR_WORKSPACE,
            P.CASE_CREATE,
            P.CASE_EDIT,
            P.CASE_SUBMIT,
            P.EVIDENCE_UPLOAD,
            P.CASE_PAPERS,
            P.CONTACT_LOG,
            P.CONTACT_HISTORY,
            P.COMPLAINT_FILE,
            P.COMPLIANCE_VIEW,
            P.DASHBOARD_VIEW,
            P.CREDITOR_PROFILE_MANAGE,
            P.API_TOKEN_MANAGE,
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
            P.PAYMENT_IMPORT,
            P.CASE_IMPORT,
            P.ENFORCEMENT_APPLY,
            P.CERTIFICATE_VIEW,
            P.MEDIATION_END,
            P.MEDIATION_EXTEND,
            P.RESTRUCTURING_VIEW,
            P.RESTRUCTURING_ANSWER,
            P.SUPPLEMENTARY_SIGN,
            P.CASE_PARTY_ADD,
            P.SESSION_RESPOND,
        }
    ),
    Role.DEBTOR: frozenset(
        {
            P.ACCOUNT_MANAGE,
            P.NOTIFICATION_READ,
            P.DEBTOR_WORKSPACE,
            P.STEPS_FOLLOW,
            P.CONTACT_HISTORY,
            P.COMPLAINT_FILE,
            P.IDENTITY_COPY_UPLOAD,
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
            P.MEDIATION_END,
            P.MEDIATION_EXTEND,
            P.RESTRUCTURING_VIEW,
            P.RESTRUCTURING_REQUEST,
            P.RESTRUCTURING_ANSWER,
            P.SUPPLEMENTARY_SIGN,
            P.SESSION_RESPOND,
        }
    ),
    Role.MEDIATOR: frozenset(
        {
            P.ACCOUNT_MANAGE,
            P.NOTIFICATION_READ,
            P.DOCKET_VIEW,
            P.BULK_INVITE,
            P.DASHBOARD_VIEW,
            P.CASE_ACCEPT,
            P.CASE_MESSAGES_VIEW,
            P.INVITATION_RESEND,
            P.CONFLICT_DECLARE,
            P.CONTACT_REVEAL,
            P.COLLUSION_VIEW,
            P.CONTACT_LOG,
            P.CONTACT_HISTORY,
            P.OBJECTION_RESOLVE,
            P.STATEMENT_VIEW,
            P.NOTE_POST,
            P.AGREEMENT_DRAFT,
            P.CONFIRMATION_MANAGE,
            P.REPAYMENT_VIEW,
            P.PAYMENT_RESOLVE,
            P.CERTIFICATE_VIEW,
            P.CERTIFICATE_ISSUE,
            P.MEDIATION_TERMINATE,
            P.RESTRUCTURING_VIEW,
            P.SUPPLEMENTARY_DRAFT,
            P.SUPPLEMENTARY_SIGN,
            P.CASE_PARTY_ADD,
            P.CASE_PARTY_INVITE,
            P.RECORD_WRITE,
            P.SESSION_SCHEDULE,
            P.SESSION_RECORD,
            *_CASE_READ,
            *_NEGOTIATE,
            *_AGREE,
        }
    ),
    Role.ADMIN: frozenset(
        {
            P.ACCOUNT_MANAGE,
            P.NOTIFICATION_READ,
            P.DOCKET_VIEW,
            P.BULK_INVITE,
            P.ORGANISATION_MANAGE,
            P.TEMPLATE_MANAGE,
            P.CREDITOR_ORG_MANAGE,
            P.USER_MANAGE,
            P.AUDIT_VIEW,
            P.CASE_REASSIGN,
            P.LPR_MANAGE,
            P.COURT_LEVELS_MANAGE,
            P.CALENDAR_MANAGE,
            P.CONTACT_HISTORY,
            P.COMPLAINT_ANSWER,
            P.COMPLIANCE_VIEW,
            P.DASHBOARD_VIEW,
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
    if isinstance(obj, CreditorOrganisation):
        # Its profile is kept by its administrator, no one else (not even a colleague).
        return user.creditor_org_id == obj.id and user.is_creditor_admin
    if isinstance(obj, PaymentImport | CaseImport):
        return user.creditor_org_id is not None and user.creditor_org_id == obj.creditor_org_id
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
        return case.debtor_user_id == user.id or is_extra_party(user, case)
    if user.role == Role.MEDIATOR:
        return case.mediator_id == user.id
    return user.mediation_org_id == case.mediation_org_id


def is_extra_party(user: User, case: Any) -> bool:
    """A guarantor or co-borrower of the case (``Case.extra_parties``) who has joined with
    this account (they sign in as a debtor does)."""
    return user.role == Role.DEBTOR and any(
        p.user_id == user.id for p in getattr(case, "extra_parties", ())
    )


# What a guarantor or co-borrower may do on a case they are party to: read it, read and
# sign the agreement, read and sign the court package (they apply jointly), read and sign
# a supplementary agreement that changes the agreement they signed (民法典 Arts. 543,
# 695). The debtor's own acts (objections, the statement of means, proposals, payments,
# asking for or answering a restructuring, ending the mediation) stay the debtor's.
_EXTRA_PARTY_PERMISSIONS = frozenset(
    {
        Permission.CASE_VIEW,
        Permission.EVIDENCE_DOWNLOAD,
        Permission.AGREEMENT_VIEW,
        Permission.AGREEMENT_SIGN,
        Permission.PACKAGE_VIEW,
        Permission.PACKAGE_SIGN,
        Permission.RESTRUCTURING_VIEW,
        Permission.SUPPLEMENTARY_SIGN,
        Permission.IDENTITY_COPY_UPLOAD,  # their own copy, for the court package
        # where the repayment stands: they answer for it (民法典 Arts. 518, 688), and are
        # told of a breach; never the debtor's receipts (app.repayments.views)
        Permission.REPAYMENT_VIEW,
    }
)


def _can_on_case(user: User, permission: Permission, case: Any) -> bool:
    """Who may act on a case, and when (the state is part of the answer)."""
    if not _is_party_or_staff(user, case):
        return False
    if (
        user.role == Role.DEBTOR
        and case.debtor_user_id != user.id
        and permission not in _EXTRA_PARTY_PERMISSIONS
    ):
        return False  # a guarantor or co-borrower: read, and sign the agreement
    if permission == Permission.CASE_PARTY_ADD:
        return case.state.value in OPEN_FOR_PARTIES and (
            user.role == Role.MEDIATOR or case.state == CaseState.DRAFT
        )
    if permission in (Permission.SESSION_SCHEDULE, Permission.SESSION_RESPOND):
        return case.state in SESSION_STATES
    if permission == Permission.SESSION_RECORD:
        # a session held is recorded until the case closes (the contact log's window)
        return case.state not in CLOSED_STATES | {CaseState.DRAFT, CaseState.SUBMITTED}
    if permission == Permission.CASE_PARTY_INVITE:
        return case.state in _PARTY_INVITE_STATES
    if permission in (Permission.CASE_EDIT, Permission.CASE_SUBMIT):
        return case.state == CaseState.DRAFT
    if permission in (Permission.EVIDENCE_UPLOAD, Permission.CASE_PAPERS):
        return case.state not in CLOSED_STATES
    if permission == Permission.IDENTITY_COPY_UPLOAD:
        # The debtor gives the ID copy once in the mediation, until the court has it.
        return case.state in _IDENTITY_COPY_STATES
    if permission in (Permission.CONTACT_REVEAL, Permission.COLLUSION_VIEW):
        return True  # the assigned mediator, on any of their cases (a reveal is audited)
    if permission in (Permission.RECORD_WRITE, Permission.RECORD_SIGN):
        # sessions are held from the mediator's acceptance until the case closes
        return case.state not in CLOSED_STATES | {CaseState.DRAFT, CaseState.SUBMITTED}
    if permission == Permission.RECORD_VIEW:
        return True  # the case file stays readable; which record: app.minutes.common
    if permission == Permission.CONTACT_LOG:
        # from the mediator's acceptance until the case closes: the mediator's own
        # contacts, and the creditor's with a debtor whose case is in mediation
        return case.state not in CLOSED_STATES | {CaseState.DRAFT, CaseState.SUBMITTED}
    if permission in (Permission.CONTACT_HISTORY, Permission.COMPLAINT_ANSWER):
        return True  # what each viewer sees of it: app.cases.contact_log.visible_contacts
    if permission == Permission.COMPLAINT_FILE:
        return user.role in (Role.DEBTOR, Role.CREDITOR) and case.state != CaseState.DRAFT
    if permission == Permission.CASE_ACCEPT:
        return case.state == CaseState.SUBMITTED
    if permission == Permission.CASE_REASSIGN:
        return case.state in OPEN_STATES
    if permission in (Permission.INVITATION_RESEND, Permission.BULK_INVITE):
        return case.state == CaseState.INVITED
    if permission == Permission.CASE_MESSAGES_VIEW:
        return True  # the record of what was sent stays readable in every state
    if permission in _WHILE_NEGOTIATING:
        return case.state == CaseState.NEGOTIATING
    if permission in (Permission.MESSAGE_POST, Permission.NOTE_POST):
        # The conversation stays open from negotiation through signing, confirmation and
        # performance (a debtor asking to move a payment must get an answer, 人民调解法
        # Art. 22); it closes with the case.
        return case.state in _CONVERSATION_STATES
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
    # restructuring: while the agreement is performed; its record stays readable after
    if permission in _RESTRUCTURING_ACTS:
        return case.state in PERFORMANCE_STATES
    if permission == Permission.RESTRUCTURING_VIEW:
        return case.state in PERFORMANCE_STATES | {CaseState.PERFORMED}
    # certificates: once the case closed, as not mediated or as performed
    if permission in (Permission.CERTIFICATE_VIEW, Permission.CERTIFICATE_ISSUE):
        return case.state in (CaseState.CLOSED_NOT_MEDIATED, CaseState.PERFORMED)
    # a party may ask to end the mediation until an agreement takes effect (人民调解法
    # Art. 23(2)); the mediator ends it once the debtor is in it; the period is extended
    # while the parties negotiate (cf. 在线调解规则 Art. 24)
    if permission == Permission.MEDIATION_END:
        return case.state in _ENDABLE_STATES
    if permission == Permission.MEDIATION_TERMINATE:
        return case.state in _ENDABLE_STATES - {CaseState.INVITED}
    if permission == Permission.MEDIATION_EXTEND:
        return case.state == CaseState.NEGOTIATING
    if permission == Permission.STEPS_FOLLOW:
        return case.state in _STEP_STATES
    if permission == Permission.STATEMENT_VIEW:
        return True  # the creditor's view also depends on the debtor's consent: services
    return permission in (Permission.CASE_VIEW, Permission.EVIDENCE_DOWNLOAD)


# Sessions are arranged and answered while the parties mediate: from the debtor joining
# until everyone has signed the agreement.
SESSION_STATES = frozenset({CaseState.NEGOTIATING, CaseState.AGREEMENT_DRAFTING, CaseState.SIGNING})

# A guarantor's or co-borrower's link may be sent until everyone has signed the agreement.
_PARTY_INVITE_STATES = frozenset(
    {
        CaseState.INVITED,
        CaseState.NEGOTIATING,
        CaseState.AGREEMENT_DRAFTING,
        CaseState.SIGNING,
    }
)

# The debtor's ID copy (法释〔2011〕5号 Art. 3): from joining until the package is filed.
_IDENTITY_COPY_STATES = frozenset(
    {
        CaseState.NEGOTIATING,
        CaseState.AGREEMENT_DRAFTING,
        CaseState.SIGNING,
        CaseState.IN_FORCE,
    }
)

# The debtor's guided path: from joining the mediation to performing the agreement.
_STEP_STATES = frozenset(
    {
        CaseState.NEGOTIATING,
        CaseState.AGREEMENT_DRAFTING,
        CaseState.SIGNING,
        CaseState.IN_FORCE,
        CaseState.FILED,
        CaseState.CONFIRMED,
        CaseState.PERFORMED,
    }
)
_RESTRUCTURING_ACTS = frozenset(
    {
        Permission.RESTRUCTURING_REQUEST,
        Permission.RESTRUCTURING_ANSWER,
        Permission.SUPPLEMENTARY_DRAFT,
        Permission.SUPPLEMENTARY_SIGN,
    }
)
_AGREEMENT_STATES = frozenset(
    {
        CaseState.SIGNING,
        CaseState.IN_FORCE,
        CaseState.FILED,
        CaseState.CONFIRMED,
        CaseState.CONFIRMATION_REJECTED,
    }
)
_CONVERSATION_STATES = frozenset(
    {
        CaseState.NEGOTIATING,
        CaseState.AGREEMENT_DRAFTING,
        CaseState.SIGNING,
        CaseState.IN_FORCE,
        CaseState.FILED,
        CaseState.CONFIRMED,
        CaseState.CONFIRMATION_REJECTED,
    }
)
_ENDABLE_STATES = frozenset(
    {CaseState.INVITED, CaseState.NEGOTIATING, CaseState.AGREEMENT_DRAFTING, CaseState.SIGNING}
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
