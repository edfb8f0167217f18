"""Access matrix over every case endpoint: each actor near a case, and each refused one
changes nothing. Refusals are 403 (the role never may) or 404 (not your case: ids of other
people's cases do not leak)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Case, EvidenceFile
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_creditor_org, make_mediation_org, make_user
from tests.helpers import Browser

PDF = b"%PDF-1.4\n%%EOF\n"
ACTORS = (
    "own_creditor",
    "other_creditor",
    "assigned_mediator",
    "colleague_mediator",
    "foreign_mediator",
    "own_admin",
    "foreign_admin",
    "the_debtor",
    "other_debtor",
)


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    org, foreign_org = make_mediation_org(), make_mediation_org()
    people: dict[str, User] = {
        "own_creditor": make_user(Role.CREDITOR),
        "other_creditor": make_user(Role.CREDITOR),
        "assigned_mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "colleague_mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "foreign_mediator": make_user(Role.MEDIATOR, mediation_org=foreign_org),
        "own_admin": make_user(Role.ADMIN, mediation_org=org),
        "foreign_admin": make_user(Role.ADMIN, mediation_org=foreign_org),
        "the_debtor": make_user(Role.DEBTOR),
        "other_debtor": make_user(Role.DEBTOR),
    }
    case = make_case(
        creditor=people["own_creditor"],
        mediator=people["assigned_mediator"],
        state=CaseState.SUBMITTED,
        debtor_user_id=people["the_debtor"].id,
    )
    draft = make_case(
        creditor=people["own_creditor"], mediation_org_id=org.id, state=CaseState.DRAFT
    )
    evidence = EvidenceFile(
        case_id=case.id,
        category="contract",
        description="",
        size=len(PDF),
        original_name="a.pdf",
        media_type="application/pdf",
        sha256="a" * 64,
        uploaded_by_id=people["own_creditor"].id,
    )
    db.session.add(evidence)
    db.session.commit()
    return {"people": people, "case": case, "draft": draft, "evidence": evidence}


# (method, url template, form, actors allowed). {case}, {draft}, {evidence}, {colleague}.
ENDPOINTS = [
    ("GET", "/cases/{case}", {}, {"own_creditor", "assigned_mediator", "own_admin", "the_debtor"}),
    ("GET", "/cases/{draft}", {}, {"own_creditor"}),
    ("GET", "/cases/{draft}/edit", {}, {"own_creditor"}),
    ("GET", "/cases/{case}/edit", {}, set()),  # submitted: locked for everyone
    (
        "POST",
        "/cases/{draft}/edit",
        {"debtor_name": "改", "action": "draft", "mediation_org_id": "{org}"},
        {"own_creditor"},
    ),
    ("POST", "/cases/{draft}/submit", {}, {"own_creditor"}),
    ("POST", "/cases/{case}/evidence", {"category": "contract"}, {"own_creditor"}),
    ("POST", "/cases/{case}/accept", {}, {"assigned_mediator"}),
    ("POST", "/cases/{case}/decline", {"reason": "冲突"}, {"assigned_mediator"}),
    ("POST", "/cases/{case}/reassign", {"mediator_id": "{colleague}"}, {"own_admin"}),
    ("GET", "/cases", {}, {"own_creditor", "other_creditor"}),
    ("GET", "/cases/new", {}, {"own_creditor", "other_creditor"}),
]


def _url(template: str, world: dict[str, object]) -> str:
    people = world["people"]
    return template.format(
        case=world["case"].id,
        draft=world["draft"].id,
        evidence=world["evidence"].id,
        colleague=people["colleague_mediator"].id,
        org=world["case"].mediation_org_id,
    )


def _call(browser: Browser, method: str, url: str, form: dict[str, str], world) -> int:
    if method == "GET":
        return browser.get(url).status_code
    data = {k: _url(v, world) for k, v in form.items()}
    if url.endswith("/evidence"):
        data["file"] = (PDF, "a.pdf")
        return browser.upload(url, data, page="/account/").status_code
    return browser.submit(url, data, page="/account/").status_code


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize(("method", "template", "form", "allowed"), ENDPOINTS)
@pytest.mark.parametrize("actor", ACTORS)
def test_case_endpoint_matrix(app: Flask, world, method, template, form, allowed, actor) -> None:
    user = world["people"][actor]
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    before = _events()
    status = _call(browser, method, _url(template, world), form, world)
    if actor in allowed:
        assert status in (200, 302), (actor, template, status)
    else:
        assert status in (403, 404), (actor, template, status)
        if method == "POST":
            assert _events() == before, "a refused request changed something"


@pytest.mark.parametrize(("method", "template", "form", "allowed"), ENDPOINTS)
def test_anonymous_is_sent_to_sign_in(app: Flask, world, method, template, form, allowed) -> None:
    browser = Browser(app.test_client())
    url = _url(template, world)
    response = browser.get(url) if method == "GET" else browser.submit(url, {}, page="/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_evidence_download_matrix(app: Flask, world) -> None:
    from pathlib import Path

    store = Path(app.config["SETTINGS"].storage_path) / "aa" / "aa"
    store.mkdir(parents=True)
    (store / ("a" * 64)).write_bytes(PDF)
    url = f"/cases/{world['case'].id}/evidence/{world['evidence'].id}"
    allowed = {"own_creditor", "assigned_mediator", "own_admin", "the_debtor"}
    for actor in ACTORS:
        browser = Browser(app.test_client())
        browser.login(world["people"][actor].email, PASSWORD)
        response = browser.get(url)
        assert response.status_code == (200 if actor in allowed else 404), actor
        if actor in allowed:
            assert response.data == PDF


def test_evidence_of_one_case_through_anothers_url(app: Flask, world) -> None:
    browser = Browser(app.test_client())
    browser.login(world["people"]["own_creditor"].email, PASSWORD)
    url = f"/cases/{world['draft'].id}/evidence/{world['evidence'].id}"
    assert browser.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "form", "allowed"),
    [
        (
            "/account/conflicts",
            {"creditor_org_id": "{creditor}", "reason": "曾任职"},
            {Role.MEDIATOR},
        ),
        ("/admin/lpr", {"effective": "2026-01-20", "rate": "2.95"}, {Role.ADMIN}),
    ],
)
@pytest.mark.parametrize("role", list(Role))
def test_settings_endpoints(app: Flask, url: str, form: dict, allowed: set, role: Role) -> None:
    user = make_user(role)
    creditor_org = make_creditor_org()
    browser = Browser(app.test_client())
    browser.login(user.email, PASSWORD)
    before = _events()
    data = {k: v.format(creditor=creditor_org.id) for k, v in form.items()}
    status = browser.submit(url, data, page="/account/").status_code
    if role in allowed:
        assert status == 302 and _events() > before
    else:
        assert status == 403 and _events() == before


def test_cases_list_never_shows_other_organisations(app: Flask, world) -> None:
    browser = Browser(app.test_client())
    browser.login(world["people"]["other_creditor"].email, PASSWORD)
    html = browser.get("/cases").get_data(as_text=True)
    assert world["case"].reference not in html and world["draft"].reference not in html


def test_a_mediator_of_another_organisation_cannot_act(app: Flask, world) -> None:
    browser = Browser(app.test_client())
    browser.login(world["people"]["foreign_mediator"].email, PASSWORD)
    case: Case = world["case"]
    assert browser.submit(f"/cases/{case.id}/accept", page="/account/").status_code == 404
    db.session.refresh(case)
    assert case.state == CaseState.SUBMITTED
