"""The features of Concord, in the order of a case's life, and what each adds to the app.

``accounts`` ← ``calendar`` ← ``cases`` ← ``negotiation`` ← ``agreements`` ←
``confirmation`` ← ``repayments`` ← ``enforcement`` | ``certificates``: a later feature
may use an earlier one, never the reverse, and the last two not each other (the
import-linter contracts hold the code to it). This module is the one place that knows them
all: the application factory registers their blueprints and case-page sections from here,
and the worker (:mod:`app.worker`) loads their tasks.
"""

from __future__ import annotations

from flask import Blueprint

from app.accounts.views import account, admin, auth
from app.agreements import signing as agreement_signing
from app.agreements import tasks as agreement_tasks
from app.agreements import views as agreements
from app.calendar import overrides as calendar_overrides
from app.calendar import views as calendar
from app.cases import joining
from app.cases.panels import Panel
from app.cases.views import cases, docket, invite
from app.certificates import issuing as certificate_issuing
from app.certificates import tasks as certificate_tasks
from app.certificates import views as certificates
from app.confirmation import deadline as confirmation_deadline
from app.confirmation import tasks as confirmation_tasks
from app.confirmation.views import confirmation, packages
from app.enforcement import views as enforcement
from app.negotiation.views import objections, proposals, statements, threads
from app.notifications import tasks as notification_tasks
from app.repayments import common as repayment_common
from app.repayments import presenters as repayment_presenters
from app.repayments import tasks as repayment_tasks
from app.repayments import views as repayments
from app.web import home, verify

FEATURES = (
    "accounts",
    "calendar",
    "cases",
    "negotiation",
    "agreements",
    "confirmation",
    "repayments",
    "enforcement",
    "certificates",
)

BLUEPRINTS: tuple[Blueprint, ...] = (
    auth.bp,
    account.bp,
    home.bp,
    admin.bp,
    calendar.bp,
    cases.bp,
    invite.bp,
    docket.bp,
    verify.bp,
    packages.bp,
    confirmation.bp,
    agreements.bp,
    objections.bp,
    statements.bp,
    proposals.bp,
    threads.bp,
    repayments.bp,
    enforcement.bp,
    certificates.bp,
)

# The case page, in the order a reader needs: the repayment once the agreement is in
# force and enforcement after it, the court's confirmation and the agreement once there
# are, what is disputed, what the debtor can afford, the offers, talk.
CASE_PANELS: tuple[Panel, ...] = (
    certificates.certificate_panel,
    repayments.repayment_panel,
    enforcement.enforcement_panel,
    confirmation.confirmation_panel,
    agreements.agreement_panel,
    objections.objections_panel,
    statements.statement_panel,
    proposals.proposals_panel,
    threads.threads_panel,
)

# Importing a tasks module registers its Huey tasks and their job names (app.core.jobs).
TASK_MODULES = (
    notification_tasks,
    agreement_tasks,
    confirmation_tasks,
    repayment_tasks,
    certificate_tasks,
)

# A change of the legal calendar moves the confirmation deadlines counted on it, in the
# same transaction (the calendar comes before confirmation, so it cannot call it itself).
calendar_overrides.on_calendar_change(confirmation_deadline.refresh_confirmation_deadlines)
# The agreement's last signature starts the 30-day window to apply for judicial
# confirmation (CPL Art. 205), in the same transaction.
agreement_signing.on_agreement_in_force(confirmation_deadline.on_agreement_in_force)
# The docket shows where the repayment of each case in performance stands (the docket is
# the cases feature's, which comes before repayments).
docket.on_docket_rows(repayment_presenters.docket_states)
# A case that closes (as not mediated, or as performed) gets its certificate from the
# worker once the closing transaction commits.
joining.on_closed_not_mediated(certificate_issuing.enqueue_certificate)
repayment_common.on_performed(certificate_issuing.enqueue_certificate)
