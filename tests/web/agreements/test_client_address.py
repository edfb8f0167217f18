"""The signer's address on a signature is the client's own, behind the configured reverse
proxies (``TRUSTED_PROXIES``, werkzeug ``ProxyFix``): a judge reading every signer as
127.0.0.1 sees one device signing for both sides (电子签名法 Arts. 13–14). Without trusted
proxies the forwarded header is ignored, since any client could forge it. Every signature
(agreement, package, supplementary agreement) is read through
``app.signing.views.signature_form_input``, the one place that takes the address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import trust_proxies
from app.extensions import db
from app.models.agreements import AgreementSignature
from tests import agreement_support as support
from tests.factories import PASSWORD
from tests.helpers import Browser

CLIENT = "198.51.100.23"  # RFC 5737 documentation range
FORGED = {"X-Forwarded-For": CLIENT}
BEHIND_PROXY = {"REMOTE_ADDR": "127.0.0.1"}  # the proxy on the same host


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    who = support.people()
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    return {"who": who, "case": case, "agreement": agreement}


@pytest.fixture
def one_trusted_proxy(app: Flask) -> Iterator[None]:
    """The session's application as ``create_app`` makes it with TRUSTED_PROXIES=1."""
    original = app.wsgi_app
    trust_proxies(app, 1)
    try:
        yield
    finally:
        app.wsgi_app = original  # type: ignore[method-assign]


def _sign_as_debtor(app: Flask, world: dict[str, Any]) -> AgreementSignature:
    case, who, agreement = world["case"], world["who"], world["agreement"]
    browser = Browser(app.test_client())
    assert browser.login(who["debtor"].email, PASSWORD).status_code == 302
    page = f"/cases/{case.id}/agreement/1/sign"
    sent = browser.submit(f"/cases/{case.id}/agreement/1/code", {"channel": "email"}, page=page)
    assert sent.status_code == 302
    db.session.refresh(agreement)
    signed = browser.submit(
        page,
        {
            "seen_sha256": agreement.current_sha256,
            "password": PASSWORD,
            "code": support.last_code(who["debtor"]),
            "method": "typed",
            "typed_name": who["debtor"].name,
        },
        page=page,
        headers=FORGED,
        environ_base=BEHIND_PROXY,
    )
    assert signed.status_code == 302, signed.get_data(as_text=True)[:1500]
    return db.session.scalars(
        select(AgreementSignature).where(
            AgreementSignature.agreement_id == agreement.id, AgreementSignature.role == "debtor"
        )
    ).one()


def test_through_one_trusted_proxy_the_signature_records_the_forwarded_address(
    app: Flask, world: dict[str, Any], one_trusted_proxy: None
) -> None:
    assert _sign_as_debtor(app, world).ip == CLIENT


def test_without_trusted_proxies_the_forwarded_header_is_ignored(
    app: Flask, world: dict[str, Any]
) -> None:
    assert _sign_as_debtor(app, world).ip == "127.0.0.1"


def test_a_sign_in_through_the_proxy_records_the_client_address_and_browser(
    app: Flask, world: dict[str, Any], one_trusted_proxy: None
) -> None:
    """The audit log's sign-in event and the session row keep the client's address and
    browser: the device the sham-mediation signals compare (CPL Art. 115)."""
    from app.models.audit import AuditEvent
    from app.models.auth import UserSession

    debtor = world["who"]["debtor"]
    browser = Browser(app.test_client())
    headers = {**FORGED, "User-Agent": "Mozilla/5.0 (iPhone) test"}
    response = browser.login(debtor.email, PASSWORD, headers=headers, environ_base=BEHIND_PROXY)
    assert response.status_code == 302
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "auth:login", AuditEvent.actor_id == debtor.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None
    assert event.data == {"ip": CLIENT, "user_agent": "Mozilla/5.0 (iPhone) test"}
    session = db.session.scalars(
        select(UserSession).where(UserSession.user_id == debtor.id).order_by(UserSession.id.desc())
    ).first()
    assert session is not None and (session.ip, session.user_agent) == (
        CLIENT,
        "Mozilla/5.0 (iPhone) test",
    )
