"""The agreement (issue 5): drafted from the accepted proposal, rendered and certified by
the worker, signed by each party (re-authenticated) and last by the mediator with the
seal; read back from the real PDFs (text, fonts, signatures)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from app.agreements import signing as service
from app.agreements.common import (
    AgreementBlocked,
    AgreementInvalid,
    AgreementRefused,
    DraftInput,
    accepted_proposal,
)
from app.core import clock
from app.core.parties import CLAIM_ITEM_LABELS, CLAIM_ITEMS
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models import Agreement, AuditEvent, IssuedDocument, OneTimeCode, OutboundMessage
from app.models.agreements import AgreementStatus, SignatureMethod
from app.models.negotiation import Objection, ObjectionStatus
from app.rules.agreements import ITEM_LABELS
from app.rules.cases import CaseState
from app.signing.flow import MarkInvalid
from app.signing.reauth import ReauthError
from tests import agreement_support as support


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


def _pdf(agreement: Agreement) -> bytes:
    return documents.read_pdf(agreement.current_sha256)


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_drafting_renders_a_certified_pdf_that_every_party_is_asked_to_sign(who) -> None:
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    assert agreement.status == AgreementStatus.SIGNING and case.state == CaseState.SIGNING
    data = _pdf(agreement)
    assert documents.sha256_of(data) == agreement.current_sha256 == agreement.base_sha256
    report = verify_pdf(data, documents.trust_roots())
    assert report.accepted, report.problem
    assert [s.is_certification for s in report.signatures] == [True]
    issued = db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.sha256 == agreement.base_sha256)
    )
    assert issued is not None and issued.stage == "certified" and issued.case_id == case.id
    templates = set(
        db.session.scalars(
            select(OutboundMessage.template).where(OutboundMessage.case_id == case.id)
        )
    )
    assert "agreement_ready" in templates


def test_the_pdf_prints_names_every_instalment_and_the_total_in_capital_numerals(who) -> None:
    case = support.settled_case(who, count=24)
    agreement = support.draft(case, who)
    data = _pdf(agreement)
    text = _text(data)
    assert "吉䶮" in text and case.reference in text
    assert "贰万肆仟元整" in text  # 24000.00
    rows = agreement.terms["terms"]["schedule"]
    assert len(rows) == 24
    flat = text.replace(",", "").replace(" ", "")
    for row in rows:
        assert row["amount"] in flat
    assert "三十日内" in text and "110105********002X" in text
    assert "11010519491231002X" not in text  # the agreement masks the ID number
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Concord-Serif" in f and "Bold" not in f for f in fonts), fonts
    assert any("Bold" in f for f in fonts), fonts


def test_the_penalty_has_one_name_on_the_whole_agreement(app: Flask, who) -> None:
    """The facts and the disputes once said 罚息/违约金 where the amounts said 违约金: every
    table and sentence of the PDF now names the claim item "penalty" 违约金, the first word
    of the item's label on the pages (违约金/逾期利息), and never 罚息."""
    assert set(ITEM_LABELS) == set(CLAIM_ITEMS)
    term = ITEM_LABELS["penalty"]
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert str(CLAIM_ITEM_LABELS["penalty"]).split("/")[0] == term == "违约金"
    case = support.settled_case(who)
    db.session.add(  # the debtor disputed the item: it gets a row in the disputes table
        Objection(
            case_id=case.id,
            item="penalty",
            reason="逾期后一直在与出借人协商，不应计收。",
            raised_by_id=who["debtor"].id,
            status=ObjectionStatus.RESOLVED,
            answer="同意在调解中减免。",
        )
    )
    db.session.commit()
    agreement = support.draft(case, who)
    assert any(w["item"] == "penalty" for w in agreement.terms["terms"]["waived"])
    text = "".join(_text(_pdf(agreement)).split())
    assert "罚息" not in text
    # The facts (what was claimed), the disputes, the agreed amounts and the waived amounts.
    assert text.count(term) >= 4, text
    assert f"{term}人民币300.00元" in text  # the claim, in the facts


def test_hostile_text_reaches_the_pdf_as_text_and_nothing_is_embedded(who) -> None:
    hostile = '<link rel="attachment" href="file:///etc/passwd">'
    case = support.settled_case(
        who,
        debtor_address=f"{hostile}<style>body{{background:url(file:///etc/passwd)}}</style>",
    )
    agreement = support.draft(
        case,
        who,
        DraftInput(
            "x<img src='file:///etc/passwd'>", "url(http://example.com/a)", "6222020012345678"
        ),
    )
    assert agreement.status == AgreementStatus.SIGNING, agreement.render_error
    data = _pdf(agreement)
    text = _text(data)
    assert 'rel="attachment"' in text and "file:///etc/passwd" in text
    reader = PdfReader(io.BytesIO(data))
    assert "/EmbeddedFiles" not in (reader.trailer["/Root"].get("/Names") or {})
    assert b"root:x:0:0" not in data


