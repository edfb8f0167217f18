"""The contact record (app.cases.contact_log): logged contacts flagged by the contact
rules with a reason required, recordings only with consent (audio/video by content, size
limit, hashed, streamed back identical, never replaced), complaints answered by the
organisation's admin within 15 days, the compliance view, and who may see what."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from app.audit import AuditAction
from app.extensions import db
from app.models import AuditEvent, Case, Complaint, ContactRecord, Notification
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.models.users import Role, User
from app.rules.cases import CaseState
from app.rules.message_kinds import MessageKind
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser, refused

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 500
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\0" * 2000
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people() -> dict[str, User]:
    org = make_mediation_org()
    return {
        "mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "admin": make_user(Role.ADMIN, mediation_org=org),
        "creditor": make_user(Role.CREDITOR),
        "debtor": make_user(Role.DEBTOR),
    }


@pytest.fixture
def case(people: dict[str, User]) -> Case:
    return make_case(
        creditor=people["creditor"],
        mediator=people["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=people["debtor"].id,
    )


def signed_in(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    browser.login(user.email, PASSWORD)
    return browser


def log(browser: Browser, case: Case, **fields: str):
    data = {
        "counterpart": "debtor",
        "direction": "outbound",
        "channel": "phone",
        "occurred_at": "2026-12-01T09:00",
        "duration": "12",
        "outcome": "reached",
        "consent": "yes",
        "summary": "电话沟通还款意向",
        **fields,
    }
    return browser.submit(f"/cases/{case.id}/contact-log/new", data, page=f"/cases/{case.id}")


def records() -> list[ContactRecord]:
    db.session.expire_all()
    return list(db.session.scalars(select(ContactRecord).order_by(ContactRecord.id)))


def test_a_call_is_logged_with_who_whom_when_and_an_audit_event(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    mediator = signed_in(app, people["mediator"])
    assert log(mediator, case).status_code == 303
    (row,) = records()
    assert row.logged_by_id == people["mediator"].id and row.counterpart.value == "debtor"
    assert row.occurred_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 Beijing
    assert row.duration_seconds == 720 and not row.flagged and row.recording_consent is True
    assert row.consent_at == row.occurred_at
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == AuditAction.CASE_CONTACT_LOG)
    )
    assert event is not None and event.case_id == case.id
    page = mediator.get(f"/cases/{case.id}/contact-log").get_data(as_text=True)
    assert "电话沟通还款意向" in page and f'id="contact-{row.id}"' in page
    assert 'id="contact-log"' in mediator.get(f"/cases/{case.id}").get_data(as_text=True)


def test_a_night_call_needs_a_reason_and_is_flagged_on_the_compliance_view(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    mediator = signed_in(app, people["mediator"])
    answer = log(mediator, case, occurred_at="2026-11-30T22:00")
    assert refused(answer) and answer.status_code == 400
    assert records() == []
    assert "21:00" in answer.get_data(as_text=True)
    assert (
        log(mediator, case, occurred_at="2026-11-30T22:00", reason="债务人约定晚间回电").status_code
        == 303
    )
    (row,) = records()
    assert row.flagged and row.flags == ["quiet_hours"] and row.flag_reason == "债务人约定晚间回电"
    admin = signed_in(app, people["admin"])
    page = admin.get("/compliance").get_data(as_text=True)
    assert f'id="flagged-{row.id}"' in page
    assert '<td data-key="flagged">1</td>' in page
    assert '<td data-key="quiet_hours">1</td>' in page


def test_the_fourth_outreach_of_a_day_counts_the_outbox_too(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    db.session.add(
        OutboundMessage(
            case_id=case.id,
            recipient_key=f"debtor:{case.id}",
            is_debtor=True,
            kind=MessageKind.OUTREACH,
            channel=Channel.SMS,
            address=case.debtor_phone,
            template="invitation",
            subject="调解邀请",
            body="……",
            due_at=datetime(2026, 12, 1, 0, 30, tzinfo=UTC),
            sent_at=datetime(2026, 12, 1, 0, 30, tzinfo=UTC),
            status=OutboxStatus.SENT,
        )
    )
    db.session.commit()
    mediator = signed_in(app, people["mediator"])
    for hour in ("09:00", "09:30"):
        assert log(mediator, case, occurred_at=f"2026-12-01T{hour}").status_code == 303
    # an inbound call from the debtor is not outreach
    assert (
        log(mediator, case, occurred_at="2026-12-01T09:40", direction="inbound").status_code == 303
    )
    answer = log(mediator, case, occurred_at="2026-12-01T10:00")
    assert refused(answer)
    assert (
        log(mediator, case, occurred_at="2026-12-01T10:00", reason="债务人要求").status_code == 303
    )
    assert [r.flags for r in records()] == [[], [], [], ["daily_cap"]]
    # the platform's SMS is in the same history, read-only
    page = mediator.get(f"/cases/{case.id}/contact-log").get_data(as_text=True)
    assert "调解邀请" in page and "contact-outbox" in page
    # the distribution per debtor per day: one debtor-day with four outreach contacts
    # (three logged, the platform's SMS); the creditor's own view has no platform SMS
    admin_page = signed_in(app, people["admin"]).get("/compliance").get_data(as_text=True)
    assert '<tr data-n="4"><td>4</td><td>1</td></tr>' in admin_page


def test_a_call_to_someone_else_is_flagged_wrong_person(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    mediator = signed_in(app, people["mediator"])
    assert refused(log(mediator, case, counterpart="other", counterpart_name="债务人母亲"))
    log(mediator, case, counterpart="other", counterpart_name="债务人母亲", reason="号码登记有误")
    (row,) = records()
    assert row.flags == ["wrong_person"] and row.counterpart_name == "债务人母亲"


def test_the_creditor_logs_its_own_contacts_and_who_sees_what(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    creditor = signed_in(app, people["creditor"])
    mediator = signed_in(app, people["mediator"])
    debtor = signed_in(app, people["debtor"])
    assert (
        log(
            creditor,
            case,
            summary="银行催收员来电",
            occurred_at="2026-11-30T21:30",
            reason="客户要求",
        ).status_code
        == 303
    )
    log(mediator, case, summary="调解员保密笔记")
    log(
        mediator,
        case,
        summary="联系担保人之外的人",
        counterpart="other",
        counterpart_name="同事",
        reason="误拨",
    )
    # a creditor cannot log a contact with the creditor's side
    assert refused(log(creditor, case, counterpart="creditor"))
    creditor_row = records()[0]
    assert creditor_row.creditor_org_id == people["creditor"].creditor_org_id
    assert creditor_row.flags == ["quiet_hours"]

    seen_by_creditor = creditor.get(f"/cases/{case.id}/contact-log").get_data(as_text=True)
    assert "银行催收员来电" in seen_by_creditor and "调解员保密笔记" not in seen_by_creditor
    seen_by_mediator = mediator.get(f"/cases/{case.id}/contact-log").get_data(as_text=True)
    assert "银行催收员来电" in seen_by_mediator and "调解员保密笔记" in seen_by_mediator
    seen_by_debtor = debtor.get(f"/cases/{case.id}/contact-log").get_data(as_text=True)
    assert "银行催收员来电" in seen_by_debtor and "调解员保密笔记" in seen_by_debtor
    assert "联系担保人之外的人" not in seen_by_debtor
    # the creditor's own-staff compliance view counts its flagged contact only
    own = creditor.get("/compliance").get_data(as_text=True)
    assert '<td data-key="flagged">1</td>' in own and '<td data-key="contacts">1</td>' in own


def upload(browser: Browser, case: Case, row: ContactRecord, content: bytes, name: str):
    return browser.upload(
        f"/cases/{case.id}/contact-log/{row.id}/recording/upload",
        {"file": (content, name)},
        page=f"/cases/{case.id}",
    )


def test_recording_refused_when_not_audio_or_video(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    mediator = signed_in(app, people["mediator"])
    log(mediator, case)
    (row,) = records()
    answer = upload(mediator, case, row, PDF, "call.mp3")
    assert refused(answer) and answer.status_code == 400
    assert "audio" in answer.get_data(as_text=True) or "音" in answer.get_data(as_text=True)
    assert records()[0].recording_sha256 is None


def test_recording_refused_over_the_limit(app: Flask, people: dict[str, User], case: Case) -> None:
    import dataclasses

    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], max_upload_mb=1)
    mediator = signed_in(app, people["mediator"])
    log(mediator, case)
    (row,) = records()
    answer = upload(mediator, case, row, MP3 + b"\0" * (1024 * 1024), "call.mp3")
    assert refused(answer) and "1 MB" in answer.get_data(as_text=True)
    assert records()[0].recording_sha256 is None


@pytest.mark.parametrize("consent", ["", "no"])
def test_recording_refused_without_consent(
    app: Flask, people: dict[str, User], case: Case, consent: str
) -> None:
    mediator = signed_in(app, people["mediator"])
    log(mediator, case, consent=consent)
    (row,) = records()
    answer = upload(mediator, case, row, MP3, "call.mp3")
    assert refused(answer) and answer.status_code == 409
    assert records()[0].recording_sha256 is None


def test_a_recording_is_hashed_streamed_back_identical_and_never_replaced(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    mediator = signed_in(app, people["mediator"])
    log(mediator, case, channel="video")
    (row,) = records()
    assert upload(mediator, case, row, MP4, "session.mp4").status_code == 303
    (row,) = records()
    assert row.recording_sha256 == hashlib.sha256(MP4).hexdigest()
    assert row.recording_media_type == "video/mp4" and row.recording_size == len(MP4)
    url = f"/cases/{case.id}/contact-log/{row.id}/recording"
    got = mediator.get(url)
    assert got.status_code == 200 and got.data == MP4
    # the debtor, whose session it was, may listen to it; the creditor did not log it
    assert signed_in(app, people["debtor"]).get(url).data == MP4
    assert signed_in(app, people["creditor"]).get(url).status_code == 404
    again = upload(mediator, case, row, MP3, "other.mp3")
    assert refused(again) and again.status_code == 409
    assert records()[0].recording_sha256 == hashlib.sha256(MP4).hexdigest()
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id))
    )
    assert {AuditAction.CASE_CONTACT_RECORDING, AuditAction.CASE_CONTACT_RECORDING_DOWNLOAD} <= {
        AuditAction(a) for a in actions
    }


def test_a_refused_recording_or_answer_redirects_back_to_its_page(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    """post/redirect/get for the recording upload and the complaint answer
    (tests/web/test_prg_walk.py COVERED_BY)."""
    mediator = signed_in(app, people["mediator"])
    log(mediator, case)
    (row,) = records()
    answer = mediator.upload(
        f"/cases/{case.id}/contact-log/{row.id}/recording/upload", {}, page=f"/cases/{case.id}"
    )
    assert refused(answer)
    debtor = signed_in(app, people["debtor"])
    debtor.submit(f"/cases/{case.id}/complaints", {"text": "态度恶劣"}, page=f"/cases/{case.id}")
    complaint = db.session.scalars(select(Complaint)).one()
    admin = signed_in(app, people["admin"])
    blank = admin.submit(
        f"/complaints/{complaint.id}/answer",
        {"answer": " "},
        page="/compliance",
        follow_refusal=False,
    )
    assert blank.status_code == 303 and admin.left_stash()
    assert blank.headers["Location"].endswith(f"/compliance#complaint-{complaint.id}")


def test_complaint_flow_with_its_deadline_and_answer(
    app: Flask, people: dict[str, User], case: Case, frozen_clock
) -> None:
    mediator = signed_in(app, people["mediator"])
    log(mediator, case, occurred_at="2026-11-30T22:00", reason="约定回电")
    (row,) = records()
    debtor = signed_in(app, people["debtor"])
    answer = debtor.submit(
        f"/cases/{case.id}/complaints",
        {"text": "晚上十点来电骚扰", "contact_id": str(row.id)},
        page=f"/cases/{case.id}",
    )
    assert answer.status_code == 303
    complaint = db.session.scalars(select(Complaint)).one()
    assert complaint.contact_id == row.id and complaint.due_on == date(2026, 12, 16)
    assert complaint.status.value == "open"
    admin = signed_in(app, people["admin"])
    page = admin.get("/compliance").get_data(as_text=True)
    assert '<td data-key="complaints_open">1</td>' in page
    assert '<td data-key="complaints_overdue">0</td>' in page
    # past the 15 days it is overdue
    frozen_clock.move_to(datetime(2026, 12, 17, 10, 0, tzinfo=UTC))
    admin = signed_in(app, people["admin"])  # the sessions of two weeks ago have ended
    debtor = signed_in(app, people["debtor"])
    page = admin.get("/compliance").get_data(as_text=True)
    assert '<td data-key="complaints_overdue">1</td>' in page
    assert (
        admin.submit(
            f"/complaints/{complaint.id}/answer",
            {"answer": "已核实并批评教育调解员"},
            page="/compliance",
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert complaint.status.value == "answered" and complaint.answered_by_id == people["admin"].id
    page = admin.get("/compliance").get_data(as_text=True)
    assert '<td data-key="complaints_answered">1</td>' in page
    assert '<td data-key="complaints_overdue">0</td>' in page
    # the complainant sees the status and the answer
    mine = debtor.get(f"/cases/{case.id}/contact-log").get_data(as_text=True)
    assert "已核实并批评教育调解员" in mine
    # told in the notification centre: the admin of the filing, the debtor of the answer
    told = {
        (n.user_id, n.template)
        for n in db.session.scalars(select(Notification).where(Notification.case_id == case.id))
    }
    assert told == {
        (people["admin"].id, "complaint_filed"),
        (people["debtor"].id, "complaint_answered"),
    }
    # answered once only
    again = admin.submit(
        f"/complaints/{complaint.id}/answer", {"answer": "再答"}, page="/compliance"
    )
    assert refused(again) and again.status_code == 409
    actions = {
        AuditAction(a)
        for a in db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id))
    }
    assert {AuditAction.CASE_COMPLAINT_FILE, AuditAction.CASE_COMPLAINT_ANSWER} <= actions


def test_a_complaint_about_a_contact_the_party_cannot_see_is_refused(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    mediator = signed_in(app, people["mediator"])
    log(mediator, case, counterpart="other", counterpart_name="同事", reason="误拨")
    other_case = make_case(
        creditor=people["creditor"], mediator=people["mediator"], state=CaseState.NEGOTIATING
    )
    log(mediator, other_case)
    hidden, elsewhere = records()
    debtor = signed_in(app, people["debtor"])
    for contact in (hidden, elsewhere):
        answer = debtor.submit(
            f"/cases/{case.id}/complaints",
            {"text": "投诉", "contact_id": str(contact.id)},
            page=f"/cases/{case.id}",
        )
        assert refused(answer)
    assert db.session.scalars(select(Complaint)).all() == []


def test_outsiders_are_refused_on_every_route(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    mediator = signed_in(app, people["mediator"])
    log(mediator, case, channel="video")
    (row,) = records()
    upload(mediator, case, row, MP4, "s.mp4")
    debtor = signed_in(app, people["debtor"])
    debtor.submit(f"/cases/{case.id}/complaints", {"text": "投诉"}, page=f"/cases/{case.id}")
    complaint = db.session.scalars(select(Complaint)).one()

    other_org = make_mediation_org()
    outsiders = {
        "other mediator, same org": make_user(
            Role.MEDIATOR, mediation_org_id=case.mediation_org_id
        ),
        "other org's mediator": make_user(Role.MEDIATOR, mediation_org=other_org),
        "other org's admin": make_user(Role.ADMIN, mediation_org=other_org),
        "other creditor": make_user(Role.CREDITOR),
        "other debtor": make_user(Role.DEBTOR),
    }
    base = f"/cases/{case.id}/contact-log"
    for who, user in outsiders.items():
        browser = signed_in(app, user)
        assert browser.get(base).status_code == 404, who
        assert browser.get(f"{base}/{row.id}/recording").status_code == 404, who
        assert log(browser, case).status_code in (403, 404), who
        sent = browser.upload(
            f"{base}/{row.id}/recording/upload", {"file": (MP3, "a.mp3")}, page="/account/"
        )
        assert sent.status_code in (403, 404), who
        filed = browser.submit(f"/cases/{case.id}/complaints", {"text": "x"}, page="/account/")
        assert filed.status_code in (403, 404), who
        answered = browser.submit(
            f"/complaints/{complaint.id}/answer", {"answer": "x"}, page="/account/"
        )
        assert answered.status_code in (403, 404), who
    assert len(records()) == 1
    assert db.session.scalars(select(Complaint)).one().status.value == "open"
    # the mediator cannot answer complaints, the debtor cannot log, the admin cannot log
    assert (
        mediator.submit(
            f"/complaints/{complaint.id}/answer", {"answer": "x"}, page="/account/"
        ).status_code
        == 403
    )
    assert log(debtor, case).status_code == 403
    assert log(signed_in(app, people["admin"]), case).status_code == 403
    # the creditor does not log on a draft (not in mediation); nobody on a closed case
    draft = make_case(creditor=people["creditor"], state=CaseState.DRAFT)
    assert log(signed_in(app, people["creditor"]), draft).status_code == 404
    case.state = CaseState.CLOSED_NOT_MEDIATED
    db.session.commit()
    assert log(mediator, case).status_code == 404


def test_a_complaint_about_another_organisations_case_is_refused(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    other = make_case(state=CaseState.NEGOTIATING, debtor_user_id=make_user(Role.DEBTOR).id)
    for who in ("debtor", "creditor"):
        browser = signed_in(app, people[who])
        answer = browser.submit(f"/cases/{other.id}/complaints", {"text": "投诉"}, page="/account/")
        assert answer.status_code == 404, who
    assert db.session.scalars(select(Complaint)).all() == []


def test_the_daily_cap_counts_the_debtors_other_cases(
    app: Flask, people: dict[str, User], case: Case
) -> None:
    """Three outreach a day across all cases (BRIEF §6): the other creditor's calls to
    the same phone count; another debtor's do not."""
    other_creditor = make_user(Role.CREDITOR)
    same_debtor = make_case(creditor=other_creditor, state=CaseState.NEGOTIATING)
    stranger = make_case(
        creditor=other_creditor, state=CaseState.NEGOTIATING, debtor_phone="13900000000"
    )
    theirs = signed_in(app, other_creditor)
    for hour in ("08:10", "08:20"):
        assert log(theirs, same_debtor, occurred_at=f"2026-12-01T{hour}").status_code == 303
    assert log(theirs, stranger, occurred_at="2026-12-01T08:30").status_code == 303
    mediator = signed_in(app, people["mediator"])
    assert log(mediator, case, occurred_at="2026-12-01T09:00").status_code == 303
    assert refused(log(mediator, case, occurred_at="2026-12-01T09:10"))
    # another day counts on its own
    assert log(mediator, case, occurred_at="2026-11-30T09:10").status_code == 303
    assert [r.flags for r in records()] == [[], [], [], [], []]
