"""Nothing in a caucus, nor in the mediator's notes, is ever visible to the other side.

A case is seeded, through the real posting endpoint, with a distinctive secret in every
thread. Then EVERY GET endpoint of the application (walked from ``app.url_map``, so a view
added later is covered without editing this test) is fetched as every person near the
case, and the secret of each thread that person may not read must not appear in the
response — while their own secrets do appear on the case page, so the test can fail. The
outbox (emails and SMS) and the audit log must never hold any message text at all.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, EvidenceFile
from app.models.cases import Case
from app.models.negotiation import (
    FinancialStatement,
    Message,
    Objection,
    Proposal,
    ProposalInstalment,
    Thread,
)
from app.models.notifications import OutboundMessage
from app.models.sessions import MediationSession, SessionResponse
from app.models.users import Role, User
from app.notifications.tasks import deliver_outbox_now
from app.rules.cases import CaseState
from app.rules.proposals import Side
from app.rules.sessions import SessionKind, SessionMeans
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

PDF = b"%PDF-1.4\n%%EOF\n"
# (author, thread, text): every thread holds a secret of its own, written by each member.
SECRETS = [
    ("debtor", Thread.JOINT, "JOINT-DEBTOR-kx81"),
    ("mediator", Thread.JOINT, "JOINT-MEDIATOR-p2v7"),
    ("debtor", Thread.CAUCUS_DEBTOR, "CAUCUS-DEBTOR-SAYS-q4z9"),
    ("mediator", Thread.CAUCUS_DEBTOR, "CAUCUS-DEBTOR-MEDIATOR-m3w5"),
    ("creditor", Thread.CAUCUS_CREDITOR, "CAUCUS-CREDITOR-SAYS-r7t2"),
    ("creditor_colleague", Thread.CAUCUS_CREDITOR, "CAUCUS-CREDITOR-COLLEAGUE-c9d4"),
    ("mediator", Thread.CAUCUS_CREDITOR, "CAUCUS-CREDITOR-MEDIATOR-h6j1"),
    ("mediator", Thread.NOTES, "MEDIATOR-NOTE-n5b8"),
]
ALL = frozenset(Thread)
# Who reads which threads. Everyone else near the case reads none.
READS: dict[str, frozenset[Thread]] = {
    "debtor": frozenset({Thread.JOINT, Thread.CAUCUS_DEBTOR}),
    "creditor": frozenset({Thread.JOINT, Thread.CAUCUS_CREDITOR}),
    "creditor_colleague": frozenset({Thread.JOINT, Thread.CAUCUS_CREDITOR}),
    "mediator": ALL,
    "admin": ALL,  # by decision: the organisation's admin reads every thread (read-only)
    "colleague_mediator": frozenset(),
    "foreign_mediator": frozenset(),
    "foreign_admin": frozenset(),
    "other_creditor": frozenset(),
    "other_debtor": frozenset(),
}
# GET endpoints that take no case content: what they need, and why they are skipped.
NOT_CASE_CONTENT = {
    "token": "an invitation link's public first step",
    "filename": "static files",
    "import_id": (
        "an organisation's statement of payments or sheet of cases (its own rows, no thread)"
    ),
    "org_id": "an organisation's own wording of its messages (templates, no case)",
    "template": "which of the organisation's messages (with org_id)",
    "channel": "which channel of that message (with org_id)",
    "paper_id": "a creditor organisation's licence or ID copy (its profile, no case content)",
    "endpoint_id": "a creditor organisation's webhook endpoint (its address, no case content)",
    "delivery_id": "a creditor's webhook delivery (a case's reference and state, no thread)",
    "chart": "a dashboard chart's numbers (counts and sums over the viewer's scope, no text)",
}


def _browser(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _people() -> dict[str, User]:
    org, foreign_org = make_mediation_org(), make_mediation_org()
    creditor = make_user(Role.CREDITOR)
    return {
        "debtor": make_user(Role.DEBTOR),
        "creditor": creditor,
        "creditor_colleague": make_user(Role.CREDITOR, creditor_org_id=creditor.creditor_org_id),
        "mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "admin": make_user(Role.ADMIN, mediation_org=org),
        "colleague_mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "foreign_mediator": make_user(Role.MEDIATOR, mediation_org=foreign_org),
        "foreign_admin": make_user(Role.ADMIN, mediation_org=foreign_org),
        "other_creditor": make_user(Role.CREDITOR),
        "other_debtor": make_user(Role.DEBTOR),
    }


def _related_rows(app: Flask, case: Case, people: dict[str, User]) -> dict[str, int]:
    """One row of every kind a case URL may name, so every case URL can be filled in."""
    debtor, creditor = people["debtor"], people["creditor"]
    store = Path(app.config["SETTINGS"].storage_path) / "aa" / "aa"
    store.mkdir(parents=True, exist_ok=True)
    (store / ("a" * 64)).write_bytes(PDF)
    evidence = EvidenceFile(
        case_id=case.id,
        category="contract",
        description="",
        size=len(PDF),
        original_name="contract.pdf",
        media_type="application/pdf",
        sha256="a" * 64,
        uploaded_by_id=creditor.id,
    )
    objection = Objection(
        case_id=case.id, item="interest", reason="利息过高", raised_by_id=debtor.id
    )
    statement = FinancialStatement(
        case_id=case.id,
        user_id=debtor.id,
        household_size=2,
        dependants=1,
        income={"wages": "6000.00"},
        spending={"housing": "2000.00"},
        savings=Decimal("0.00"),
        assets=Decimal("0.00"),
        shared_with_creditor=False,
    )
    proposal = Proposal(
        case_id=case.id,
        side=Side.DEBTOR,
        proposer_id=debtor.id,
        kind="lump_sum",
        total=Decimal("30000.00"),
        principal=Decimal("30000.00"),
        interest=Decimal("0.00"),
        fees=Decimal("0.00"),
        discount=Decimal("1800.00"),
        first_due=date.today() + timedelta(days=30),
        instalments=[
            ProposalInstalment(
                number=1,
                due=date.today() + timedelta(days=30),
                amount=Decimal("30000.00"),
                kind="lump_sum",
            )
        ],
    )
    # A caucus session with the debtor, its place the debtor caucus's secret: no page,
    # calendar file or list may tell the creditor of it (app.sessions).
    session = MediationSession(
        case_id=case.id,
        kind=SessionKind.CAUCUS_DEBTOR,
        means=SessionMeans.IN_PERSON,
        starts_at=datetime.now(UTC) + timedelta(days=1),
        minutes=60,
        place="CAUCUS-DEBTOR-SAYS-q4z9",
        uid="session-walk@concord",
        scheduled_by_id=people["mediator"].id,
        responses=[SessionResponse(side="debtor")],
    )
    db.session.add_all([evidence, objection, statement, proposal, session])
    db.session.commit()
    message = db.session.scalars(select(Message).order_by(Message.id)).first()
    assert message is not None
    return {
        "case_id": case.id,
        "evidence_id": evidence.id,
        "objection_id": objection.id,
        "statement_id": statement.id,
        "proposal_id": proposal.id,
        "session_id": session.id,
        "message_id": message.id,
        "user_id": people["mediator"].id,
        # The agreement's version and the package's number (walked here while negotiating;
        # the package's own timeline is checked for caucus content in tests/test_package.py).
        "version": 1,
        "number": 1,
        # A payment's id (no payment exists while negotiating: the repayment pages answer
        # 404; their own tests are tests/web/repayments).
        "payment_id": 1,
        # A contact record's recording (none is logged here: 404; who may hear one is
        # tested in tests/web/cases/test_contact_log.py).
        "contact_id": 1,
        # A page image of the agreement's or the package's file (none exists while
        # negotiating: 404; their own tests are tests/web/agreements/test_signing_page.py).
        # A session record (none is written here: 404; who may read one is tested in
        # tests/web/minutes/test_minutes.py).
        "record_id": 1,
        "sha": "0" * 64,
        "page": 1,
        "name": "claim",  # the debtor's guided steps: every step is walked below
    }


@pytest.fixture
def seeded(app: Flask) -> dict[str, object]:
    people = _people()
    case = make_case(
        creditor=people["creditor"],
        mediator=people["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=people["debtor"].id,
    )
    for author, thread, text in SECRETS:
        response = _browser(app, people[author]).submit(
            f"/cases/{case.id}/threads/{thread.value}", {"body": text}, page="/account/"
        )
        assert response.status_code == 302, (author, thread)
    deliver_outbox_now()
    ids = _related_rows(app, case, people)
    return {"people": people, "case": case, "ids": ids}


def _secrets_of(threads: frozenset[Thread]) -> list[str]:
    return [text for _, thread, text in SECRETS if thread in threads]


def _get_urls(app: Flask, ids: dict[str, int]) -> list[str]:
    """Every GET URL of the application, case URLs filled in with this case's rows."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        unknown = set(rule.arguments) - ids.keys()
        if unknown and "case_id" in rule.arguments:
            pytest.fail(f"{rule.rule}: teach this test to fill {sorted(unknown)}")
        if unknown:
            assert unknown <= NOT_CASE_CONTENT.keys(), f"{rule.rule}: unknown {unknown}"
            continue
        urls.append(rule.build({a: ids[a] for a in rule.arguments}, append_unknown=False)[1])
    # Every thread's "show earlier" page too, with a cursor past every message.
    pages = "&".join(f"before_{t.value}={2**31 - 1}" for t in Thread)
    urls.append(f"/cases/{ids['case_id']}?{pages}")
    steps = ("objections", "statement", "proposal", "sign", "perform")
    urls.extend(f"/cases/{ids['case_id']}/steps/{step}" for step in steps)
    return urls


