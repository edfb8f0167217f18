"""A mediation session end to end, in a real Chromium and in English: from the invitation
to the confirmed mediation record (调解笔录) in the court package.

On a negotiating case the mediator (at a desk) schedules a joint video session for
tomorrow 10:00. The debtor, on a phone (360 px), finds the invitation on their to-do list,
accepts it and downloads the calendar file (RFC 5545, on Beijing time). The next day the
mediator records the session as held (both parties attended, 10:00–10:50, the parties
consented to being recorded when asked at its start), adds the recording (a real WAV) on
the session's contact row, writes the mediation record from it and sends it. The debtor
(on the phone) and the creditor's agent each find "confirm the mediation record" on their
to-do list and sign it (password + one-time code); the mediator signs last and the record
is confirmed. Carried on to an agreement in force through the services, the case's
judicial-confirmation package embeds the record's exact file.

The one-time codes are read from the outbox (the live server and the test share the
database). Screenshots: ``tests/artifacts/session-*.png`` and ``/work/shots/journey16-*``
when that folder exists.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from contextlib import ExitStack
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from app.confirmation.package import build as package_build
from app.confirmation.package.integrity import attachments_of
from app.core import clock
from app.demo.contacts import demo_wav
from app.documents import issued as documents
from app.extensions import db
from app.models.cases import Case
from app.models.contacts import ContactRecord
from app.models.minutes import MediationRecord, RecordStatus
from app.models.notifications import Channel
from app.models.sessions import MediationSession
from app.models.users import User
from app.negotiation import proposals as proposal_service
from app.negotiation.offers import Offer
from app.rules.cases import CaseState
from app.rules.schedules import Frequency
from app.rules.sessions import Answer, SessionStatus
from tests import agreement_support as support
from tests import package_support as ps
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.factories import make_case

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_agreement_journey import (  # noqa: E402
    ask_for_code,
    confirm,
    signing_code,
    type_signature,
)
from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    flash,
    heading,
    screenshot,
    section,
    sign_in,
    submit,
    url_is,
)
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser

BEIJING = ZoneInfo("Asia/Shanghai")
SHOTS = Path("/work/shots")
CREDITOR_SAID = "债权人代理人陈述：借款本金三万元，已逾期半年，同意分期偿还。"
DEBTOR_SAID = "债务人陈述：因收入减少无力一次性偿还，愿意按月分期偿还。"
AGREED = "双方同意按月分期偿还，首期于下月支付。"
NOT_AGREED = "罚息是否减免，双方未达成一致。"


def shot(page: Page, name: str, artifacts: Path) -> None:
    """The page in the test's artifacts, and in the shared shots folder if there is one."""
    screenshot(page, artifacts / f"session-{name}.png")
    if SHOTS.is_dir():
        screenshot(page, SHOTS / f"journey16-{name}.png")


