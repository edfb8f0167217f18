"""The demo's joint guarantor (app.demo.parties): added by the mediator to 钱芳's case while
it negotiated, joined by their own link with the consents, named in the agreement, which
waits for their signature as it does for the bank's; listed with the demo accounts; a
second seeding adds nothing."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from app.agreements.common import current_agreement
from app.agreements.signing import may_sign, signed_roles
from app.cases.lifecycle import today
from app.demo.seed import DEMO_PASSWORD, seed
from app.documents import issued as documents
from app.extensions import db
from app.models import AuditEvent, Case, CaseParty, Consent, User
from app.models.agreements import AgreementStatus
from app.rules.cases import CaseState
from app.rules.schedules import Frequency
from app.todo.debtor import debtor_todo
from tests.helpers import Browser
from tests.worlds import Snapshot, restore

EMAIL = "guarantor@demo.concord"
CONSENTS = {"share_organisation", "share_creditor", "share_court", "e_service"}


def _case() -> Case:
    return db.session.scalars(select(Case).where(Case.debtor_email == "debtor4@demo.concord")).one()


def _party(case: Case) -> CaseParty:
    return db.session.scalars(select(CaseParty).where(CaseParty.case_id == case.id)).one()


def test_the_signing_case_has_one_joined_joint_guarantor(app: Flask, seeded: None) -> None:
    case = _case()
    (party,) = db.session.scalars(select(CaseParty)).all()  # the only one in the demo
    assert party.case_id == case.id and party.removed_at is None
    assert (party.role, party.guarantee_kind, party.name) == ("guarantor", "joint", "冯保国")
    assert party.id_masked == "110102********1230" and party.id_number != case.debtor_id_number
    assert party.invited_at is not None and party.joined_at is not None
    guarantor = db.session.get(User, party.user_id)
    assert guarantor is not None and guarantor.email == EMAIL
    assert guarantor.phone == "13800138014" and guarantor.id != case.debtor_user_id
    kinds = set(
        db.session.scalars(
            select(Consent.kind).where(Consent.case_id == case.id, Consent.user_id == guarantor.id)
        )
    )
    assert kinds == CONSENTS

    # Added before the agreement was drafted: every version names them.
    assert case.state == CaseState.SIGNING
    agreement = current_agreement(case)
    assert agreement is not None and agreement.status == AgreementStatus.SIGNING
    assert signed_roles(agreement) == {"debtor"}
    bank = db.session.scalars(select(User).where(User.email == "bank@demo.concord")).one()
    assert may_sign(bank, case, agreement) and may_sign(guarantor, case, agreement)
    with app.test_request_context():
        # his signature, and his own ID copy for the court (法释〔2011〕5号 Art. 3)
        assert [item.kind for item in debtor_todo(guarantor, today())] == ["sign", "id_copy"]


def test_the_guarantor_signs_in_and_is_asked_to_sign_the_agreement(
    app: Flask, seeded: None
) -> None:
    case = _case()
    agreement = current_agreement(case)
    assert agreement is not None
    sign_url = f"/cases/{case.id}/agreement/{agreement.version}/sign"
    browser = Browser(app.test_client())
    assert browser.login(EMAIL, DEMO_PASSWORD).headers["Location"] == "/debtor"
    home = browser.get("/debtor").get_data(as_text=True)
    assert case.reference in home and sign_url in home  # the to-do item
    page = browser.get(f"/cases/{case.id}")
    assert page.status_code == 200 and sign_url in page.get_data(as_text=True)
    signing = browser.get(sign_url)
    assert signing.status_code == 200
    assert "冯保国（保证人（连带责任保证））" in signing.get_data(as_text=True)


def test_the_agreement_names_the_guarantor_and_leaves_their_signature_field(
    app: Flask, seeded: None
) -> None:
    case = _case()
    party = _party(case)
    agreement = current_agreement(case)
    assert agreement is not None
    reader = PdfReader(io.BytesIO(documents.read_pdf(agreement.current_sha256 or "")))
    flat = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))
    assert "冯保国" in flat and "110102********1230" in flat
    assert "110102196508211230" not in flat  # masked, like the debtor's
    assert "保证方式连带责任保证" in flat
    assert "保证人冯保国对债务人钱芳" in flat and "承担连带保证责任" in flat
    assert "保证人（签名）" in flat
    field = (reader.get_fields() or {})[f"sig-{party.signer_role}"]
    assert field.get("/V") is None  # not signed in the demo


def test_the_guarantor_is_listed_with_the_demo_accounts_and_seeded_once(
    app: Flask, seeded_world: Snapshot
) -> None:
    first = restore(seeded_world)
    case = _case()
    party = _party(case)
    line = f"guarantor {EMAIL:<28} 冯保国, joint guarantor of {case.reference} (钱芳)"
    assert line in first
    events = select(func.count()).where(
        AuditEvent.object_type == "case_party", AuditEvent.object_id == str(party.id)
    )
    assert db.session.scalar(events) == 3  # added, invited, joined
    all_events = db.session.scalar(select(func.count(AuditEvent.id)))

    accounts, created, notes = seed()
    assert not created and notes == []
    assert ("guarantor", f"冯保国, joint guarantor of {case.reference} (钱芳)", EMAIL) in accounts
    assert db.session.scalar(select(func.count(CaseParty.id))) == 1
    assert db.session.scalar(events) == 3
    assert db.session.scalar(select(func.count(AuditEvent.id))) == all_events


def test_a_seeding_interrupted_after_the_offer_answers_it_instead_of_offering_again(
    app: Flask,
) -> None:
    """app.demo.stages._settle resumes: the debtor's offer already made is accepted, no
    second offer is made."""
    from app.demo.stages import STAGES, _settle
    from app.negotiation import proposals
    from app.rules.proposals import ProposalState
    from tests.agreement_support import people
    from tests.factories import make_case

    who = people()
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        debtor_name=who["debtor"].name,
    )
    spec = replace(STAGES[0], total=Decimal("1000.00"))  # within the factory case's claim
    assert spec.objection is None
    first = proposals.Offer(
        kind="instalments",
        total=spec.total,
        first_due=today() + timedelta(days=30),
        count=spec.instalments,
        frequency=Frequency.MONTHLY,
    )
    proposals.submit_proposal(who["debtor"], case, first)  # the run stopped here
    _settle(spec, case, who["debtor"], who["creditor"])
    made = proposals.proposals_of(case)
    assert len(made) == 1 and made[0].state == ProposalState.ACCEPTED
    assert case.state == CaseState.AGREEMENT_DRAFTING