def test_the_walk_covers_the_case_page_downloads_homes_and_lists(app: Flask, seeded) -> None:
    urls = _get_urls(app, seeded["ids"])
    case_id, evidence_id = seeded["ids"]["case_id"], seeded["ids"]["evidence_id"]
    expected = {
        f"/cases/{case_id}",
        f"/cases/{case_id}/evidence/{evidence_id}",
        "/",
        "/cases",
        "/docket",
        "/account/",
        "/creditor",
        "/debtor",
        "/mediator",
    }
    assert expected <= set(urls)


@pytest.mark.parametrize("viewer", list(READS))
def test_no_view_or_download_shows_a_thread_the_viewer_may_not_read(
    app: Flask, seeded, viewer: str
) -> None:
    browser = _browser(app, seeded["people"][viewer])
    forbidden = _secrets_of(ALL - READS[viewer])
    for url in _get_urls(app, seeded["ids"]):
        body = browser.get(url).data
        leaked = [s for s in forbidden if s.encode() in body]
        assert not leaked, f"{viewer} sees {leaked} at {url}"


@pytest.mark.parametrize("viewer", [v for v, threads in READS.items() if threads])
def test_the_viewer_does_see_their_own_threads_on_the_case_page(
    app: Flask, seeded, viewer: str
) -> None:
    html = _browser(app, seeded["people"][viewer]).get(f"/cases/{seeded['case'].id}").data
    for secret in _secrets_of(READS[viewer]):
        assert secret.encode() in html, f"{viewer} should see {secret}"


