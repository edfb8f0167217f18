"""The demo's contact record (app.demo.contacts): on the negotiating case, the mediator's
call with its recording (a real WAV, hashed), the creditor's night call flagged with its
reason, and the debtor's complaint about it waiting for the organisation's answer."""

from __future__ import annotations

import hashlib
import wave
from io import BytesIO

from flask import Flask
from sqlalchemy import select

from app.core.storage import blob_store
from app.extensions import db
from app.models import Complaint, ContactRecord, MediationSession
from app.models.users import Role


def test_the_demo_has_a_recorded_call_a_flagged_night_call_and_a_complaint(
    app: Flask, seeded: None
) -> None:
    # the phone calls logged by hand (a held session's row is app.demo.sessions')
    by_hand = ContactRecord.id.not_in(
        select(MediationSession.contact_record_id).where(
            MediationSession.contact_record_id.is_not(None)
        )
    )
    call, night = db.session.scalars(
        select(ContactRecord)
        .where(by_hand, ContactRecord.channel == "phone")
        .order_by(ContactRecord.id)
    ).all()
    assert call.logged_by.role == Role.MEDIATOR and not call.flagged
    with blob_store().open(call.recording_sha256) as f:
        data = f.read()
    assert hashlib.sha256(data).hexdigest() == call.recording_sha256
    with wave.open(BytesIO(data)) as audio:
        assert audio.getnframes() > 0
    assert night.logged_by.role == Role.CREDITOR and night.flags == ["quiet_hours"]
    assert night.flag_reason
    (complaint,) = db.session.scalars(select(Complaint)).all()
    assert complaint.contact_id == night.id and complaint.status.value == "open"
    assert complaint.complainant_id == night.case.debtor_user_id


def test_the_demo_has_a_held_video_session_and_a_scheduled_phone_caucus(
    app: Flask, seeded: None
) -> None:
    from app.rules.contact_log import ContactChannel
    from app.rules.sessions import SessionKind, SessionMeans, SessionStatus

    held, planned = db.session.scalars(
        select(MediationSession).order_by(MediationSession.starts_at)
    ).all()
    assert held.status is SessionStatus.HELD and held.means is SessionMeans.VIDEO
    assert held.meeting_url and held.contact_record_id is not None
    record = db.session.get(ContactRecord, held.contact_record_id)
    assert record.channel is ContactChannel.VIDEO and record.duration_seconds == 50 * 60
    assert planned.status is SessionStatus.SCHEDULED and planned.means is SessionMeans.PHONE
    assert planned.kind is SessionKind.CAUCUS_DEBTOR
    assert [r.side for r in planned.responses] == ["debtor"]
