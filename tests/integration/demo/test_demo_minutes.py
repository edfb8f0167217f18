"""The demo's session record (app.demo.minutes): on the negotiating case, a video session
held yesterday with its record confirmed by the debtor, the creditor and the mediator, the
sealed file accepted by the verifier."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models import MediationRecord
from app.models.minutes import RecordStatus
from app.rules.cases import CaseState


def test_the_demo_has_a_video_session_with_a_confirmed_record(app: Flask, seeded: None) -> None:
    (record,) = db.session.scalars(select(MediationRecord)).all()
    assert record.contact.channel.value == "video"
    assert record.status == RecordStatus.CONFIRMED
    assert db.session.get_one(type(record.contact.case), record.case_id).state == (
        CaseState.NEGOTIATING
    )
    assert [s.role for s in record.signatures] == ["debtor", "creditor", "mediator"]
    report = verify_pdf(documents.read_pdf(record.current_sha256 or ""), documents.trust_roots())
    assert report.accepted, report.problem
