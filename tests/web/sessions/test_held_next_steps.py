"""Marking a session held asks whether the parties consented to its recording (the
recording can then be added on its contact row), and the held session on the case page
leads the mediator to that row and to writing its mediation record (调解笔录)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.demo.contacts import demo_wav
from app.extensions import db
from app.models.contacts import ContactRecord
from app.models.sessions import MediationSession
from tests.helpers import refused
from tests.web.sessions import test_sessions as base
from tests.web.sessions.test_sessions import _as, _schedule, _tomorrow


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    return base.world.__wrapped__(app)  # type: ignore[attr-defined]


def _held(app: Flask, w: dict[str, Any], frozen_clock: Any, **extra: str) -> Any:
    session = _schedule(app, w)
    day = _tomorrow(10).date().isoformat()
    frozen_clock.move_to(_tomorrow(11, 30))
    return session, _as(app, w["who"]["mediator"]).submit(
        f"/cases/{w['case'].id}/sessions/{session.id}/held",
        {
            "attended": ["debtor", "creditor"],
            "start_day": day,
            "start_time": "10:00",
            "end_time": "10:50",
            **extra,
        },
        page="/account/",
    )


def _contact(session: MediationSession) -> ContactRecord:
    db.session.refresh(session)
    record = db.session.get(ContactRecord, session.contact_record_id)
    assert record is not None
    return record


def test_the_held_form_asks_for_recording_consent(app: Flask, world: dict[str, Any]) -> None:
    session = _schedule(app, world)
    html = (
        _as(app, world["who"]["mediator"])
        .get(f"/cases/{world['case'].id}/sessions/{session.id}/held")
        .get_data(as_text=True)
    )
    for value in ("", "yes", "no"):
        assert f'name="consent" value="{value}"' in html


def test_consent_given_at_the_start_lets_the_recording_be_added(
    app: Flask, world: dict[str, Any], frozen_clock: Any
) -> None:
    session, response = _held(app, world, frozen_clock, consent="yes")
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    assert response.headers["Location"].endswith(f"#session-{session.id}")
    contact = _contact(session)
    assert contact.recording_consent is True
    assert contact.consent_at == contact.occurred_at
    mediator = _as(app, world["who"]["mediator"])
    case_id = world["case"].id
    upload = mediator.upload(
        f"/cases/{case_id}/contact-log/{contact.id}/recording/upload",
        {"file": (demo_wav(), "session.wav")},
        page=f"/cases/{case_id}",
    )
    assert upload.status_code == 303, upload.get_data(as_text=True)[:1500]
    db.session.refresh(contact)
    assert contact.recording_sha256 and contact.recording_media_type.startswith("audio/")


def test_without_consent_no_recording_can_be_added(
    app: Flask, world: dict[str, Any], frozen_clock: Any
) -> None:
    session, response = _held(app, world, frozen_clock, consent="no")
    assert response.status_code == 302
    assert _contact(session).recording_consent is False
    session2, _ = _held(app, world, frozen_clock)  # not asked
    assert _contact(session2).recording_consent is None


def test_an_unknown_consent_answer_is_refused_and_nothing_is_held(
    app: Flask, world: dict[str, Any], frozen_clock: Any
) -> None:
    session, response = _held(app, world, frozen_clock, consent="maybe")
    assert refused(response) and response.status_code == 400
    db.session.refresh(session)
    assert session.contact_record_id is None and session.status.value == "scheduled"


def test_the_held_session_leads_the_mediator_to_the_recording_and_the_record(
    app: Flask, world: dict[str, Any], frozen_clock: Any
) -> None:
    session, _ = _held(app, world, frozen_clock, consent="yes")
    contact = _contact(session)
    case_id = world["case"].id
    html = _as(app, world["who"]["mediator"]).get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/cases/{case_id}/contact-log#contact-{contact.id}" in html
    assert f"/cases/{case_id}/contacts/{contact.id}/record" in html
    row = html.split(f'id="session-{session.id}"', 1)[1].split("</li>\n    \n", 1)[0]
    assert "出席：双方当事人。" in row and "session-responses" not in row
    for party in ("debtor", "creditor"):
        seen = _as(app, world["who"][party]).get(f"/cases/{case_id}").get_data(as_text=True)
        assert f"/contacts/{contact.id}/record" not in seen
        assert f"contact-log#contact-{contact.id}" not in seen


def test_a_party_who_answered_is_offered_to_change_the_answer_from_it(
    app: Flask, world: dict[str, Any]
) -> None:
    session = _schedule(app, world)
    case_id, debtor = world["case"].id, _as(app, world["who"]["debtor"])
    url = f"/cases/{case_id}/sessions/{session.id}/respond"
    before = debtor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "答复邀请" in before and "修改我的答复" not in before
    debtor.submit(url, {"answer": "declined", "note": "出差"}, page=url)
    after = debtor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert url in after and "修改我的答复" in after
    form = debtor.get(url).get_data(as_text=True)
    assert 'value="declined" checked' in form and 'value="accepted" checked' not in form