def in_chinese(page: Page, name: str, artifacts: Path) -> None:
    """The same page as a Chinese user sees it (the default language), then back to English."""
    submit(page, page.get_by_role("button", name="中文", exact=True), "switch to 中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    shot(page, f"{name}-zh", artifacts)
    submit(page, page.get_by_role("button", name="EN", exact=True), "switch to EN")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def sessions_card(page: Page) -> Locator:
    return section(page, "Mediation sessions")


def session_row(page: Page, session_id: int) -> Locator:
    return page.locator(f"li#session-{session_id}")


def todo_item(page: Page, kind: str, reference: str) -> Locator:
    todo = section(page, "Waiting for you")
    return todo.locator(f'.todo-item[data-kind="{kind}"][data-reference="{reference}"]')


def _session(case_id: int) -> MediationSession:
    db.session.expire_all()
    session = db.session.scalar(select(MediationSession).where(MediationSession.case_id == case_id))
    assert session is not None, "scheduling made no session row"
    return session


def _record(case_id: int) -> MediationRecord:
    db.session.expire_all()
    record = db.session.scalar(select(MediationRecord).where(MediationRecord.case_id == case_id))
    assert record is not None, "writing made no record row"
    return record


def sign_record(page: Page, reference: str, record_id: int, case_id: int, who: str) -> None:
    """From the to-do list, the record's sign page; ask for the code and sign it."""
    item = todo_item(page, "record_sign", reference)
    expect(item).to_have_count(1)
    submit(page, item.get_by_role("link"), f"{who}: confirm the mediation record")
    expect(page).to_have_url(url_is(rf"/cases/{case_id}/records/{record_id}/sign"))
    expect(heading(page, "Sign the session record")).to_be_visible()
    pages = page.get_by_role("list", name="The session record (PDF)").get_by_role("img")
    expect(pages.first).to_have_attribute("alt", re.compile(r"^Page 1 of \d+$"))


def finish_signing(page: Page, who: str) -> None:
    submit(page, page.get_by_role("button", name="Sign", exact=True), f"{who}: sign")
    expect(flash(page)).to_have_text("You signed the session record.")
    expect(heading(page, "Session record")).to_be_visible()


# --- the journey --------------------------------------------------------------------------


def test_session_scheduled_answered_held_recorded_and_its_record_signed_into_the_package(
    app: Flask,
    chromium: Browser,
    live_server: str,
    artifacts: Path,
    tmp_path: Path,
    frozen_clock: Any,
) -> None:
    # 0. A negotiating case between a bank and a debtor with an account.
    who = support.people()
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        debtor_name=who["debtor"].name,
    )
    case_id, reference = case.id, case.reference
    ids = {role: u.id for role, u in who.items()}
    emails = {role: u.email for role, u in who.items()}
    names = {role: u.name for role, u in who.items()}
    db.session.close()  # the live server's threads use their own sessions

    tomorrow = clock.local(clock.now()).date() + timedelta(days=1)
    starts = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, 0, tzinfo=BEIJING)
    recording = tmp_path / "session-recording.wav"
    recording.write_bytes(demo_wav(seconds=2.0))
    recording_sha = hashlib.sha256(recording.read_bytes()).hexdigest()

    watch = Watch()
    layout: list[str] = []  # checked last, so one overflow does not hide the rest

    def new_page(role: str, width: int = 1280) -> Any:
        return browser_page(chromium, live_server, watch, role, width)

    with ExitStack() as stack:
        # 1. The mediator schedules a joint video session for tomorrow 10:00.
        page = stack.enter_context(new_page("mediator"))
        sign_in(page, emails["mediator"])
        expect(page).to_have_url(url_is("/docket"))
        page.goto(f"/cases/{case_id}")
        card = sessions_card(page)
        expect(card).to_contain_text("No session has been scheduled.")
        submit(page, card.get_by_role("link", name="Schedule a session"), "mediator: schedule")
        expect(page).to_have_url(url_is(rf"/cases/{case_id}/sessions/new"))
        expect(heading(page, "Schedule a session")).to_be_visible()
        expect(page.get_by_label("Who takes part", exact=True)).to_have_value("joint")
        expect(page.get_by_label("How", exact=True)).to_have_value("video")
        page.get_by_label("Day", exact=True).fill(tomorrow.isoformat())
        page.get_by_label("Starts at (Beijing time)", exact=True).fill("10:00")
        page.get_by_label(re.compile(r"^Expected length in minutes")).fill("60")
        shot(page, "schedule-form-1280", artifacts)
        submit(
            page,
            page.get_by_role("button", name="Schedule the session"),
            "mediator: schedule the session",
        )
        expect(page).to_have_url(url_is(rf"/cases/{case_id}"))
        expect(flash(page)).to_have_text(
            "The session is scheduled and the invited parties are told."
        )
    session = _session(case_id)
    session_id, meeting_url = session.id, session.meeting_url
    assert session.starts_at == starts and session.status is SessionStatus.SCHEDULED
    db.session.close()

    # 2. The debtor, on a phone, finds the invitation on the to-do list and accepts it.
    with new_page("debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        expect(page).to_have_url(url_is("/debtor"))
        item = todo_item(page, "session_answer", reference)
        expect(item).to_contain_text("answer the invitation to the mediation session")
        layout += wider_than_screen(page, "the debtor's home with the invitation")
        submit(page, item.get_by_role("link"), "debtor: answer the invitation")
        expect(page).to_have_url(url_is(rf"/cases/{case_id}/sessions/{session_id}/respond"))
        expect(heading(page, "Answer the invitation")).to_be_visible()
        main = page.get_by_role("main")
        expect(main).to_contain_text("Joint session (both parties)")
        expect(main.get_by_role("link", name=meeting_url)).to_be_visible()
        expect(page.get_by_role("radio", name="I will take part")).to_be_checked()
        shot(page, "session-answer-360", artifacts)
        in_chinese(page, "session-answer-360", artifacts)
        layout += wider_than_screen(page, "the debtor's answer page")
        submit(page, page.get_by_role("button", name="Send my answer"), "debtor: accept")
        expect(page).to_have_url(url_is(rf"/cases/{case_id}"))
        expect(flash(page)).to_have_text("Your answer is sent to the mediator.")
        row = session_row(page, session_id)
        expect(row.locator(".session-responses li")).to_have_text("Debtor: Will take part")
        expect(row.get_by_role("link", name="Answer the invitation")).to_have_count(0)
        expect(row.get_by_role("link", name="Change my answer")).to_be_visible()
        layout += wider_than_screen(page, "the debtor's case page with the session")

        # The calendar file: an RFC 5545 invitation on Beijing time.
        with page.expect_download() as download:
            row.get_by_role("link", name="Add to calendar (.ics)").click()
        ics = Path(download.value.path()).read_text(encoding="utf-8")
    lines = ics.replace("\r\n ", "").splitlines()
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR", ics[:300]
    assert "BEGIN:VEVENT" in lines and "BEGIN:VTIMEZONE" in lines
    assert f"DTSTART;TZID=Asia/Shanghai:{tomorrow:%Y%m%d}T100000" in lines, ics
    assert "DURATION:PT1H" in lines and reference in "".join(lines)
    assert any(line.startswith("UID:") for line in lines)
    assert meeting_url in ics.replace("\r\n ", "")
    assert _session(case_id).response_of("debtor").answer is Answer.ACCEPTED
    db.session.close()

    # 3. The next day, after the session: the mediator records it as held, with consent.
    frozen_clock.move_to(starts + timedelta(minutes=90))
    with new_page("mediator, the next day") as page:
        sign_in(page, emails["mediator"])
        page.goto(f"/cases/{case_id}")
        row = session_row(page, session_id)
        submit(page, row.get_by_role("link", name="Record as held"), "mediator: record held")
        expect(heading(page, "Record the session as held")).to_be_visible()
        attended = page.get_by_role("group", name="Who attended")
        expect(attended.get_by_role("checkbox", name="Debtor")).to_be_checked()
        expect(attended.get_by_role("checkbox", name="Creditor")).to_be_checked()
        expect(page.get_by_label("Started at (Beijing time)", exact=True)).to_have_value("10:00")
        page.get_by_label("Ended at (Beijing time)", exact=True).fill("10:50")
        consent = page.get_by_role("group", name="Recording")
        expect(consent.get_by_role("radio", name=re.compile("^Not asked"))).to_be_checked()
        consent.get_by_role("radio", name=re.compile("consented to being recorded")).check()
        shot(page, "held-form-1280", artifacts)
        submit(page, page.get_by_role("button", name="Record as held"), "mediator: held")
        expect(flash(page)).to_have_text("The session is recorded as held and logged as a contact.")
        assert page.url.endswith(f"#session-{session_id}")
        row = session_row(page, session_id)
        expect(row.locator(".badge")).to_have_text("Held")
        expect(row).to_contain_text("Held from")
        expect(row).to_contain_text("Attended: both parties.")
        expect(row.get_by_role("link", name="Write the session record")).to_be_visible()
        shot(page, "held-session-1280", artifacts)
        page.goto("/docket")  # the record to write waits on the mediator's list too
        expect(todo_item(page, "record_write", reference)).to_contain_text(
            "write the mediation record"
        )
        page.goto(f"/cases/{case_id}#session-{session_id}")
        row = session_row(page, session_id)

        # 4. The recording, on the session's contact row.
        submit(
            page,
            row.get_by_role("link", name="Recording on the contact record"),
            "mediator: the session's contact row",
        )
        expect(page).to_have_url(url_is(rf"/cases/{case_id}/contact-log"))
        contact_id = int(page.url.rsplit("#contact-", 1)[1])
        contact = page.locator(f"tr#contact-{contact_id}")
        expect(contact).to_contain_text("Consented at")
        contact.get_by_label(re.compile(r"^Recording \(audio or video")).set_input_files(recording)
        submit(page, contact.get_by_role("button", name="Add the recording"), "mediator: upload")
        expect(flash(page)).to_have_text("The recording was added to the contact.")
        contact = page.locator(f"tr#contact-{contact_id}")
        expect(contact.get_by_role("link", name="Download the recording")).to_be_visible()
        expect(contact).to_contain_text(f"SHA-256 {recording_sha[:16]}")

        # 5. The mediation record, written from the contact row, and sent.
        submit(
            page,
            contact.get_by_role("link", name="Write the session record"),
            "mediator: write the record",
        )
        expect(page).to_have_url(url_is(rf"/cases/{case_id}/contacts/{contact_id}/record"))
        expect(heading(page, "Write the session record")).to_be_visible()
        expect(page.get_by_label("Start (Beijing time)", exact=True)).to_have_value(
            f"{tomorrow.isoformat()}T10:00"
        )
        expect(page.get_by_label("End (Beijing time)", exact=True)).to_have_value(
            f"{tomorrow.isoformat()}T10:50"
        )
        expect(page.get_by_label("Place or means", exact=True)).to_have_value("本平台在线视频调解")
        expect(page.get_by_label("Name 1", exact=True)).to_have_value(names["mediator"])
        page.get_by_label("What the creditor's side said", exact=True).fill(CREDITOR_SAID)
        page.get_by_label("What the debtor's side said", exact=True).fill(DEBTOR_SAID)
        page.get_by_label("What was agreed", exact=True).fill(AGREED)
        page.get_by_label("What was not agreed", exact=True).fill(NOT_AGREED)
        submit(page, page.get_by_role("button", name="Save the record"), "mediator: save")
        expect(flash(page)).to_have_text(
            "The record is saved as a draft. Send it to the parties when it is complete."
        )
        expect(page.locator("#record-status")).to_have_text("Draft (only the mediator sees it)")
        submit(
            page,
            page.get_by_role("button", name="Send to the parties for confirmation"),
            "mediator: send the record",
        )
        expect(flash(page)).to_have_text(
            "The record is being prepared. The parties are asked to sign it when it is ready."
        )
        if page.locator("#record-status").inner_text() != "Awaiting confirmation by signature":
            page.reload()
        expect(page.locator("#record-status")).to_have_text("Awaiting confirmation by signature")

    record = _record(case_id)
    record_id = record.id
    assert record.contact_record_id == contact_id and record.status is RecordStatus.AWAITING
    stored = db.session.get(ContactRecord, contact_id)
    assert stored is not None and stored.recording_consent is True
    assert stored.recording_sha256 == recording_sha
    db.session.close()

    # 6. The debtor, on the phone, confirms the record by signing it.
    with new_page("debtor, the next day", width=360) as page:
        sign_in(page, emails["debtor"])
        sign_record(page, reference, record_id, case_id, "debtor")
        in_chinese(page, "record-sign-360", artifacts)
        expect(page.get_by_role("main")).to_contain_text(f"Case {reference} · Version 1")
        summary = section(page, "What the record says")
        expect(summary.locator('[data-part="agreed"]')).to_have_text(AGREED)
        expect(summary.locator('[data-part="not_agreed"]')).to_have_text(NOT_AGREED)
        ask_for_code(page, re.compile(r"^SMS to "), "text message", "debtor")
        confirm(page, signing_code(ids["debtor"], Channel.SMS))
        type_signature(page, names["debtor"])
        shot(page, "record-sign-360", artifacts)
        layout += wider_than_screen(page, "the debtor's record sign page")
        finish_signing(page, "debtor")
        page.goto("/debtor")
        expect(todo_item(page, "record_sign", reference)).to_have_count(0)

    # 7. The creditor's agent confirms it too.
    with new_page("creditor") as page:
        sign_in(page, emails["creditor"])
        expect(page).to_have_url(url_is("/creditor"))
        sign_record(page, reference, record_id, case_id, "creditor")
        ask_for_code(page, re.compile(r"^Email to "), "email", "creditor")
        confirm(page, signing_code(ids["creditor"], Channel.EMAIL))
        type_signature(page, names["creditor"])
        finish_signing(page, "creditor")

    # 8. The mediator signs last: the record is confirmed; its PDF downloads.
    record_pdf = tmp_path / "record.pdf"
    with new_page("mediator signs") as page:
        sign_in(page, emails["mediator"])
        expect(page).to_have_url(url_is("/docket"))
        expect(todo_item(page, "record_sign", reference)).to_contain_text("both parties")
        sign_record(page, reference, record_id, case_id, "mediator")
        ask_for_code(page, re.compile(r"^Email to "), "email", "mediator")
        confirm(page, signing_code(ids["mediator"], Channel.EMAIL))
        type_signature(page, names["mediator"])
        finish_signing(page, "mediator")
        expect(page.locator("#record-status")).to_have_text("Confirmed by every signature")
        signed = page.locator("table.signatures tbody tr td:first-of-type")
        expect(signed).to_have_text([names["debtor"], names["creditor"], names["mediator"]])
        with page.expect_download() as download:
            page.get_by_role("link", name="Download", exact=True).click()
        download.value.save_as(record_pdf)
        page.goto(f"/cases/{case_id}")
        row = session_row(page, session_id)
        expect(row.get_by_role("link", name="Open the session record")).to_be_visible()
        expect(row.get_by_role("link", name="Write the session record")).to_have_count(0)

    data = record_pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(record_pdf).pages)
    squeezed = "".join(text.split())
    assert "调解笔录" in squeezed and reference in squeezed
    assert "".join(DEBTOR_SAID.split()) in squeezed
    assert f"经当事人同意录音录像，录音文件SHA-256：{recording_sha}" in squeezed
    if SHOTS.is_dir():
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(record_pdf),
                str(SHOTS / "journey16-record-pdf-page1"),
            ],
            check=True,
        )

    # 9. The record is confirmed; carried to an agreement in force through the services,
    # the court package embeds its exact file (人民调解法 Art. 27: proof of presiding).
    db.session.expire_all()
    record = db.session.get(MediationRecord, record_id)
    assert record is not None and record.status is RecordStatus.CONFIRMED
    final_sha = record.current_sha256
    assert final_sha == hashlib.sha256(data).hexdigest()
    assert {s.role for s in record.signatures} == {"debtor", "creditor", "mediator"}
    people = {role: db.session.get(User, user_id) for role, user_id in ids.items()}
    case = db.session.get(Case, case_id)
    assert case is not None
    offer = Offer(
        kind="instalments",
        total=Decimal("24000.00"),
        first_due=clock.today() + timedelta(days=30),
        count=6,
        frequency=Frequency.MONTHLY,
    )
    proposal = proposal_service.submit_proposal(people["debtor"], case, offer)
    assert proposal_service.accept_proposal(people["creditor"], case, proposal)
    agreement = support.draft(case, people)
    support.sign_all(case, agreement, people)
    db.session.refresh(case)
    assert case.state == CaseState.IN_FORCE
    ps.give_e_service_consent(case, people["debtor"])
    ps.standard_evidence(people, case)
    package = ps.released_package(case, agreement, people["mediator"])
    package_build.build_package(package.id)
    db.session.refresh(package)
    assert package.current_sha256, package.render_error
    embedded = attachments_of(documents.read_pdf(package.current_sha256))
    names_in = [n for n in embedded if n.endswith(f"-record-{record_id}-v1.pdf")]
    assert len(names_in) == 1, sorted(embedded)
    assert hashlib.sha256(embedded[names_in[0]]).hexdigest() == final_sha
    db.session.close()

    # 10. No script error, no server error; on the phone, no page scrolls sideways.
    assert watch.problems == [], "\n".join(watch.problems)
    if layout:
        pytest.fail("Sideways scrolling on the phone:\n" + "\n".join(layout), pytrace=False)
