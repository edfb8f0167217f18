"""Guarantors and co-borrowers (app.cases.parties; 民法典 Arts. 686–688; 民诉法解释 Arts.
353, 354): the mediator adds a guarantor, who is invited by their own link, proves who
they are, gives the debtor's consents, reads the case, and signs the agreement; the
agreement is in force only once the guarantor has signed too, and its PDF names them,
their role, the guarantee clause and their signature."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from app.cases.lifecycle import today
from app.core import clock
from app.core.errors import DomainError
from app.documents import issued as documents
from app.extensions import db
from app.models import CaseParty, Consent, OutboundMessage
from app.models.agreements import AgreementStatus
from app.models.users import Role, User
from app.negotiation import proposals as proposal_service
from app.negotiation.proposals import Offer
from app.rules.cases import CaseState
from app.rules.schedules import Frequency
from tests.agreement_support import draft, people, sign
from tests.factories import PASSWORD, make_case
from tests.helpers import Browser

GUARANTOR_ID = "110101198001011232"
SHOTS = Path(os.environ.get("CONCORD_SHOTS", "/work/shots/guarantors"))
GUARANTOR_PASSWORD = "guarantor secret 2026"


def _browser(app: Flask, user: User | None = None) -> Browser:
    browser = Browser(app.test_client())
    if user is not None:
        browser.login(user.email, PASSWORD)
    return browser


def _messages_to(address: str, template: str) -> list[OutboundMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.address == address, OutboundMessage.template == template)
            .order_by(OutboundMessage.id)
        )
    )


def _token_for(address: str) -> str:
    body = _messages_to(address, "invitation")[-1].body
    match = re.search(r"/invite/([A-Za-z0-9_\-]+)", body)
    assert match
    return match.group(1)


def _code_for(address: str) -> str:
    body = _messages_to(address, "one_time_code")[-1].body
    match = re.search(r"(?<![\d-])(\d{6})(?!\d)", body)
    assert match
    return match.group(1)


def add_guarantor(app: Flask, mediator: User, case, **over: str):
    form = {
        "role": "guarantor",
        "guarantee_kind": "joint",
        "name": "赵保证",
        "id_type": "resident_id",
        "id_number": GUARANTOR_ID,
        "phone": "13900139002",
        "email": "guarantor@example.com",
        "address": "北京市海淀区某路 8 号",
        **over,
    }
    return _browser(app, mediator).submit(
        f"/cases/{case.id}/parties", form, page=f"/cases/{case.id}"
    )


def join_as_guarantor(app: Flask) -> tuple[Browser, User]:
    token = _token_for("guarantor@example.com")
    guest = Browser(app.test_client())
    page = f"/invite/{token}"
    start = guest.get(page).get_data(as_text=True)
    assert "保证人" in start  # told in which role they are invited
    guest.submit(
        f"/invite/{token}/identity", {"id_suffix": GUARANTOR_ID[-6:], "channel": "sms"}, page=page
    )
    assert _messages_to("13900139002", "one_time_code"), "the code goes to the guarantor's phone"
    guest.submit(f"/invite/{token}/code", {"code": _code_for("13900139002")}, page=page)
    response = guest.submit(
        "/invite/join",
        {
            "password": GUARANTOR_PASSWORD,
            "confirm": GUARANTOR_PASSWORD,
            "consent": ["share_organisation", "share_creditor", "share_court", "e_service"],
        },
        page="/invite/join",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    party = db.session.scalars(select(CaseParty)).one()
    db.session.refresh(party)
    assert party.user_id is not None and party.joined_at is not None
    return guest, db.session.get(User, party.user_id)


@pytest.fixture
def who(app: Flask) -> dict[str, User]:
    return people()


@pytest.fixture
def case(who):
    return make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        debtor_name=who["debtor"].name,
    )


def settle(case, who) -> None:
    offer = Offer(
        kind="instalments",
        total=Decimal("24000.00"),
        first_due=today() + timedelta(days=30),
        count=6,
        frequency=Frequency.MONTHLY,
    )
    proposal = proposal_service.submit_proposal(who["debtor"], case, offer)
    assert proposal_service.accept_proposal(who["creditor"], case, proposal)


def test_the_whole_path_a_guarantor_joins_consents_and_must_sign(app: Flask, who, case) -> None:
    add_guarantor(app, who["mediator"], case)
    party = db.session.scalars(select(CaseParty)).one()
    assert party.role == "guarantor" and party.guarantee_kind == "joint"
    assert party.id_masked == "110101********1232" and party.invited_at is not None

    guest, guarantor = join_as_guarantor(app)
    assert guarantor.role == Role.DEBTOR and guarantor.phone == "13900139002"
    kinds = set(
        db.session.scalars(
            select(Consent.kind).where(Consent.user_id == guarantor.id, Consent.case_id == case.id)
        )
    )
    assert kinds == {"share_organisation", "share_creditor", "share_court", "e_service"}
    db.session.refresh(case)
    assert case.state == CaseState.NEGOTIATING and case.debtor_user_id == who["debtor"].id
    page = guest.get(f"/cases/{case.id}")
    assert page.status_code == 200 and case.reference in page.get_data(as_text=True)

    settle(case, who)
    agreement = draft(case, who)
    assert agreement.status == AgreementStatus.SIGNING
    # Told that the agreement waits for their signature, like the debtor (a case notice).
    assert _messages_to("guarantor@example.com", "agreement_ready")
    sign_url = f"/cases/{case.id}/agreement/{agreement.version}/sign"
    assert sign_url in guest.get(f"/cases/{case.id}").get_data(as_text=True)
    sign_page = guest.get(sign_url)
    assert sign_page.status_code == 200
    # The key terms above the pages say what the guarantor answers for.
    assert "赵保证（保证人（连带责任保证））" in sign_page.get_data(as_text=True)
    mediator_page = _browser(app, who["mediator"]).get(f"/cases/{case.id}")
    html = mediator_page.get_data(as_text=True)
    assert 'data-status="joined"' in html and "赵保证" in html
    assert "保证人 赵保证" in html  # a row of the agreement's signatures
    sign(case, agreement, who["debtor"], typed_name=who["debtor"].name)
    sign(case, agreement, who["creditor"], typed_name=who["creditor"].name)
    with pytest.raises(DomainError) as refused:
        sign(case, agreement, who["mediator"], typed_name="王调解")
    assert refused.value.code == "parties_first"  # the guarantor has not signed
    assert agreement.status == AgreementStatus.SIGNING

    sign(case, agreement, guarantor, typed_name="赵保证", password=GUARANTOR_PASSWORD)
    assert agreement.status == AgreementStatus.SIGNING  # the mediator still signs last
    sign(case, agreement, who["mediator"], typed_name="王调解")
    assert agreement.status == AgreementStatus.IN_FORCE
    db.session.refresh(case)
    assert case.state == CaseState.IN_FORCE
    assert _messages_to("guarantor@example.com", "agreement_in_force")
    creditor_page = _browser(app, who["creditor"]).get(f"/cases/{case.id}")
    assert 'data-status="signed"' in creditor_page.get_data(as_text=True)

    pdf = documents.read_pdf(agreement.current_sha256 or "")
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    flat = re.sub(r"\s+", "", text)
    assert "赵保证" in flat
    assert "保证方式连带责任保证" in flat
    assert "110101********1232" in flat and GUARANTOR_ID not in flat  # masked, like the debtor's
    assert "保证人赵保证对债务人" in flat and "承担连带保证责任" in flat
    assert "保证人（签名）" in flat
    fields = reader.get_fields() or {}
    field = fields[f"sig-{party.signer_role}"]
    assert field.get("/V") is not None  # the guarantor's signature is in their own field
    signed_names = {
        f["/V"].get("/Name") for f in fields.values() if f.get("/FT") == "/Sig" and f.get("/V")
    }
    assert any("保证人" in (name or "") for name in signed_names)


def test_a_guarantor_signs_with_their_own_password_only(app: Flask, who, case) -> None:
    add_guarantor(app, who["mediator"], case)
    _, guarantor = join_as_guarantor(app)
    settle(case, who)
    agreement = draft(case, who)
    with pytest.raises(DomainError):
        sign(case, agreement, guarantor, typed_name="赵保证", password=PASSWORD + "x")
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.SIGNING
    assert all(s.user_id != guarantor.id for s in agreement.signatures)


def test_the_guarantor_is_refused_the_debtors_own_acts(app: Flask, who, case) -> None:
    add_guarantor(app, who["mediator"], case)
    guest, _ = join_as_guarantor(app)
    page = f"/cases/{case.id}"
    proposal = guest.submit(
        f"/cases/{case.id}/proposals/new",
        {"kind": "lump_sum", "total": "20000", "due": "2027-01-05"},
        page=page,
        follow_refusal=False,
    )
    assert proposal.status_code == 404
    objection = guest.submit(
        f"/cases/{case.id}/objections",
        {"item": "interest", "reason": "x"},
        page=page,
        follow_refusal=False,
    )
    assert objection.status_code == 404
    assert guest.get(f"/cases/{case.id}/statement").status_code == 404
    adding = guest.submit(
        f"/cases/{case.id}/parties",
        {"role": "guarantor", "name": "x"},
        page=page,
        follow_refusal=False,
    )
    assert adding.status_code == 403
    assert db.session.scalars(select(CaseParty)).all().__len__() == 1


def test_others_are_refused_the_guarantors_case_and_the_party_routes(app: Flask, who, case) -> None:
    add_guarantor(app, who["mediator"], case)
    guest, guarantor = join_as_guarantor(app)
    other_case = make_case(
        creditor=who["other_creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["other_debtor"].id,
    )
    # The guarantor sees only the cases they are party to.
    assert guest.get(f"/cases/{other_case.id}").status_code == 404
    # Another debtor and another creditor organisation see nothing of this case.
    for outsider in (who["other_debtor"], who["other_creditor"]):
        browser = _browser(app, outsider)
        assert browser.get(f"/cases/{case.id}").status_code == 404
    other_creditor = _browser(app, who["other_creditor"])
    response = other_creditor.submit(
        f"/cases/{case.id}/parties",
        {"role": "guarantor", "guarantee_kind": "joint", "name": "钱某"},
        page="/creditor",
        follow_refusal=False,
    )
    assert response.status_code in (403, 404)
    party = db.session.scalars(select(CaseParty)).one()
    foreign = _browser(app, who["foreign_mediator"])
    response = foreign.submit(
        f"/cases/{case.id}/parties/{party.id}/invite", {}, page="/docket", follow_refusal=False
    )
    assert response.status_code == 404
    # The case's own creditor cannot add parties once the case left its draft.
    own = _browser(app, who["creditor"])
    response = own.submit(
        f"/cases/{case.id}/parties",
        {"role": "guarantor", "guarantee_kind": "joint", "name": "钱某"},
        page=f"/cases/{case.id}",
        follow_refusal=False,
    )
    assert response.status_code == 404
    assert len(db.session.scalars(select(CaseParty)).all()) == 1


def test_the_creditor_adds_a_co_borrower_while_drafting(app: Flask, who) -> None:
    draft_case = make_case(creditor=who["creditor"], state=CaseState.DRAFT)
    browser = _browser(app, who["creditor"])
    response = browser.submit(
        f"/cases/{draft_case.id}/parties",
        {
            "role": "co_borrower",
            "guarantee_kind": "",
            "name": "孙共借",
            "id_type": "resident_id",
            "id_number": "440305199002154566",
            "phone": "13700137003",
            "email": "",
            "address": "深圳市南山区某路 2 号",
        },
        page=f"/cases/{draft_case.id}",
    )
    assert response.status_code == 303
    party = db.session.scalars(select(CaseParty)).one()
    assert party.role == "co_borrower" and party.guarantee_kind is None
    assert party.invited_at is None  # invited with the debtor, when the mediator accepts
    page = browser.get(f"/cases/{draft_case.id}").get_data(as_text=True)
    assert "孙共借" in page and "440305********4566" in page
    assert "440305199002154566" not in page


def test_a_bad_identity_number_is_refused_and_nothing_is_stored(app: Flask, who, case) -> None:
    response = add_guarantor(app, who["mediator"], case, id_number="110101198001011233")
    assert getattr(response, "refused_by_redirect", False)
    assert db.session.scalars(select(CaseParty)).all() == []
    response = add_guarantor(app, who["mediator"], case, id_number=case.debtor_id_number)
    assert getattr(response, "refused_by_redirect", False)
    assert db.session.scalars(select(CaseParty)).all() == []


def _joined_guarantor(case, who, **over) -> tuple[CaseParty, User | None]:
    """A guarantor who has joined (the invitation path is walked in the tests above)."""
    from tests.factories import make_user

    user = None if "user_id" in over else make_user(Role.DEBTOR, name="赵保证", phone="13900139002")
    values = {
        "case_id": case.id,
        "role": "guarantor",
        "guarantee_kind": "joint",
        "name": "赵保证",
        "id_type": "resident_id",
        "id_number": GUARANTOR_ID,
        "id_masked": "110101********1232",
        "phone": "13900139002",
        "address": "北京市海淀区某路 8 号",
        "user_id": user.id if user else None,
        "invited_at": clock.now() if user else None,
        "joined_at": clock.now() if user else None,
        "added_by_id": who["mediator"].id,
        **over,
    }
    party = CaseParty(**values)
    db.session.add(party)
    db.session.commit()
    db.session.refresh(case)
    return party, user


def test_the_package_lists_the_guarantor_as_an_applicant_with_full_identity(
    app: Flask, who, case
) -> None:
    from app.confirmation.facts import facts_for
    from app.confirmation.package import build as package_build
    from app.models.confirmation import PackageStatus
    from app.rules.confirmability import check_confirmability
    from tests import package_support as ps

    party, guarantor = _joined_guarantor(case, who)
    settle(case, who)
    agreement = draft(case, who)
    for user in (who["debtor"], who["creditor"]):
        sign(case, agreement, user, typed_name=user.name)
    facts = facts_for(case, ps.COURT)
    assert ("confirm.signature_missing") in {f.code for f in check_confirmability(facts)}
    sign(case, agreement, guarantor, typed_name="赵保证")
    sign(case, agreement, who["mediator"], typed_name="王调解")
    assert agreement.status == AgreementStatus.IN_FORCE
    db.session.refresh(case)
    facts = facts_for(case, ps.COURT)
    assert any(p.name == "赵保证" for p in facts.parties)
    assert "confirm.signature_missing" not in {f.code for f in check_confirmability(facts)}

    ps.give_e_service_consent(case, who["debtor"])
    ps.standard_evidence(who, case)
    package = ps.released_package(case, agreement, who["mediator"])
    package_build.build_package(package.id)
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error
    pdf = documents.read_pdf(package.current_sha256 or "")
    text = re.sub(
        r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    )
    assert "申请人（保证人）" in text and "赵保证" in text
    assert GUARANTOR_ID in text  # the full number: the court package only (PIPL Arts. 28, 51)
    assert "保证人（连带责任保证）" in text  # the identity section names the form of guarantee
    assert "保证人承诺" in text  # a commitment letter of their own
    assert "（三）保证人当事人赵保证" in text  # an address-for-service confirmation too
    assert "申请人（保证人）签名" in text  # and their own signature on the application
    assert "保证人赵保证签署调解协议" in text  # the presiding proof's timeline names them
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "package.pdf").write_bytes(pdf)

    # All the parties apply jointly (民诉法解释 Arts. 353, 354): ready only with the
    # guarantor's signature too, in their own field.
    from tests.confirmation_support import sign_as

    sign_as(who["debtor"], case, package)
    sign_as(who["creditor"], case, package)
    assert package.status == PackageStatus.SIGNING
    sign_as(guarantor, case, package, typed_name="赵保证")
    assert package.status == PackageStatus.READY
    signed = PdfReader(io.BytesIO(documents.read_pdf(package.current_sha256 or "")))
    assert (signed.get_fields() or {})[f"sig-{party.signer_role}"].get("/V") is not None


def test_render_the_agreement_with_a_guarantor_to_png(app: Flask, who, case) -> None:
    """The pages are written to /work/shots/guarantors/ to be looked at."""
    import subprocess

    _joined_guarantor(case, who)
    _joined_guarantor(
        case,
        who,
        role="co_borrower",
        guarantee_kind=None,
        name="孙共借",
        id_number="440305199002154566",
        id_masked="440305********4566",
        phone="13700137003",
        user_id=None,
    )
    settle(case, who)
    agreement = draft(case, who)
    pdf = documents.read_pdf(agreement.current_sha256 or "")
    reader = PdfReader(io.BytesIO(pdf))
    names = set((reader.get_fields() or {}).keys())
    parties = db.session.scalars(select(CaseParty).order_by(CaseParty.id)).all()
    assert {f"sig-{p.signer_role}" for p in parties} <= names  # one empty field each
    assert {"sig-debtor", "sig-creditor", "sig-mediator"} <= names
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "agreement.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(SHOTS / "agreement.pdf"), str(SHOTS / "agreement")],
        check=True,
    )
    assert list(SHOTS.glob("agreement*.png"))


def test_the_mediators_to_do_names_the_guarantor_who_has_not_signed(app: Flask, who, case) -> None:
    from tests.todo_support import of_kind, todo_of

    _joined_guarantor(case, who)
    settle(case, who)
    agreement = draft(case, who)
    for user in (who["debtor"], who["creditor"]):
        sign(case, agreement, user, typed_name=user.name)
    item = of_kind(todo_of(app, who["mediator"]), "signatures", case)
    assert "赵保证" in item.text


def test_a_removed_guarantor_loses_the_case_and_is_not_asked_to_sign(app: Flask, who, case) -> None:
    add_guarantor(app, who["mediator"], case)
    guest, _ = join_as_guarantor(app)
    party = db.session.scalars(select(CaseParty)).one()
    mediator = _browser(app, who["mediator"])
    response = mediator.submit(
        f"/cases/{case.id}/parties/{party.id}/remove", {}, page=f"/cases/{case.id}"
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert party.removed_at is not None and case.extra_parties == []
    assert guest.get(f"/cases/{case.id}").status_code == 404
    # Another mediator cannot remove (or see) anything: 404.
    foreign = _browser(app, who["foreign_mediator"])
    again = foreign.submit(
        f"/cases/{case.id}/parties/{party.id}/remove", {}, page="/docket", follow_refusal=False
    )
    assert again.status_code == 404
    settle(case, who)
    agreement = draft(case, who)
    for user in (who["debtor"], who["creditor"], who["mediator"]):
        sign(case, agreement, user, typed_name=user.name)
    assert agreement.status == AgreementStatus.IN_FORCE  # nobody waits for a removed party
    pdf = documents.read_pdf(agreement.current_sha256 or "")
    assert "赵保证" not in "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_guarantors_to_do_list_asks_for_their_signatures(app: Flask, who, case) -> None:
    """Their own ID copy for the court until both sides are given; the agreement, then the
    application for judicial confirmation: each appears on the guarantor's list while it
    waits for their signature, and goes once they signed."""
    from app.cases.papers import record_identity_copy
    from app.todo.debtor import debtor_todo
    from tests.confirmation_support import sign_as
    from tests.package_support import (
        give_e_service_consent,
        png,
        released_package,
        standard_evidence,
    )

    party, guarantor = _joined_guarantor(case, who)
    assert guarantor is not None

    def kinds() -> list[str]:
        with app.test_request_context():
            return [item.kind for item in debtor_todo(guarantor, today())]

    assert kinds() == ["id_copy"]  # nothing to sign while the parties negotiate
    record_identity_copy(guarantor, case, "front", io.BytesIO(png(seed=7)), "front.png")
    assert kinds() == ["id_copy"]  # both sides
    record_identity_copy(guarantor, case, "back", io.BytesIO(png(seed=8)), "back.png")
    assert kinds() == []
    settle(case, who)
    agreement = draft(case, who)
    assert kinds() == ["sign"]  # the agreement
    sign(case, agreement, guarantor, typed_name="赵保证")
    assert kinds() == []
    for role in ("debtor", "creditor", "mediator"):
        sign(case, agreement, who[role], typed_name=who[role].name)
    give_e_service_consent(case, who["debtor"])
    standard_evidence(who, case)
    package = released_package(case, agreement, who["mediator"])
    from app.confirmation.package import build as package_build

    package_build.build_package(package.id)
    db.session.refresh(package)
    assert kinds() == ["sign_package"]
    assert _messages_to("13900139002", "package_released")  # told, as the debtor is
    for role in ("debtor", "creditor"):
        sign_as(who[role], case, package, typed_name=who[role].name)
    # The mediator's list says whom the application still waits for: the guarantor.
    from app.todo.mediator import mediator_todo

    with app.test_request_context():
        waiting = [i for i in mediator_todo(who["mediator"], today()) if i.kind == "signatures"]
    assert len(waiting) == 1 and "赵保证" in waiting[0].text
    sign_as(guarantor, case, package, typed_name="赵保证")
    assert kinds() == []
    # Another debtor's list never shows this case.
    with app.test_request_context():
        assert debtor_todo(who["other_debtor"], today()) == []


def test_the_guarantors_pages_speak_to_a_guarantor_not_to_the_debtor(app: Flask, who, case) -> None:
    """The debtor's ID copy and their steps (object, propose) are the debtor's: a
    guarantor, who signs in as a debtor does, is asked for their own ID copy and told what
    they do (sign); an empty mediation-period card is not shown to them."""
    from app.cases.papers import record_identity_copy
    from tests.package_support import png

    _, guarantor = _joined_guarantor(case, who)
    assert guarantor is not None
    record_identity_copy(who["debtor"], case, "front", io.BytesIO(png(seed=3)), "debtor-id.png")
    settle(case, who)
    draft(case, who)  # the agreement waits for signatures
    guest = _browser(app, guarantor)
    page = guest.get(f"/cases/{case.id}").get_data(as_text=True)
    # "Your ID copy" is their own: the debtor's file is neither there nor in the evidence.
    assert 'id="identity-copy"' in page and "debtor-id.png" not in page
    assert 'id="mediation"' not in page  # nothing about the period for them to see or do
    home = guest.get("/debtor").get_data(as_text=True)
    assert "您以保证人或共同借款人的身份参与案件" in home
    assert "法院将依据您本人身份证正反两面的复印件核实身份" in home
    assert "您都可以提出异议" not in home
    # The debtor keeps both.
    debtor = _browser(app, who["debtor"])
    assert 'id="identity-copy"' in debtor.get(f"/cases/{case.id}").get_data(as_text=True)
    debtor_home = debtor.get("/debtor").get_data(as_text=True)
    assert "您都可以提出异议" in debtor_home
    assert "您以保证人或共同借款人的身份参与案件" not in debtor_home