@pytest.mark.parametrize("viewer", ["debtor", "creditor", "creditor_colleague"])
def test_a_refused_post_shows_the_page_again_without_the_other_sides_secrets(
    app: Flask, seeded, viewer: str
) -> None:
    browser = _browser(app, seeded["people"][viewer])
    response = browser.submit(
        f"/cases/{seeded['case'].id}/threads/joint", {"body": "  "}, page="/account/"
    )
    assert response.status_code == 400
    leaked = [s for s in _secrets_of(ALL - READS[viewer]) if s.encode() in response.data]
    assert not leaked


def test_no_notice_carries_any_message_text(app: Flask, seeded) -> None:
    rows = db.session.scalars(select(OutboundMessage)).all()
    assert rows, "the seeded messages should have queued notices"
    for row in rows:
        text = " ".join([row.subject, row.body, row.error or "", row.template])
        assert not [s for _, _, s in SECRETS if s in text], row.id


def test_no_audit_event_carries_any_message_text(app: Flask, seeded) -> None:
    events = db.session.scalars(select(AuditEvent)).all()
    for event in events:
        dumped = json.dumps(event.data, ensure_ascii=False, default=str)
        assert not [s for _, _, s in SECRETS if s in dumped], event.action
    posts = [e for e in events if e.action == "case:message:post"]
    assert len(posts) == len(SECRETS)
    messages = {m.id: m for m in db.session.scalars(select(Message))}
    for event in posts:
        assert set(event.data) == {"message_id", "thread", "length"}
        message = messages[event.data["message_id"]]
        assert event.data["thread"] == message.thread.value
        assert event.data["length"] == len(message.body)


def _timeline_entries(browser: Browser, case: Case) -> int:
    html = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    return html.split('id="timeline-title"', 1)[1].count("<time ")


@pytest.mark.parametrize(
    ("viewer", "posts"),
    [
        ("creditor", [("debtor", Thread.CAUCUS_DEBTOR), ("mediator", Thread.NOTES)]),
        ("debtor", [("creditor", Thread.CAUCUS_CREDITOR), ("mediator", Thread.NOTES)]),
    ],
)
def test_the_timeline_does_not_reveal_activity_in_a_thread_the_viewer_may_not_read(
    app: Flask, seeded, viewer: str, posts: list[tuple[str, Thread]]
) -> None:
    case, people = seeded["case"], seeded["people"]
    browser = _browser(app, people[viewer])
    before = _timeline_entries(browser, case)
    for author, thread in posts:
        _browser(app, people[author]).submit(
            f"/cases/{case.id}/threads/{thread.value}", {"body": "x"}, page="/account/"
        )
    assert _timeline_entries(browser, case) == before