def test_every_party_signs_then_the_mediator_with_the_seal_and_it_takes_effect(who) -> None:
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    support.sign(case, agreement, who["debtor"], method=SignatureMethod.TYPED, typed_name="吉䶮𠮷")
    support.sign(case, agreement, who["creditor"], typed_name=who["creditor"].name)
    assert agreement.status == AgreementStatus.SIGNING
    support.sign(case, agreement, who["mediator"], typed_name=who["mediator"].name)
    assert agreement.status == AgreementStatus.IN_FORCE and case.state == CaseState.IN_FORCE
    assert agreement.effective_at is not None
    data = _pdf(agreement)
    report = verify_pdf(data, documents.trust_roots())
    assert report.accepted, report.problem
    assert len(report.signatures) == 4
    names = " ".join(s.signer_name for s in report.signatures[1:])
    assert "吉䶮𠮷" in names and who["mediator"].name in names
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id))
    )
    assert actions.count("case:agreement:sign") == 3 and "case:agreement:in_force" in actions
    sigs = {s.role: s for s in agreement.signatures}
    assert sigs["debtor"].document_sha256 == agreement.base_sha256
    assert sigs["mediator"].result_sha256 == agreement.current_sha256
    assert sigs["debtor"].ip == "127.0.0.1" and sigs["debtor"].user_agent == "pytest"
    notices = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.template == "agreement_in_force")
    ).all()
    assert {m.recipient_key for m in notices} >= {f"debtor:{case.id}"}
    assert len(notices) >= 3  # the debtor, the creditor's staff, the mediator


def test_a_drawn_signature_is_accepted_and_a_fake_drawing_refused(who) -> None:
    import base64

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    service.send_signing_code(who["debtor"], case, agreement, None)
    code = support.last_code(who["debtor"])
    with pytest.raises(MarkInvalid) as refused:
        service.sign_agreement(
            who["debtor"],
            case,
            agreement,
            support.signature(agreement, code, method=SignatureMethod.DRAWN, drawn_png=b"GIF89a"),
        )
    assert refused.value.code == "drawing_invalid"
    service.sign_agreement(
        who["debtor"],
        case,
        agreement,
        support.signature(agreement, code, method=SignatureMethod.DRAWN, drawn_png=png),
    )
    assert {s.role for s in agreement.signatures} == {"debtor"}


def test_signing_a_superseded_version_is_refused(who) -> None:
    case = support.settled_case(who)
    first = support.draft(case, who)
    support.sign(case, first, who["debtor"])
    second = support.draft(case, who)
    assert second.version == first.version + 1
    db.session.refresh(first)
    assert first.status == AgreementStatus.SUPERSEDED
    with pytest.raises(AgreementRefused) as refused:
        support.sign(case, first, who["creditor"])
    assert refused.value.code == "superseded"
    # The debtor's signature on version 1 does not count on version 2.
    assert service.signed_roles(second) == set()
    assert service.may_sign(who["debtor"], case, second)


def test_a_party_signing_while_the_mediator_changes_the_terms_is_refused(who) -> None:
    case = support.settled_case(who)
    first = support.draft(case, who)
    seen = first.current_sha256
    service.send_signing_code(who["debtor"], case, first, None)
    code = support.last_code(who["debtor"])
    second = support.draft(case, who)  # the mediator changes the agreement meanwhile
    # The debtor submits the form for version 1 they were looking at: refused, nothing saved.
    with pytest.raises(AgreementRefused) as refused:
        service.sign_agreement(who["debtor"], case, first, support.signature(first, code))
    assert refused.value.code == "superseded"
    # Pretending the old file belongs to the new version does not work either.
    with pytest.raises(AgreementRefused) as refused:
        service.sign_agreement(
            who["debtor"], case, second, support.signature(second, code, seen_sha256=seen)
        )
    assert refused.value.code == "document_changed"
    assert service.signed_roles(second) == set()


def test_signing_twice_is_refused(who) -> None:
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    support.sign(case, agreement, who["debtor"])
    with pytest.raises(AgreementRefused) as refused:
        support.sign(case, agreement, who["debtor"])
    assert refused.value.code == "already_signed"


def test_the_mediator_signs_only_after_both_parties(who) -> None:
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    support.sign(case, agreement, who["debtor"])
    with pytest.raises(AgreementRefused) as refused:
        support.sign(case, agreement, who["mediator"])
    assert refused.value.code == "parties_first"


