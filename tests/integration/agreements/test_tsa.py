"""With a time-stamping authority configured (TSA_URL), every signature the platform puts
on the agreement carries an RFC 3161 timestamp: a real authority on loopback answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from asn1crypto import pem
from flask import Flask

from app import create_app
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models.agreements import AgreementStatus
from tests import agreement_support as support
from tests.conftest import IsolatedClient, make_settings, shared_pki
from tests.documents.tsa import LocalTsa
from tests.documents.tsa import tsa as tsa  # noqa: F401  (fixture)


@pytest.fixture
def app_with_tsa(instance_path: Path, database_url: str, tsa: LocalTsa) -> Iterator[Flask]:
    # The TSA's root joins the organisation's CA in the trust bundle /verify uses.
    bundle = instance_path / "trust.pem"
    roots = [shared_pki()["ca"].read_bytes()]
    roots += [pem.armor("CERTIFICATE", cert.dump()) for cert in tsa.trust_roots]
    bundle.write_bytes(b"".join(roots))
    settings = make_settings(instance_path, database_url)
    settings = replace(settings, signing_ca_path=bundle, tsa_url=tsa.url)
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.commits
def test_every_signature_carries_a_timestamp(app_with_tsa: Flask, tsa: LocalTsa) -> None:
    who = support.people()
    case = support.settled_case(who)
    before = len(tsa.requests)
    agreement = support.draft(case, who)
    support.sign_all(case, agreement, who)
    assert agreement.status == AgreementStatus.IN_FORCE
    assert len(tsa.requests) - before >= 4  # at least one per signature (pyHanko may probe)
    report = verify_pdf(documents.read_pdf(agreement.current_sha256), documents.trust_roots())
    assert report.accepted, report.problem
    assert all(s.timestamp_time is not None for s in report.signatures)
