"""Demo contact record on the negotiating case: the mediator's recorded phone call (a
real WAV, with the debtor's consent), a night-time call the creditor's collector logged
(flagged, with the reason given), and the debtor's complaint about it, waiting for the
organisation's answer (:mod:`app.cases.contact_log`)."""

from __future__ import annotations

import io
import math
import struct
import wave
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.cases import contact_log
from app.core import clock
from app.extensions import db
from app.models.cases import Case
from app.models.contacts import ContactRecord
from app.rules.cases import CaseState
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome


def demo_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A short 440 Hz tone: a real audio file for the demo recording."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = (
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
            for n in range(int(seconds * rate))
        )
        out.writeframes(b"".join(frames))
    return buffer.getvalue()


def seed_contacts() -> list[str]:
    case = db.session.scalars(
        select(Case)
        .where(Case.state == CaseState.NEGOTIATING, Case.debtor_user_id.is_not(None))
        .order_by(Case.id)
    ).first()
    if case is None or case.mediator is None or case.debtor_user is None:
        return []
    if db.session.scalar(select(ContactRecord.id).where(ContactRecord.case_id == case.id)):
        return []
    yesterday = clock.local(clock.now()).date() - timedelta(days=1)
    tz = clock.legal_tz()
    call = contact_log.log_contact(
        case.mediator,
        case,
        contact_log.ContactDraft(
            counterpart=Counterpart.DEBTOR,
            direction=Direction.OUTBOUND,
            channel=ContactChannel.PHONE,
            occurred_at=datetime.combine(yesterday, time(10, 0), tzinfo=tz),
            outcome=Outcome.REACHED,
            summary="说明调解程序，债务人同意在线协商，希望分期还款。",
            duration_minutes=14,
            recording_consent=True,
        ),
    )
    contact_log.add_recording(case.mediator, call, io.BytesIO(demo_wav()), "电话录音.wav")
    night = contact_log.log_contact(
        case.created_by,
        case,
        contact_log.ContactDraft(
            counterpart=Counterpart.DEBTOR,
            direction=Direction.OUTBOUND,
            channel=ContactChannel.PHONE,
            occurred_at=datetime.combine(yesterday, time(21, 40), tzinfo=tz),
            outcome=Outcome.REFUSED,
            summary="催收员晚间来电询问还款安排，债务人拒绝沟通。",
            duration_minutes=2,
            reason="外包催收员未遵守免打扰时段，已暂停其外呼权限。",
        ),
    )
    contact_log.file_complaint(
        case.debtor_user,
        case,
        "银行催收员晚上九点四十给我打电话，影响家人休息。",
        night.id,
    )
    detail = "a recorded call, a flagged night call, a complaint"
    return [f"  case {case.reference:<16} contact record: {detail}"]
