"""The mediation record says whether its session was recorded: with the parties' consent
asked at the start, the recording named by its SHA-256; a refusal said as such; nothing
when the question was not asked. The sent record's PDF carries the line."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from app.cases.contact_log import ContactDraft, add_recording, log_contact
from app.core import clock
from app.demo.contacts import demo_wav
from app.documents import issued as documents
from app.minutes.content import record_context
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome
from tests import agreement_support as support
from tests import minutes_support as ms


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


def _session(who: dict[str, Any], case: Any, consent: bool | None) -> Any:
    return log_contact(
        who["mediator"],
        case,
        ContactDraft(
            counterpart=Counterpart.DEBTOR,
            direction=Direction.INBOUND,
            channel=ContactChannel.VIDEO,
            occurred_at=clock.now() - timedelta(hours=2),
            outcome=Outcome.REACHED,
            summary="视频调解会",
            duration_minutes=60,
            recording_consent=consent,
        ),
    )


def _row(case: Any, record: Any) -> str | None:
    rows = {r["label"]: r["value"] for r in record_context(case, record)["session"]}
    return rows.get("录音录像")


def test_a_recorded_session_names_its_recording_in_the_record(who) -> None:
    case = ms.negotiating_case(who)
    contact = _session(who, case, True)
    wav = demo_wav()
    add_recording(who["mediator"], contact, io.BytesIO(wav), "会议录音.wav")
    record = ms.written_record(who, case, contact)
    sha = hashlib.sha256(wav).hexdigest()
    assert _row(case, record) == f"经当事人同意录音录像，录音文件 SHA-256：{sha}"

    from app.minutes import writing

    writing.submit_record(who["mediator"], case, record)
    pdf = documents.read_pdf(record.current_sha256 or "")
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "经当事人同意录音录像" in text and sha in text


def test_a_refusal_is_said_and_an_unasked_question_leaves_no_line(who) -> None:
    case = ms.negotiating_case(who)
    refused = ms.written_record(who, case, _session(who, case, False))
    assert _row(case, refused) == "当事人不同意录音录像，未录音录像"
    unasked = ms.written_record(who, case, _session(who, case, None))
    assert _row(case, unasked) is None
    consented = ms.written_record(who, case, _session(who, case, True))
    assert _row(case, consented) == "经当事人同意录音录像"