def test_a_one_time_code_cannot_be_replayed(who) -> None:
    case = support.settled_case(who)
    first = support.draft(case, who)
    service.send_signing_code(who["creditor"], case, first, None)
    code = support.last_code(who["creditor"])
    service.sign_agreement(who["creditor"], case, first, support.signature(first, code))
    second = support.draft(case, who)
    with pytest.raises(ReauthError) as refused:
        service.sign_agreement(who["creditor"], case, second, support.signature(second, code))
    assert refused.value.code == "no_code"


def test_wrong_password_or_code_counts_tries_and_locks_the_code(who) -> None:
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    service.send_signing_code(who["debtor"], case, agreement, None)
    code = support.last_code(who["debtor"])
    with pytest.raises(ReauthError) as refused:
        service.sign_agreement(
            who["debtor"], case, agreement, support.signature(agreement, code, password="wrong")
        )
    assert refused.value.code == "password_wrong"
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(3):
        with pytest.raises(ReauthError):
            service.sign_agreement(
                who["debtor"], case, agreement, support.signature(agreement, wrong)
            )
    with pytest.raises(ReauthError) as refused:
        service.sign_agreement(who["debtor"], case, agreement, support.signature(agreement, wrong))
    assert refused.value.code == "code_locked"
    with pytest.raises(ReauthError) as refused:  # even the right code is dead now
        service.sign_agreement(who["debtor"], case, agreement, support.signature(agreement, code))
    assert refused.value.code == "code_locked"
    assert service.signed_roles(agreement) == set()


def test_an_expired_code_is_refused(who) -> None:
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    service.send_signing_code(who["debtor"], case, agreement, None)
    code = support.last_code(who["debtor"])
    otp = db.session.scalar(select(OneTimeCode).order_by(OneTimeCode.id.desc()).limit(1))
    otp.expires_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(ReauthError) as refused:
        service.sign_agreement(who["debtor"], case, agreement, support.signature(agreement, code))
    assert refused.value.code == "code_expired"


def test_a_schedule_over_the_instalment_limit_is_refused_before_rendering(who) -> None:
    from app.models import ProposalInstalment

    case = support.settled_case(who, count=60)
    proposal = accepted_proposal(case)
    last = proposal.instalments[-1]
    # A 61st row slipped in behind the form's back: the agreement refuses it.
    last.amount -= 1
    db.session.add(
        ProposalInstalment(
            proposal_id=proposal.id,
            number=61,
            due=last.due + timedelta(days=30),
            amount=1,
            kind="instalment",
        )
    )
    db.session.commit()
    with pytest.raises(AgreementBlocked) as refused:
        support.draft(case, who)
    assert refused.value.code == "invalid" and refused.value.findings
    assert _count(Agreement) == 0 and _count(IssuedDocument) == 0
    assert case.state == CaseState.AGREEMENT_DRAFTING


def test_a_bad_account_number_is_refused_and_nothing_is_written(who) -> None:
    case = support.settled_case(who)
    with pytest.raises(AgreementInvalid) as refused:
        support.draft(case, who, DraftInput("户名", "银行", "12ab"))
    assert refused.value.code == "account_number" and refused.value.field == "account_number"
    assert _count(Agreement) == 0


def test_the_cli_passes_only_a_genuine_file_this_platform_issued(app: Flask, who, tmp_path) -> None:
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    support.sign_all(case, agreement, who)
    good = tmp_path / "agreement.pdf"
    good.write_bytes(_pdf(agreement))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["documents", "verify", str(good)])
    assert result.exit_code == 0, result.output
    assert case.reference in result.output and "in force" in result.output
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(good.read_bytes() + b"\n%%EOF\n")
    assert runner.invoke(args=["documents", "verify", str(appended)]).exit_code == 1
    db.session.delete(
        db.session.scalar(
            select(IssuedDocument).where(IssuedDocument.sha256 == agreement.current_sha256)
        )
    )
    db.session.commit()
    result = runner.invoke(args=["documents", "verify", str(good)])
    assert result.exit_code == 1 and "did not issue" in result.output


def test_the_final_pdf_renders_page_by_page_for_a_human_to_look_at(who) -> None:
    """Writes tests/artifacts/agreement-final.pdf and its PNG pages (looked at by hand)."""
    import shutil
    import subprocess
    from pathlib import Path

    # poppler-utils is a test tool (README, .ci/run installs it): missing, the test fails.
    assert shutil.which("pdftoppm"), "pdftoppm is missing: apt-get install poppler-utils"
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    support.sign_all(case, agreement, who)
    out = Path(__file__).resolve().parents[2] / "artifacts"  # tests/artifacts (ignored)
    out.mkdir(exist_ok=True)
    pdf = out / "agreement-final.pdf"
    pdf.write_bytes(_pdf(agreement))
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "agreement-final")], check=True
    )
    pages = sorted(out.glob("agreement-final-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(pdf.read_bytes())).pages)
