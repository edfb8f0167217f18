"""Post/redirect/get over the whole URL map (app/core/prg.py): every endpoint that takes
a POST answers a refused submission with a 303 back to a page, never with a page of its
own (which Back and reload would post again). Each POST endpoint is either walked here
(a refusal made cheaply: a case in the wrong stage, an empty form), or its refusal's 303
is asserted by a test that has the rendered documents it needs (:data:`COVERED_BY`), or it
is on the allow-list (:data:`ALLOWED`) because there is nothing a refusal could keep."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.models.cases import Case
from app.models.organisations import LicenceType
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

TESTS = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Refusal:
    """Who posts what to the endpoint so that it is refused: ``state`` is the stage of
    the case in the URL (``case`` overrides its facts), ``args`` the other URL parts."""

    actor: str
    state: CaseState | None = None
    data: dict[str, str] = field(default_factory=dict)
    args: dict[str, Any] = field(default_factory=dict)
    case: dict[str, Any] = field(default_factory=dict)
    before: Callable[[Browser, dict[str, User]], None] | None = None


def _forgot_first(browser: Browser, people: dict[str, User]) -> None:
    """The reset step needs the request of a code first (its session key)."""
    browser.submit("/login/forgot", {"identifier": people["creditor"].email}, page="/login/forgot")


NO_ONE = 999_999  # an id no row has: the use case refuses it (or the case moved on)
IN_FORCE, NEGOTIATING = CaseState.IN_FORCE, CaseState.NEGOTIATING

REFUSALS: dict[str, Refusal] = {
    "account.change_password": Refusal("creditor"),
    "account.declare_conflict": Refusal("mediator"),
    "admin.create_account": Refusal("admin"),
    "admin.create_creditor": Refusal("admin"),
    "admin.set_lpr": Refusal("admin"),
    "admin.update_grace": Refusal("admin", data={"grace-grace_days": "999"}),
    "admin.update_organisation": Refusal("admin"),
    "admin_calendar.add_override": Refusal("admin"),
    "admin_registers.set_threshold": Refusal("admin", data={"province": "广东省"}),
    "admin_registers.set_appointment": Refusal(
        "admin", args={"user_id": "mediator"}, data={"appointed_on": "not-a-day"}
    ),
    "admin_calendar.mark_year": Refusal("admin"),
    "admin_calendar.remove_override": Refusal("admin", args={"day": "2031-01-02"}),
    "agreements.draft": Refusal("mediator", CaseState.AGREEMENT_DRAFTING),
    "auth.login": Refusal("anon"),
    "case_imports.index": Refusal("creditor"),  # no sheet chosen
    "cases.decline": Refusal("mediator", CaseState.SUBMITTED),
    "cases.edit": Refusal("creditor", CaseState.DRAFT, {"principal_lent": "-1"}),
    "cases.new": Refusal("creditor", data={"principal_lent": "-1"}),
    "cases.reassign": Refusal("admin", CaseState.SUBMITTED),
    # A private loan above four times the LPR: the claim check blocks the submission.
    "cases.submit": Refusal(
        "creditor",
        CaseState.DRAFT,
        case={"annual_rate": Decimal("99.0000"), "lender_kind": LicenceType.PRIVATE_LENDER},
    ),
    "cases.upload_evidence": Refusal("creditor", CaseState.SUBMITTED),
    "closing.answer_extension": Refusal("debtor", NEGOTIATING, {"answer": "accept"}),
    "closing.end": Refusal("debtor", NEGOTIATING),
    "closing.propose_extension": Refusal("debtor", NEGOTIATING, {"until": "not-a-day"}),
    "closing.terminate": Refusal("mediator", NEGOTIATING),
    "contact_log.complain": Refusal("debtor", NEGOTIATING, {"text": ""}),
    "contact_log.log": Refusal("mediator", NEGOTIATING, {"channel": "pigeon"}),
    "confirmation.acknowledge": Refusal("mediator", IN_FORCE, {"code": "nothing"}),
    "confirmation.filing": Refusal("mediator", IN_FORCE),
    "confirmation.lift": Refusal("mediator", IN_FORCE, {"justification": "short"}),
    "confirmation.release": Refusal("mediator", IN_FORCE),
    "confirmation.remediate_case": Refusal("mediator", IN_FORCE),
    "confirmation.ruling": Refusal("mediator", IN_FORCE),
    "docket_bulk.act": Refusal("admin", data={"action": "assign"}),  # nothing selected
    "docket_bulk.send": Refusal("mediator"),  # nothing selected
    "enforcement.generate": Refusal("creditor", IN_FORCE),
    "message_templates.edit": Refusal(
        "admin", args={"org_id": "own_org", "template": "invitation", "channel": "sms"}
    ),
    "objections.create": Refusal("debtor", NEGOTIATING),
    "payment_imports.index": Refusal("creditor"),
    # The case has left negotiation: proposals can no longer be made or answered.
    "proposals.accept": Refusal("creditor", IN_FORCE, args={"proposal_id": NO_ONE}),
    "proposals.counter": Refusal("creditor", IN_FORCE, args={"proposal_id": NO_ONE}),
    "proposals.new": Refusal("debtor", NEGOTIATING),
    "proposals.reject": Refusal("creditor", IN_FORCE, args={"proposal_id": NO_ONE}),
    "proposals.withdraw": Refusal("creditor", IN_FORCE, args={"proposal_id": NO_ONE}),
    "recovery.forgot": Refusal("anon"),
    "recovery.reset": Refusal("anon", before=_forgot_first),
    "repayments.confirm": Refusal("creditor", IN_FORCE, args={"payment_id": NO_ONE}),
    "repayments.record": Refusal("creditor", IN_FORCE),
    "repayments.report": Refusal("debtor", IN_FORCE),
    "restructuring.accept": Refusal("creditor", IN_FORCE),
    "restructuring.counter": Refusal("creditor", IN_FORCE),
    "restructuring.decline": Refusal("creditor", IN_FORCE),
    "restructuring.draft": Refusal("mediator", IN_FORCE),
    "restructuring.new": Refusal("debtor", IN_FORCE),
    "sessions.new": Refusal("mediator", NEGOTIATING),  # nothing chosen: refused
    "statements.edit": Refusal("debtor", NEGOTIATING, {"household_size": "-1"}),
    "papers.power_of_attorney": Refusal("creditor", NEGOTIATING),
    "papers.receiving_account": Refusal("creditor", NEGOTIATING),
    "parties.add": Refusal("mediator", NEGOTIATING, {"role": "guarantor"}),
    "papers.identity_copy": Refusal("debtor", NEGOTIATING),
    "papers.agent_proof": Refusal("creditor", NEGOTIATING),
    "steps.objection": Refusal("debtor", NEGOTIATING),
    "steps.statement": Refusal("debtor", NEGOTIATING, {"household_size": "-1", "action": "submit"}),
    "steps.proposal": Refusal("debtor", NEGOTIATING, {"action": "send"}),
    "threads.post": Refusal("debtor", NEGOTIATING, args={"thread": "joint"}),
    "verify.index": Refusal("anon"),
}

# Endpoints whose refusal needs a rendered agreement, package or supplementary agreement,
# a live invitation link or a payment on record: the test named asserts its 303 back to
# the page (``refused(...)`` or ``follow_refusal=False``).
COVERED_BY: dict[str, tuple[str, str]] = {
    "contact_log.answer": (
        "web/cases/test_contact_log.py",
        "test_a_refused_recording_or_answer_redirects_back_to_its_page",
    ),
    "contact_log.recording": (
        "web/cases/test_contact_log.py",
        "test_a_refused_recording_or_answer_redirects_back_to_its_page",
    ),
    # The creditor organisation's administrator only (the walk's creditor is not one).
    "creditor_profile.upload_paper": (
        "web/accounts/test_creditor_profile.py",
        "test_an_empty_upload_is_refused_back_to_the_page",
    ),
    "creditor_profile.upload_seal": (
        "web/accounts/test_creditor_profile.py",
        "test_an_empty_upload_is_refused_back_to_the_page",
    ),
    # The creditor organisation's administrator only, like its profile.
    "webhooks.create": (
        "web/webhooks/test_webhooks.py",
        "test_a_plain_http_address_elsewhere_is_refused_back_to_the_form",
    ),
    "webhooks.replay": (
        "web/webhooks/test_webhooks.py",
        "test_a_removed_endpoint_s_delivery_cannot_be_sent_again",
    ),
    "agreements.retry": (
        "web/agreements/test_retry.py",
        "test_retrying_a_version_that_did_not_fail_is_refused",
    ),
    "agreements.send_code": (
        "web/agreements/test_agreements.py",
        "test_a_signing_code_is_sent_at_most_once_a_minute_and_five_times_an_hour",
    ),
    "agreements.sign": (
        "web/agreements/test_signing_page.py",
        "test_a_refused_signature_redirects_to_the_page_with_the_mark_never_the_password",
    ),
    "certificates.issue": (
        "web/certificates/test_certificates.py",
        "test_only_the_assigned_mediator_may_ask_for_the_certificate",
    ),
    "invite.code": (
        "web/cases/test_invitations.py",
        "test_a_sixth_code_attempt_is_refused_even_if_right",
    ),
    "invite.decline": (
        "web/cases/test_invitations.py",
        "test_the_debtor_may_decline_which_closes_the_case",
    ),
    "invite.identity": (
        "web/cases/test_invitations.py",
        "test_a_wrong_answer_is_counted_although_it_is_refused",
    ),
    "invite.join": (
        "web/cases/test_invitations.py",
        "test_a_common_password_is_refused_when_joining",
    ),
    "objections.answer": (
        "web/negotiation/test_objections.py",
        "test_an_empty_answer_is_refused_and_the_form_comes_back",
    ),
    "objections.resolve": (
        "web/negotiation/test_objections.py",
        "test_refused_resolve_and_withdraw_redirect_back_to_the_case_page",
    ),
    "objections.withdraw": (
        "web/negotiation/test_objections.py",
        "test_refused_resolve_and_withdraw_redirect_back_to_the_case_page",
    ),
    "packages.retry": (
        "web/confirmation/test_package_signing_page.py",
        "test_refused_package_actions_redirect_back_to_a_page",
    ),
    "packages.send_code": (
        "web/confirmation/test_package_signing_page.py",
        "test_refused_package_actions_redirect_back_to_a_page",
    ),
    "packages.sign": (
        "web/confirmation/test_package_signing_page.py",
        "test_refused_package_actions_redirect_back_to_a_page",
    ),
    **{
        f"sessions.{name}": (
            "web/sessions/test_sessions.py",
            "test_a_refused_reschedule_cancel_held_or_answer_redirects_back_to_its_page",
        )
        for name in ("reschedule", "cancel", "held", "respond")
    },
    "repayments.dispute": (
        "web/repayments/test_repayments.py",
        "test_a_refused_dispute_keeps_its_reason",
    ),
    "repayments.resolve": (
        "web/repayments/test_repayments.py",
        "test_a_refused_finding_keeps_the_note",
    ),
    # A session record's pages need a held session and a rendered record.
    "minutes.new": (
        "web/minutes/test_minutes.py",
        "test_the_mediator_writes_the_record_from_the_session_and_sends_it",
    ),
    "minutes.submit": (
        "web/minutes/test_minutes.py",
        "test_the_mediator_writes_the_record_from_the_session_and_sends_it",
    ),
    "minutes.edit": (
        "web/minutes/test_minutes.py",
        "test_a_refused_edit_redirects_back_and_an_edit_after_a_signature_warns",
    ),
    "minutes.sign": (
        "web/minutes/test_minutes.py",
        "test_refused_record_signing_and_code_redirect_back_to_the_page",
    ),
    "minutes.send_code": (
        "web/minutes/test_minutes.py",
        "test_refused_record_signing_and_code_redirect_back_to_the_page",
    ),
    "restructuring.send_code": (
        "web/restructuring/test_restructuring.py",
        "test_refused_supplementary_signing_and_code_redirect_back_to_the_page",
    ),
    "restructuring.sign": (
        "web/restructuring/test_restructuring.py",
        "test_refused_supplementary_signing_and_code_redirect_back_to_the_page",
    ),
    # the organisation's administrator only (the walk's creditor is not one)
    "api_tokens.create": (
        "web/accounts/test_api_tokens.py",
        "test_a_token_without_name_or_scope_is_refused_and_the_form_comes_back",
    ),
    "case_imports.resume": (
        "web/cases/test_imports.py",
        "test_resuming_an_import_not_stopped_is_refused_with_a_303_back_to_the_page",
    ),
    "api_tokens.revoke": (
        "web/accounts/test_api_tokens.py",
        "test_revoking_twice_is_refused_with_a_303_back_to_the_page",
    ),
}

# The allow-list: POST endpoints where a refused form's redirect cannot apply.
ALLOWED: dict[str, str] = {
    # Signing out and choosing the language: nothing typed, nothing to refuse; always a
    # redirect back.
    "auth.logout": "no input: always a redirect",
    "account.set_language": "a preference, never refused: always a redirect back",
    # A check with no input: its report is flashed on the administrator's page.
    "admin.verify_audit": "no input: always a redirect with the report",
    # Buttons of the notification centre: no input; an unknown id is not found (404).
    "notifications.open_one": "a link posted: redirect to the notice's page, or 404",
    "notifications.read_all": "no input: always a redirect",
    # Buttons with no input that whoever may press them cannot have refused; anyone
    # else is not found (404, ids do not leak) rather than refused.
    "contacts.reveal": "no input; never refused for who may press it (others: 404)",
    "cases.accept": "no input; never refused for the assigned mediator (others: 404)",
    # Locking a locked account changes nothing; another organisation's account: 404.
    "admin.lock_account": "no input; never refused (others' accounts: 404)",
    "admin.unlock_account": "no input; never refused (others' accounts: 404)",
    "admin.set_creditor_admin": "a flag; a non-creditor account is refused with a flash",
    # Past the invitation the button is not found (404); a refusal of the resend itself
    # would answer 303 through prg.refused_to, but no state reaches it cheaply.
    "deliveries.resend": "no input; a case past the invitation: 404",
    # A new link for a guarantor or co-borrower: nothing typed; a party who has joined, or
    # another case's, is not found (404); a refusal of the send answers 303 (refused_to).
    "parties.invite": "no input; a joined or unknown party: 404",
    "parties.remove": "no input; an unknown or removed party: 404; refusals answer 303",
    # Back to the built-in wording: no input; another organisation's: 404.
    "message_templates.reset": "no input; never refused (another organisation: 404)",
    # Removing a webhook endpoint: no input; another organisation's endpoint: 404.
    "webhooks.remove": "no input; never refused (another organisation's endpoint: 404)",
    # The guided path's "continue": nothing typed; a step without that button is not found.
    "steps.move_on": "no input: always a redirect to the next step (other steps: 404)",
    # The REST API answers JSON, never a page: a refusal is its problem details
    # (tests/api), and a client retries with its Idempotency-Key, not with Back.
    "api.Cases": "API (JSON): refusals are problem details",
    "api.Submit": "API (JSON): refusals are problem details",
    "api.Evidence": "API (JSON): refusals are problem details",
    "api_performance.Payments": "API (JSON): refusals are problem details",
    "api_webhooks.Endpoints": "API (JSON): refusals are problem details",
    "api_webhooks.Replay": "API (JSON): refusals are problem details",
    "api_imports.Imports": "API (JSON): refusals are problem details",
    "api_imports.ResumeImport": "API (JSON): refusals are problem details",
}


def _post_endpoints(app: Flask) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}


def test_every_post_endpoint_is_walked_covered_or_allowed(app: Flask) -> None:
    endpoints = _post_endpoints(app)
    classified = set(REFUSALS) | set(COVERED_BY) | set(ALLOWED)
    assert endpoints - classified == set(), "a new POST endpoint: make its refusal a 303"
    assert classified - endpoints == set(), "an endpoint listed here no longer exists"
    assert not set(REFUSALS) & set(COVERED_BY) and not set(ALLOWED) & (
        set(REFUSALS) | set(COVERED_BY)
    )


@pytest.mark.parametrize("endpoint", sorted(COVERED_BY))
def test_the_covering_test_exists(endpoint: str) -> None:
    path, name = COVERED_BY[endpoint]
    source = (TESTS / path).read_text(encoding="utf-8")
    assert f"def {name}(" in source


def _url(app: Flask, endpoint: str, case: Case | None, people: dict[str, User], r: Refusal) -> str:
    rule = next(x for x in app.url_map.iter_rules() if x.endpoint == endpoint)
    url = rule.rule
    if case is not None:
        url = url.replace("<int:case_id>", str(case.id))
    for name, value in r.args.items():
        value = people[r.actor].id if value == "self" else value
        value = people[value].id if value in people else value  # e.g. "mediator": their id
        value = people[r.actor].mediation_org_id if value == "own_org" else value
        url = re.sub(rf"<(?:int:)?{name}>", str(value), url)
    assert "<" not in url, url
    return url


@pytest.mark.parametrize("endpoint", sorted(REFUSALS))
def test_a_refused_post_answers_a_303_back_to_a_page(app: Flask, endpoint: str) -> None:
    r = REFUSALS[endpoint]
    org = make_mediation_org()
    people = {
        "creditor": make_user(Role.CREDITOR),
        "mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "admin": make_user(Role.ADMIN, mediation_org=org),
        "debtor": make_user(Role.DEBTOR),
    }
    case = None
    if r.state is not None:
        case = make_case(
            creditor=people["creditor"],
            mediator=people["mediator"],
            state=r.state,
            debtor_user_id=people["debtor"].id,
            **r.case,
        )
    browser = Browser(app.test_client())
    if r.actor != "anon":
        browser.login(people[r.actor].email, PASSWORD)
    if r.before is not None:
        r.before(browser, people)
    url = _url(app, endpoint, case, people, r)
    page = "/login" if r.actor == "anon" else "/account/"
    answer = browser.submit(url, r.data, page=page, follow_refusal=False)
    assert answer.status_code == 303, (endpoint, answer.status_code)
    assert browser.left_stash(), endpoint  # the refusal travels to the page, once
    shown = browser.get(answer.headers["Location"])  # the page, with the refusal once
    assert shown.mimetype == "text/html" and shown.status_code < 500, endpoint
    assert not browser.left_stash()
