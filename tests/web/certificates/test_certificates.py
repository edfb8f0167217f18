"""The certificates over HTTP: the creditor, the debtor and the assigned mediator download
them from the case page (the debtor also from home), everyone else is refused; the
mediator alone may ask for a missing one; /verify accepts them; downloads are audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.documents import issued as documents
from app.extensions import db
from app.models import AuditEvent, IssuedDocument
from app.models.agreements import DocumentKind
from app.models.users import User
from app.repayments.payments import record_payment
from app.rules.cases import CaseState
from tests import agreement_support as support
from tests.certificate_support import declined_case
from tests.factories import PASSWORD
from tests.helpers import Browser, refused
from tests.repayment_support import entry, performing_case

ACTORS = (
    "creditor",
    "creditor_colleague",
    "other_creditor",
    "mediator",
    "colleague_mediator",
    "foreign_mediator",
    "admin",
    "debtor",
    "other_debtor",
)
MAY_DOWNLOAD = {"creditor", "creditor_colleague", "mediator", "debtor"}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _downloads() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "case:certificate:download")
    )


@pytest.fixture
def failed(app: Flask) -> dict[str, Any]:
    who = support.people()
    # A debtor with an account on the case (one who declined after joining another case
    # of theirs): the rule lets the case's own debtor download its certificate.
    case = declined_case(who, debtor_user_id=who["debtor"].id)
    return {"who": who, "case": case}


@pytest.fixture
def performed(app: Flask) -> dict[str, Any]:
    who, case, _agreement = performing_case(count=1)
    record_payment(who["creditor"], case, entry("24000.00", "TX-ALL"))
    db.session.expire_all()
    assert case.state == CaseState.PERFORMED
    return {"who": who, "case": case}


@pytest.mark.parametrize("world", ["failed", "performed"])
@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_parties_and_the_mediator_download_the_certificate(
    app: Flask, request: pytest.FixtureRequest, world: str, actor: str
) -> None:
    w = request.getfixturevalue(world)
    case = w["case"]
    before = _downloads()
    response = _as(app, w["who"][actor]).get(f"/cases/{case.id}/certificate.pdf?download=1")
    if actor in MAY_DOWNLOAD:
        assert response.status_code == 200, actor
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        assert "attachment" in response.headers["Content-Disposition"]
        assert _downloads() == before + 1
    else:
        assert response.status_code in (403, 404), (actor, response.status_code)
        assert _downloads() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_assigned_mediator_may_ask_for_the_certificate(
    app: Flask, failed: dict[str, Any], actor: str
) -> None:
    case = failed["case"]
    browser = _as(app, failed["who"][actor])
    response = browser.submit(f"/cases/{case.id}/certificate/issue", {}, page="/account/")
    if actor == "mediator":
        # Already issued: a redirect to the case page, which says so (post/redirect/get).
        assert refused(response) and response.status_code == 409
    else:
        assert response.status_code in (403, 404), (actor, response.status_code)
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 1


def test_the_mediator_issues_a_missing_certificate_from_the_case_page(
    app: Flask, failed: dict[str, Any]
) -> None:
    case = failed["case"]
    db.session.execute(db.delete(IssuedDocument).where(IssuedDocument.case_id == case.id))
    browser = _as(app, failed["who"]["mediator"])
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/certificate/issue" in page
    response = browser.submit(f"/cases/{case.id}/certificate/issue", {}, page=f"/cases/{case.id}")
    assert response.status_code == 302
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/certificate.pdf" in page
    assert f"/cases/{case.id}/certificate/issue" not in page


def test_the_creditor_sees_the_certificate_on_the_case_page(
    app: Flask, failed: dict[str, Any]
) -> None:
    case = failed["case"]
    page = _as(app, failed["who"]["creditor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="certificate"' in page and f"/cases/{case.id}/certificate.pdf" in page
    assert "/certificate/issue" not in page  # the creditor cannot ask for it


def test_the_debtor_finds_the_settlement_certificate_at_home(
    app: Flask, performed: dict[str, Any]
) -> None:
    case = performed["case"]
    page = _as(app, performed["who"]["debtor"]).get("/debtor").get_data(as_text=True)
    assert f"/cases/{case.id}/certificate.pdf" in page
    other = _as(app, performed["who"]["other_debtor"]).get("/debtor").get_data(as_text=True)
    assert "/certificate.pdf" not in other


@pytest.mark.parametrize(
    ("world", "kind"),
    [
        ("failed", DocumentKind.FAILURE_CERTIFICATE),
        ("performed", DocumentKind.SETTLEMENT_CERTIFICATE),
    ],
)
def test_verify_accepts_the_certificate(
    app: Flask, request: pytest.FixtureRequest, world: str, kind: DocumentKind
) -> None:
    case = request.getfixturevalue(world)["case"]
    doc = db.session.scalars(
        select(IssuedDocument).where(IssuedDocument.case_id == case.id, IssuedDocument.kind == kind)
    ).one()
    data = documents.read_pdf(doc.sha256)
    browser = Browser(app.test_client())
    response = browser.upload("/verify", {"file": (data, "certificate.pdf")}, page="/verify")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="card verify-result accepted"' in html
    assert case.reference in html
    assert "由调解组织出具并签章" in html  # not "issued for signing": nobody else signs it
    changed = data[:-20] + bytes([data[-20] ^ 1]) + data[-19:]
    html = browser.upload("/verify", {"file": (changed, "c.pdf")}, page="/verify").get_data(
        as_text=True
    )
    assert "verify-result accepted" not in html


def test_the_settlement_amount_is_the_total_paid(performed: dict[str, Any]) -> None:
    from tests.certificate_support import pdf_text

    case = performed["case"]
    doc = db.session.scalars(select(IssuedDocument).where(IssuedDocument.case_id == case.id)).one()
    assert f"¥{Decimal('24000.00'):,.2f}" in pdf_text(documents.read_pdf(doc.sha256))
