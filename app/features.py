"""The features of Concord, in the order of a case's life, and what each adds to the app.

``accounts`` ← ``calendar`` ← ``cases`` ← ``negotiation`` ← ``sessions`` ← ``closing`` ←
``agreements`` | ``minutes`` (the session records, 调解笔录) ← ``confirmation`` ←
``repayments`` ← ``enforcement`` | ``certificates`` | ``restructuring`` ← ``webhooks``: a
later feature may use an earlier one, never the reverse, and enforcement, certificates and
restructuring not each other (the import-linter contracts hold the code to it). This module
is the one place that knows them all: the application factory registers their blueprints
and case-page sections from here, and the worker (:mod:`app.worker`) loads their tasks.
"""

from __future__ import annotations

from flask import Blueprint

from app import audit
from app.accounts.home_sections import on_home
from app.accounts.views import (
    account,
    admin,
    api_tokens,
    auth,
    creditor,
    message_templates,
    notifications,
    recovery,
    registers,
)
from app.agreements import signing as agreement_signing
from app.agreements import tasks as agreement_tasks
from app.agreements import views as agreements
from app.api import tasks as api_tasks
from app.calendar import overrides as calendar_overrides
from app.calendar import views as calendar
from app.cases import joining
from app.cases import tasks as case_tasks
from app.cases.panels import Panel
from app.cases.views import (
    cases,
    contact_log,
    contacts,
    deliveries,
    docket,
    docket_bulk,
    invite,
    papers,
    parties,
)
from app.cases.views import (
    imports as case_imports,
)
from app.certificates import issuing as certificate_issuing
from app.certificates import tasks as certificate_tasks
from app.certificates import views as certificates
from app.closing import tasks as closing_tasks
from app.closing import views as closing
from app.confirmation import deadline as confirmation_deadline
from app.confirmation import tasks as confirmation_tasks
from app.confirmation.views import confirmation, packages, signals
from app.dashboards import views as dashboards
from app.enforcement import presenters as enforcement_presenters
from app.enforcement import tasks as enforcement_tasks
from app.enforcement import views as enforcement
from app.minutes import tasks as minutes_tasks
from app.minutes import views as minutes
from app.models.users import Role
from app.negotiation.views import objections, proposals, statements, threads
from app.notifications import tasks as notification_tasks
from app.repayments import common as repayment_common
from app.repayments import import_views as payment_imports
from app.repayments import presenters as repayment_presenters
from app.repayments import tasks as repayment_tasks
from app.repayments import views as repayments
from app.restructuring import presenters as restructuring_presenters
from app.restructuring import tasks as restructuring_tasks
from app.restructuring import views as restructuring
from app.rules.cases import PERFORMANCE_STATES, CaseState
from app.sessions import presenters as session_presenters
from app.sessions import tasks as session_tasks
from app.sessions import views as sessions
from app.steps import views as steps
from app.todo import views as todo
from app.web import health, home, verify
from app.webhooks import events as webhook_events
from app.webhooks import tasks as webhook_tasks
from app.webhooks import views as webhooks

FEATURES = (
    "accounts",
    "calendar",
    "cases",
    "negotiation",
    "sessions",
    "closing",
    "agreements",
    "minutes",
    "confirmation",
    "repayments",
    "enforcement",
    "certificates",
    "restructuring",
    "webhooks",
)

BLUEPRINTS: tuple[Blueprint, ...] = (
    auth.bp,
    recovery.bp,
    account.bp,
    notifications.bp,
    health.bp,
    home.bp,
    admin.bp,
    creditor.bp,
    api_tokens.bp,
    registers.bp,
    message_templates.bp,
    calendar.bp,
    case_imports.bp,
    cases.bp,
    contacts.bp,
    contact_log.bp,
    papers.bp,
    parties.bp,
    invite.bp,
    deliveries.bp,
    docket.bp,
    docket_bulk.bp,
    verify.bp,
    packages.bp,
    confirmation.bp,
    agreements.bp,
    objections.bp,
    statements.bp,
    proposals.bp,
    threads.bp,
    sessions.bp,
    closing.bp,
    repayments.bp,
    payment_imports.bp,
    enforcement.bp,
    certificates.bp,
    restructuring.bp,
    minutes.bp,
    steps.bp,
    webhooks.bp,
    dashboards.bp,
)

# The case page, in the order a reader needs: the repayment once the agreement is in
# force and enforcement after it, the court's confirmation and the agreement once there
# are, what is disputed, what the debtor can afford, the offers, talk.
CASE_PANELS: tuple[Panel, ...] = (
    certificates.certificate_panel,
    closing.mediation_panel,
    repayments.repayment_panel,
    restructuring_presenters.restructuring_panel,
    enforcement.enforcement_panel,
    confirmation.confirmation_panel,
    signals.collusion_panel,
    agreements.agreement_panel,
    parties.parties_panel,
    objections.objections_panel,
    statements.statement_panel,
    proposals.proposals_panel,
    # the sessions arranged with the parties, and their answers
    session_presenters.sessions_panel,
    threads.threads_panel,
    # the record of each held session, confirmed by the parties (人民调解法 Art. 27)
    minutes.record_panel,
    # every contact with a party and the complaints about them (BRIEF §6)
    contact_log.contact_panel,
)

# Importing a tasks module registers its Huey tasks and their job names (app.core.jobs).
TASK_MODULES = (
    notification_tasks,
    session_tasks,
    case_tasks,
    closing_tasks,
    agreement_tasks,
    confirmation_tasks,
    repayment_tasks,
    enforcement_tasks,
    certificate_tasks,
    restructuring_tasks,
    webhook_tasks,
    minutes_tasks,
    api_tasks,
)

# A change of the legal calendar moves the confirmation deadlines counted on it, in the
# same transaction (the calendar comes before confirmation, so it cannot call it itself).
calendar_overrides.on_calendar_change(confirmation_deadline.refresh_confirmation_deadlines)
# The agreement's last signature starts the 30-day window to apply for judicial
# confirmation (CPL Art. 205), in the same transaction.
agreement_signing.on_agreement_in_force(confirmation_deadline.on_agreement_in_force)
# The docket shows where the repayment of each case in performance stands (the docket is
# the cases feature's, which comes before repayments).
docket.on_docket_rows(
    repayment_presenters.docket_states, PERFORMANCE_STATES | {CaseState.PERFORMED}
)
# ... and, for a confirmed agreement, the deadline to apply for enforcement (CPL Art. 250).
docket.on_docket_rows(enforcement_presenters.docket_deadlines, {CaseState.CONFIRMED})
# The contact history links each held session to its record (调解笔录, 人民调解法 Art. 27).
contact_log.on_contact_rows(minutes.contact_links)
# A case that closes (as not mediated, or as performed) gets its certificate from the
# worker once the closing transaction commits.
joining.on_closed_not_mediated(certificate_issuing.enqueue_certificate)
repayment_common.on_performed(certificate_issuing.enqueue_certificate)
# Each role's home page opens with its to-do list (the home pages of the admin and the
# mediator belong to features that come before the ones whose work it lists).
on_home(Role.DEBTOR, todo.debtor_section)
on_home(Role.CREDITOR, todo.creditor_section)
on_home(Role.MEDIATOR, todo.mediator_section)
on_home(Role.ADMIN, todo.admin_section)
# A creditor's systems are told of what happens on its cases: every event the audit log
# records is mapped to the webhooks it stands for in one place, in the same transaction.
audit.on_record(webhook_events.on_audit_event)
