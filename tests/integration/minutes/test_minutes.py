"""The mediation record (调解笔录, 人民调解法 Art. 27): written by the mediator from a held
session, sent for confirmation, signed by each party and then by the mediator with the
re-authentication of the agreement; the final PDF read back (its text, its fonts, every
PAdES signature validated); a change after a signature is a new version whose
signatures start again; refusals where a record cannot be written or signed."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from sqlalchemy import select

from app.cases.contact_log import ContactDraft, log_contact
from app.core import clock
from app.core.errors import InvalidInput
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.minutes import signing, writing
from app.minutes.common import RecordRefused
from app.models import AuditEvent, IssuedDocument, Notification
from app.models.agreements import DocumentKind
from app.models.minutes import RecordStatus
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome
from app.signing.reauth import ReauthError
from tests import minutes_support as support
from tests.agreement_support import last_code, people, signature

ARTIFACTS = Path(__file__).resolve().parents[3] / "build" / "minutes"


@pytest.fixture
def world(app: Flask):
    who = people()
    return who, support.negotiating_case(who)


def _actions(case) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
        )
    )


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_record_is_written_confirmed_by_every_signature_and_reads_back(world) -> None:
    who, case = world
    record = support.sent_record(who, case)
    assert record.status == RecordStatus.AWAITING
    assert record.base_sha256 == record.current_sha256
    certified = documents.read_pdf(record.base_sha256)
    text = _text(certified)
    for said in (support.CREDITOR_SAID, support.DEBTOR_SAID, support.AGREED, support.NOT_AGREED):
        assert said in text
    assert "调解笔录" in text.replace(" ", "") and case.reference in text and "人民调解法" in text

    # the mediator cannot sign before both parties
    with pytest.raises(RecordRefused) as caught:
        signing.send_signing_code(who["mediator"], case, record, None)
    assert caught.value.code == "parties_first"

    for role in ("debtor", "creditor", "mediator"):
        support.sign_record(case, record, who[role], typed_name=who[role].name)
    assert record.status == RecordStatus.CONFIRMED
    assert record.confirmed_at is not None
    final = documents.read_pdf(record.current_sha256)
    report = verify_pdf(final, documents.trust_roots())
    assert report.accepted, report.problem
    fields = {s.field_name for s in report.signatures}
    assert {"sig-debtor", "sig-creditor", "sig-mediator"} <= fields
    assert report.signatures[0].is_certification

    # pyHanko itself: every embedded signature intact, valid and by the organisation
    reader = PdfFileReader(io.BytesIO(final))
    context = ValidationContext(trust_roots=documents.trust_roots(), allow_fetching=False)
    statuses = [validate_pdf_signature(s, context) for s in reader.embedded_signatures]
    assert len(statuses) == 4  # the certification and the three signers
    assert all(s.intact and s.valid for s in statuses)
    assert _text(final).count(support.DEBTOR_SAID) == 1

    # registered: /verify knows the sealed record as the confirmed record
    facts = documents.lookup_issued(record.current_sha256)
    assert facts is not None and facts.kind == DocumentKind.MEDIATION_RECORD
    assert facts.in_force and facts.is_latest
    assert [s["role"] for s in facts.signers] == ["debtor", "creditor", "mediator"]
    assert (
        db.session.scalar(
            select(IssuedDocument.stage).where(IssuedDocument.sha256 == record.current_sha256)
        )
        == f"signed:mediator:record-{record.id}"
    )

    actions = _actions(case)
    for action in (
        "case:minutes:create",
        "case:minutes:submit",
        "case:minutes:render",
        "case:minutes:code",
        "case:minutes:sign",
        "case:minutes:confirm",
    ):
        assert action in actions
    assert actions.count("case:minutes:sign") == 3
    told = set(
        db.session.scalars(
            select(Notification.template).where(Notification.user_id == who["debtor"].id)
        )
    )
    assert {"record_to_confirm", "record_confirmed"} <= told


def test_the_record_embeds_a_chinese_font_and_its_pages_are_kept_for_review(world) -> None:
    who, case = world
    record = support.sent_record(who, case)
    data = documents.read_pdf(record.current_sha256)
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=False)
    assert b"Concord" in fonts.stdout or b"Noto" in fonts.stdout, fonts.stdout
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "mediation-record.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / "record")], check=True
    )
    assert list(ARTIFACTS.glob("record-*.png"))


def test_no_audit_event_carries_what_the_parties_said(world) -> None:
    who, case = world
    support.confirmed_record(who, case)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("case:minutes:%"))
    ).all()
    assert events
    for event in events:
        dumped = str(event.data)
        assert support.DEBTOR_SAID not in dumped and support.CREDITOR_SAID not in dumped


def test_a_change_after_a_signature_is_a_new_version_and_signatures_start_again(world) -> None:
    who, case = world
    record = support.sent_record(who, case)
    first_sha = record.current_sha256
    support.sign_record(case, record, who["debtor"], typed_name=who["debtor"].name)

    changed = support.content(who, agreed="双方同意分二十四期偿还。")
    writing.edit_record(who["mediator"], case, record, changed)
    db.session.refresh(record)
    assert record.version == 2 and record.status == RecordStatus.DRAFT
    assert record.current_sha256 is None
    assert record.history[0]["version"] == 1
    assert record.history[0]["signed"] == ["debtor"]
    assert record.history[0]["content"]["agreed"] == support.AGREED
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "case:minutes:edit")
        .order_by(AuditEvent.id.desc())
    )
    assert event.data["signatures_lapsed"] == ["debtor"] and event.data["new_version"]

    # the old file can no longer be signed; the new version must be sent and signed again
    with pytest.raises(RecordRefused) as caught:
        signing.sign_record(who["creditor"], case, record, signature(record, "000000", version=1))
    assert caught.value.code == "superseded"
    writing.submit_record(who["mediator"], case, record)
    db.session.refresh(record)
    assert record.status == RecordStatus.AWAITING and record.current_sha256 != first_sha
    assert signing.may_sign(who["debtor"], case, record)  # the debtor signs again
    assert "双方同意分二十四期偿还。" in _text(documents.read_pdf(record.current_sha256))
    old = documents.lookup_issued(first_sha)
    assert old is not None and old.superseded


def test_a_draft_changes_in_place_and_a_confirmed_record_never_changes(world) -> None:
    who, case = world
    record = support.written_record(who, case)
    writing.edit_record(who["mediator"], case, record, support.content(who, place="调解室一"))
    db.session.refresh(record)
    assert (record.version, record.place, record.history) == (1, "调解室一", [])
    writing.submit_record(who["mediator"], case, record)
    db.session.refresh(record)
    for role in ("debtor", "creditor", "mediator"):
        support.sign_record(case, record, who[role], typed_name=who[role].name)
    with pytest.raises(RecordRefused) as caught:
        writing.edit_record(who["mediator"], case, record, support.content(who))
    assert caught.value.code == "confirmed"
    with pytest.raises(RecordRefused):
        writing.submit_record(who["mediator"], case, record)


def test_only_a_held_session_of_the_case_gets_one_record(world) -> None:
    who, case = world
    contact = support.held_session(who, case)
    support.written_record(who, case, contact)
    with pytest.raises(RecordRefused) as caught:
        writing.create_record(who["mediator"], case, contact, support.content(who))
    assert caught.value.code == "record_exists"
    email = support.held_session(who, case, channel=ContactChannel.EMAIL)
    with pytest.raises(RecordRefused) as caught:
        writing.create_record(who["mediator"], case, email, support.content(who))
    assert caught.value.code == "not_a_session"
    other = support.negotiating_case(who)
    with pytest.raises(RecordRefused):
        writing.create_record(who["mediator"], other, contact, support.content(who))
    collector = log_contact(
        who["creditor"],
        case,
        ContactDraft(
            counterpart=Counterpart.DEBTOR,
            direction=Direction.INBOUND,
            channel=ContactChannel.PHONE,
            occurred_at=clock.now() - timedelta(hours=1),
            outcome=Outcome.REACHED,
            summary="债务人来电询问还款",
        ),
    )
    with pytest.raises(RecordRefused) as caught:
        writing.create_record(who["mediator"], case, collector, support.content(who))
    assert caught.value.code == "not_a_session"


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"debtor_statement": "  "}, "debtor_statement", "statement_required"),
        ({"place": ""}, "place", "place_required"),
        ({"participants": ()}, "participants", "participants"),
        ({"agreed": "字" * 2001}, "agreed", "too_long"),
    ],
)
def test_a_record_that_cannot_be_printed_is_refused_at_its_field(world, over, field, code) -> None:
    who, case = world
    contact = support.held_session(who, case)
    with pytest.raises(InvalidInput) as caught:
        writing.create_record(who["mediator"], case, contact, support.content(who, **over))
    assert (caught.value.field, caught.value.code) == (field, code)


def test_times_must_be_in_order_and_past(world) -> None:
    who, case = world
    contact = support.held_session(who, case)
    now = clock.now()
    for start, end, code in (
        (now - timedelta(hours=1), now - timedelta(hours=2), "time_order"),
        (now + timedelta(hours=1), now + timedelta(hours=2), "future"),
    ):
        with pytest.raises(InvalidInput) as caught:
            writing.create_record(
                who["mediator"], case, contact, support.content(who, started_at=start, ended_at=end)
            )
        assert caught.value.code == code


def test_a_wrong_code_or_another_persons_signature_is_refused(world) -> None:
    who, case = world
    record = support.sent_record(who, case)
    signing.send_signing_code(who["debtor"], case, record, None)
    with pytest.raises(ReauthError):
        signing.sign_record(who["debtor"], case, record, signature(record, "000000"))
    for outsider in ("other_debtor", "other_creditor", "colleague_mediator"):
        with pytest.raises(RecordRefused) as caught:
            signing.send_signing_code(who[outsider], case, record, None)
        assert caught.value.code == "not_a_signer"
    signing.sign_record(
        who["debtor"], case, record, signature(record, last_code(who["debtor"]), typed_name="吉")
    )
    with pytest.raises(RecordRefused) as caught:
        signing.sign_record(
            who["debtor"], case, record, signature(record, last_code(who["debtor"]))
        )
    assert caught.value.code == "already_signed"


def test_a_record_that_fails_to_render_is_failed_and_sent_again(world, monkeypatch) -> None:
    who, case = world
    record = support.written_record(who, case)

    def broken(*_args, **_kw):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("app.documents.render.render_pdf", broken)
    writing.submit_record(who["mediator"], case, record)
    db.session.refresh(record)
    assert (record.status, record.render_error) == (RecordStatus.FAILED, "RuntimeError")
    assert record.current_sha256 is None
    with pytest.raises(RecordRefused) as caught:
        signing.send_signing_code(who["debtor"], case, record, None)
    assert caught.value.code == "not_signable"

    monkeypatch.undo()
    writing.submit_record(who["mediator"], case, record)
    db.session.refresh(record)
    assert record.status == RecordStatus.AWAITING and record.render_error is None
    again = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "case:minutes:submit")
        .order_by(AuditEvent.id.desc())
    )
    assert again.data["again"] is True
