"""Messages: who reads and posts in which thread, posting and its refusals, notices through
the outbox, the audit entry, the case page panel and its paging."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import AuditEvent
from app.models.cases import Case
from app.models.negotiation import Message, Thread
from app.models.notifications import OutboundMessage, OutboxStatus
from app.models.users import Role, User
from app.negotiation import threads as thread_service
from app.notifications.texts import threads as thread_messages
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

J, CD, CC, N = Thread.JOINT, Thread.CAUCUS_DEBTOR, Thread.CAUCUS_CREDITOR, Thread.NOTES
BEIJING = ZoneInfo("Asia/Shanghai")
OUTSIDERS = (
    "colleague_mediator",
    "foreign_mediator",
    "foreign_admin",
    "other_creditor",
    "other_debtor",
)


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    org, foreign_org = make_mediation_org(), make_mediation_org()
    creditor = make_user(Role.CREDITOR)
    people: dict[str, User] = {
        "debtor": make_user(Role.DEBTOR),
        "creditor": creditor,
        "creditor_colleague": make_user(Role.CREDITOR, creditor_org_id=creditor.creditor_org_id),
        "mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "admin": make_user(Role.ADMIN, mediation_org=org),
        "colleague_mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "foreign_mediator": make_user(Role.MEDIATOR, mediation_org=foreign_org),
        "foreign_admin": make_user(Role.ADMIN, mediation_org=foreign_org),
        "other_creditor": make_user(Role.CREDITOR),
        "other_debtor": make_user(Role.DEBTOR),
    }
    case = make_case(
        creditor=creditor,
        mediator=people["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=people["debtor"].id,
    )
    return {"people": people, "case": case}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _post(browser: Browser, case: Case, thread: str, body: str):
    return browser.submit(f"/cases/{case.id}/threads/{thread}", {"body": body}, page="/account/")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _seed(case: Case, thread: Thread, author: User, n: int, text: str = "message") -> None:
    db.session.add_all(
        Message(case_id=case.id, thread=thread, author_id=author.id, body=f"{text} {i}")
        for i in range(n)
    )
    db.session.commit()


def _shown_ids(html: str, thread: Thread) -> list[int]:
    section = html.split(f'data-thread="{thread.value}"', 1)[1].split("</section>", 1)[0]
    return [int(i) for i in re.findall(r'data-message-id="(\d+)"', section)]


# --- the rule -------------------------------------------------------------------------

RULE = [
    ("debtor", {J: True, CD: True}),
    ("creditor", {J: True, CC: True}),
    ("creditor_colleague", {J: True, CC: True}),
    ("mediator", {J: True, CD: True, CC: True, N: True}),
    ("admin", {J: False, CD: False, CC: False, N: False}),  # reads all, posts none
    *((outsider, {}) for outsider in OUTSIDERS),
]


@pytest.mark.parametrize(("actor", "expected"), RULE)
def test_who_reads_and_posts_in_which_thread_while_negotiating(world, actor, expected) -> None:
    user, case = world["people"][actor], world["case"]
    assert thread_service.thread_access(case, user) == expected
    assert thread_service.visible_threads(case, user) == list(expected)
    for thread in Thread:
        assert thread_service.may_post(case, user, thread) == expected.get(thread, False)


def test_the_creditor_never_gets_the_debtors_caucus_or_the_notes(world) -> None:
    for actor in ("creditor", "creditor_colleague", "other_creditor"):
        visible = thread_service.visible_threads(world["case"], world["people"][actor])
        assert CD not in visible and N not in visible


def test_the_debtor_never_gets_the_creditors_caucus_or_the_notes(world) -> None:
    for actor in ("debtor", "other_debtor"):
        visible = thread_service.visible_threads(world["case"], world["people"][actor])
        assert CC not in visible and N not in visible


@pytest.mark.parametrize(
    ("state", "postable"),
    [
        (CaseState.NEGOTIATING, True),
        (CaseState.AGREEMENT_DRAFTING, True),
        (CaseState.SIGNING, True),
        (CaseState.IN_FORCE, True),
        (CaseState.FILED, True),
        (CaseState.CONFIRMED, True),
        (CaseState.CONFIRMATION_REJECTED, True),
        (CaseState.INVITED, False),
        (CaseState.SUBMITTED, False),
        (CaseState.CLOSED_NOT_MEDIATED, False),
        (CaseState.PERFORMED, False),
    ],
)
def test_posting_is_open_from_negotiation_until_the_case_is_closed(world, state, postable) -> None:
    case = world["case"]
    case.state = state
    db.session.commit()
    for actor in ("debtor", "creditor", "mediator"):
        access = thread_service.thread_access(case, world["people"][actor])
        assert access and all(v == postable for v in access.values()), (actor, access)


def test_a_locked_mediator_reads_nothing(world) -> None:
    mediator = world["people"]["mediator"]
    mediator.is_locked = True
    db.session.commit()
    assert thread_service.thread_access(world["case"], mediator) == {}


def test_after_reassignment_the_new_mediator_has_the_threads_and_the_old_one_none(world) -> None:
    case, people = world["case"], world["people"]
    case.mediator_id = people["colleague_mediator"].id
    db.session.commit()
    assert thread_service.visible_threads(case, people["colleague_mediator"]) == [J, CD, CC, N]
    assert thread_service.visible_threads(case, people["mediator"]) == []


# --- posting: the access matrix ---------------------------------------------------------

POSTS = {
    "debtor": {"joint": 302, "caucus_debtor": 302, "caucus_creditor": 404, "notes": 404},
    "creditor": {"joint": 302, "caucus_debtor": 404, "caucus_creditor": 302, "notes": 404},
    "creditor_colleague": {"joint": 302, "caucus_debtor": 404, "caucus_creditor": 302},
    "mediator": {"joint": 302, "caucus_debtor": 302, "caucus_creditor": 302, "notes": 302},
    # The admin reads every thread but posts in none (the role has no posting permission).
    "admin": {"joint": 403, "caucus_debtor": 403, "caucus_creditor": 403, "notes": 403},
    "foreign_admin": {"joint": 403, "notes": 403},
    **{
        o: {"joint": 404, "caucus_debtor": 404, "caucus_creditor": 404, "notes": 404}
        for o in OUTSIDERS
        if o != "foreign_admin"
    },
}
POST_CASES = [
    (actor, thread, status) for actor, row in POSTS.items() for thread, status in row.items()
]


@pytest.mark.parametrize(("actor", "thread", "status"), POST_CASES)
def test_post_matrix(app: Flask, world, actor: str, thread: str, status: int) -> None:
    case = world["case"]
    before = (_count(Message), _count(AuditEvent), _count(OutboundMessage))
    response = _post(_as(app, world["people"][actor]), case, thread, "你好")
    assert response.status_code == status, (actor, thread)
    if status == 302:
        assert response.headers["Location"].endswith(f"/cases/{case.id}#thread-{thread}")
        message = db.session.scalars(select(Message)).one()
        assert (message.thread, message.author_id, message.body) == (
            Thread(thread),
            world["people"][actor].id,
            "你好",
        )
    else:
        after = (_count(Message), _count(AuditEvent), _count(OutboundMessage))
        # Signing in wrote one audit event; the refused post wrote nothing at all.
        assert after == (before[0], before[1] + 1, before[2]), "a refused post changed something"


@pytest.mark.parametrize("thread", ["joint", "notes", "caucus_debtor", "caucus_creditor", "x"])
def test_anonymous_posts_are_sent_to_sign_in(app: Flask, world, thread: str) -> None:
    response = _post(Browser(app.test_client()), world["case"], thread, "hi")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _count(Message) == 0


def test_an_unknown_thread_is_not_found(app: Flask, world) -> None:
    response = _post(_as(app, world["people"]["mediator"]), world["case"], "everyone", "hi")
    assert response.status_code == 404 and _count(Message) == 0


def test_an_unknown_case_is_not_found(app: Flask, world) -> None:
    browser = _as(app, world["people"]["mediator"])
    assert _post(browser, Case(id=999_999), "joint", "hi").status_code == 404


def test_a_post_through_another_cases_url_is_refused(app: Flask, world) -> None:
    """The debtor's own caucus, but on a case that is not theirs."""
    other = make_case(
        creditor=world["people"]["creditor"],
        mediator=world["people"]["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=world["people"]["other_debtor"].id,
    )
    response = _post(_as(app, world["people"]["debtor"]), other, "caucus_debtor", "hi")
    assert response.status_code == 404 and _count(Message) == 0


@pytest.mark.parametrize(
    "state", [CaseState.INVITED, CaseState.CLOSED_NOT_MEDIATED, CaseState.PERFORMED]
)
def test_a_party_cannot_post_before_negotiation_or_once_closed(app: Flask, world, state) -> None:
    world["case"].state = state
    db.session.commit()
    for actor in ("debtor", "creditor", "mediator"):
        response = _post(_as(app, world["people"][actor]), world["case"], "joint", "hi")
        assert response.status_code == 403, actor
    assert _count(Message) == 0


def test_messages_can_be_posted_while_the_agreement_is_drafted(app: Flask, world) -> None:
    world["case"].state = CaseState.AGREEMENT_DRAFTING
    db.session.commit()
    assert (
        _post(_as(app, world["people"]["debtor"]), world["case"], "joint", "ok").status_code == 302
    )


@pytest.mark.parametrize(
    "state", [CaseState.SIGNING, CaseState.IN_FORCE, CaseState.FILED, CaseState.CONFIRMED]
)
def test_every_thread_stays_writable_through_signing_confirmation_and_performance(
    app: Flask, world, state
) -> None:
    """A debtor asking to move a payment after signing gets an answer (人民调解法 Art. 22)."""
    world["case"].state = state
    db.session.commit()
    people, case = world["people"], world["case"]
    posts = [
        ("debtor", "joint"),
        ("debtor", "caucus_debtor"),
        ("creditor", "caucus_creditor"),
        ("mediator", "caucus_debtor"),
        ("mediator", "notes"),
    ]
    for actor, thread in posts:
        response = _post(_as(app, people[actor]), case, thread, f"{actor} {thread}")
        assert response.status_code == 302, (actor, thread)
    stored = db.session.execute(select(Message.thread, Message.body).order_by(Message.id)).all()
    assert [(t.value, b) for t, b in stored] == [(t, f"{a} {t}") for a, t in posts]


def test_a_post_once_the_case_closed_writes_nothing(app: Flask, world) -> None:
    world["case"].state = CaseState.PERFORMED
    db.session.commit()
    for actor, thread in (("debtor", "caucus_debtor"), ("mediator", "notes")):
        response = _post(_as(app, world["people"][actor]), world["case"], thread, "late")
        assert response.status_code == 403, actor
    assert _count(Message) == 0


def test_a_post_without_the_forms_token_is_refused(app: Flask, world) -> None:
    browser = _as(app, world["people"]["debtor"])
    response = browser.client.post(f"/cases/{world['case'].id}/threads/joint", data={"body": "hi"})
    assert response.status_code == 400 and _count(Message) == 0


def test_a_post_without_a_body_field_is_refused(app: Flask, world) -> None:
    browser = _as(app, world["people"]["debtor"])
    response = browser.submit(f"/cases/{world['case'].id}/threads/joint", {}, page="/account/")
    assert response.status_code == 400 and _count(Message) == 0


# --- the body ---------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\n\t \r\n", "\x00\x01"])
def test_an_empty_message_is_refused_and_nothing_saved(app: Flask, world, body: str) -> None:
    before = _count(AuditEvent)
    browser = _as(app, world["people"]["debtor"])
    response = _post(browser, world["case"], "caucus_debtor", body)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="body-caucus_debtor-error"' in html and 'aria-invalid="true"' in html
    assert _count(Message) == 0 and _count(OutboundMessage) == 0
    assert _count(AuditEvent) == before + 1  # the sign-in only


def test_a_message_over_4000_characters_is_refused_with_the_text_kept(app: Flask, world) -> None:
    typed = "长" * 4001
    response = _post(_as(app, world["people"]["creditor"]), world["case"], "joint", typed)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'name="body" rows="3" maxlength="4000" required aria-invalid="true"' in html
    assert f">{typed}</textarea>" in html and 'id="body-joint-error"' in html
    assert _count(Message) == 0 and _count(OutboundMessage) == 0


def test_the_text_kept_is_escaped_and_only_in_its_own_form(app: Flask, world) -> None:
    typed = "</textarea><b>x</b>" + "y" * 4000
    response = _post(_as(app, world["people"]["mediator"]), world["case"], "notes", typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "</textarea><b>x</b>" not in html
    assert html.count("&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;") == 1
    notes_form = html.split('id="body-notes"', 1)[1].split("</textarea>", 1)[0]
    assert "&lt;b&gt;x" in notes_form


def test_exactly_4000_characters_are_accepted_after_trimming(app: Flask, world) -> None:
    body = "  " + "a" * 4000 + "\n\n"
    assert (
        _post(_as(app, world["people"]["debtor"]), world["case"], "joint", body).status_code == 302
    )
    assert db.session.scalars(select(Message.body)).one() == "a" * 4000


def test_the_body_is_trimmed_with_line_breaks_kept_and_control_characters_dropped(
    app: Flask, world
) -> None:
    body = "  第一行\r\n第二行\x00\x07  \n"
    assert (
        _post(_as(app, world["people"]["debtor"]), world["case"], "joint", body).status_code == 302
    )
    assert db.session.scalars(select(Message.body)).one() == "第一行\n第二行"


def test_a_message_is_escaped_on_the_case_page(app: Flask, world) -> None:
    browser = _as(app, world["people"]["debtor"])
    assert _post(browser, world["case"], "joint", "<script>alert(1)</script>").status_code == 302
    for actor in ("debtor", "creditor", "mediator", "admin"):
        html = (
            _as(app, world["people"][actor])
            .get(f"/cases/{world['case'].id}")
            .get_data(as_text=True)
        )
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, actor
        assert "<script>alert(1)" not in html, actor


# --- audit ------------------------------------------------------------------------------


def test_a_post_is_audited_with_id_thread_and_length_never_the_text(app: Flask, world) -> None:
    _post(_as(app, world["people"]["mediator"]), world["case"], "caucus_creditor", "私下 说明")
    message = db.session.scalars(select(Message)).one()
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:message:post")
    ).one()
    assert (event.object_type, event.object_id, event.case_id) == (
        "message",
        str(message.id),
        world["case"].id,
    )
    assert event.actor_id == world["people"]["mediator"].id
    assert event.data == {"message_id": message.id, "thread": "caucus_creditor", "length": 5}


# --- notices ----------------------------------------------------------------------------

NOTICES = [
    ("debtor", "joint", {"creditor", "creditor_colleague", "mediator"}),
    ("creditor", "joint", {"debtor", "mediator"}),
    ("mediator", "joint", {"debtor", "creditor", "creditor_colleague"}),
    ("debtor", "caucus_debtor", {"mediator"}),
    ("mediator", "caucus_debtor", {"debtor"}),
    ("creditor", "caucus_creditor", {"mediator"}),
    ("mediator", "caucus_creditor", {"creditor", "creditor_colleague"}),
    ("mediator", "notes", set()),
]


def _key(world, who: str) -> str:
    if who == "debtor":
        return f"debtor:{world['case'].id}"
    return f"user:{world['people'][who].id}"


@pytest.mark.parametrize(("author", "thread", "notified"), NOTICES)
def test_a_message_notifies_the_other_members_of_its_thread(
    app: Flask, world, author, thread, notified
) -> None:
    body = "请于周五前回复 ABC-123"
    assert _post(_as(app, world["people"][author]), world["case"], thread, body).status_code == 302
    rows = db.session.scalars(select(OutboundMessage)).all()
    assert {row.recipient_key for row in rows} == {_key(world, who) for who in notified}
    assert len(rows) == len(notified)  # one contact each
    org, ref = world["case"].mediation_org.name, world["case"].reference
    for row in rows:
        assert row.template == "thread_message" and row.case_id == world["case"].id
        assert org in row.body and ref in row.body and ref in row.subject
        assert "ABC-123" not in row.body + row.subject and "周五" not in row.body


def test_the_debtor_gets_one_sms_when_a_phone_is_on_file_else_an_email(app: Flask, world) -> None:
    case, mediator = world["case"], world["people"]["mediator"]
    thread_service.post_message(mediator, case, J, "一")
    row = db.session.scalars(select(OutboundMessage).where(OutboundMessage.is_debtor)).one()
    assert (row.channel.value, row.address) == ("sms", case.debtor_phone)
    db.session.delete(row)
    case.debtor_phone = None
    db.session.commit()
    thread_service.post_message(mediator, case, J, "二")
    row = db.session.scalars(select(OutboundMessage).where(OutboundMessage.is_debtor)).one()
    assert (row.channel.value, row.address) == ("email", case.debtor_email)


def test_a_locked_creditor_user_is_not_notified(app: Flask, world) -> None:
    world["people"]["creditor_colleague"].is_locked = True
    db.session.commit()
    thread_service.post_message(world["people"]["debtor"], world["case"], J, "hi")
    keys = set(db.session.scalars(select(OutboundMessage.recipient_key)))
    assert keys == {_key(world, "creditor"), _key(world, "mediator")}


def test_no_second_notice_while_the_first_is_still_unsent(app: Flask, world) -> None:
    case, mediator = world["case"], world["people"]["mediator"]
    # 23:00 Beijing time: quiet hours keep the debtor's first notice unsent until 08:00.
    with time_machine.travel(datetime(2026, 12, 1, 23, 0, tzinfo=BEIJING), tick=False):
        for text in ("一", "二", "三"):
            thread_service.post_message(mediator, case, CD, text)
        notices = db.session.scalars(select(OutboundMessage)).all()
        assert len(notices) == 1 and notices[0].status == OutboxStatus.QUEUED
        notices[0].status = OutboxStatus.SENT
        db.session.commit()
        thread_service.post_message(mediator, case, CD, "四")
        assert _count(OutboundMessage) == 2


def test_the_notice_texts_name_organisation_and_case_and_where_to_read() -> None:
    link = "https://concord.example.cn/cases/7#messages"
    subject, body = thread_messages.new_message_email(
        "东城区人民调解委员会", "HZ-2026-000007", link
    )
    assert "东城区人民调解委员会" in subject and "HZ-2026-000007" in subject
    assert "新消息" in body and link in body and "HZ-2026-000007" in body
    _, sms = thread_messages.new_message_sms("东城区人民调解委员会", "HZ-2026-000007", link)
    assert sms.startswith("【东城区人民调解委员会】") and link in sms and len(sms) <= 160


@pytest.mark.parametrize("org_len", [10, 60, 120, 200])
def test_the_sms_notice_always_fits_160_characters(org_len: int) -> None:
    link = "https://concord.example.cn/cases/123456#messages"
    _, sms = thread_messages.new_message_sms("调" * org_len, "HZ-2026-123456", link)
    assert len(sms) <= 160 and sms.startswith("【调") and "HZ-2026-123456" in sms


# --- the panel --------------------------------------------------------------------------

PANEL = [
    ("debtor", ["joint", "caucus_debtor"], ["joint", "caucus_debtor"]),
    ("creditor", ["joint", "caucus_creditor"], ["joint", "caucus_creditor"]),
    (
        "mediator",
        ["joint", "caucus_debtor", "caucus_creditor", "notes"],
        ["joint", "caucus_debtor", "caucus_creditor", "notes"],
    ),
    ("admin", ["joint", "caucus_debtor", "caucus_creditor", "notes"], []),
]


@pytest.mark.parametrize(("actor", "sections", "forms"), PANEL)
def test_the_panel_shows_each_visible_thread_and_a_form_where_one_may_post(
    app: Flask, world, actor, sections, forms
) -> None:
    for thread in Thread:
        _seed(world["case"], thread, world["people"]["mediator"], 1)
    html = _as(app, world["people"][actor]).get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert re.findall(r'data-thread="(\w+)"', html) == sections
    assert re.findall(r'<textarea id="body-(\w+)"', html) == forms
    for thread in forms:
        assert f'action="/cases/{world["case"].id}/threads/{thread}"' in html


def test_a_read_only_thread_says_so_without_a_form(app: Flask, world) -> None:
    world["case"].state = CaseState.CLOSED_NOT_MEDIATED
    db.session.commit()
    _seed(world["case"], J, world["people"]["debtor"], 1)
    browser = _as(app, world["people"]["debtor"])
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    html = browser.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert 'data-thread="joint"' in html and '<textarea id="body-' not in html
    assert "Messages can be sent from the start of the negotiation until the case is closed" in html


def test_no_panel_before_there_is_anything_to_read_or_post(app: Flask, world) -> None:
    world["case"].state = CaseState.INVITED
    db.session.commit()
    html = (
        _as(app, world["people"]["mediator"])
        .get(f"/cases/{world['case'].id}")
        .get_data(as_text=True)
    )
    assert 'id="messages"' not in html


def test_own_messages_are_marked_and_others_name_their_author(app: Flask, world) -> None:
    _post(_as(app, world["people"]["debtor"]), world["case"], "joint", "from debtor")
    _post(_as(app, world["people"]["mediator"]), world["case"], "joint", "from mediator")
    browser = _as(app, world["people"]["debtor"])
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    html = browser.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    mine, theirs = re.findall(r'<li class="message( mine)?"', html)
    assert mine == " mine" and theirs == ""
    assert f"{world['people']['mediator'].name} (Mediator)" in html


def test_the_latest_50_are_shown_oldest_first_with_a_link_to_earlier(app: Flask, world) -> None:
    case = world["case"]
    _seed(case, J, world["people"]["debtor"], 120)
    ids = list(db.session.scalars(select(Message.id).order_by(Message.id)))
    browser = _as(app, world["people"]["creditor"])
    html = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert _shown_ids(html, J) == ids[-50:]  # newest at the bottom
    earlier = re.search(r'href="([^"]*before_joint=\d+[^"]*)" rel="prev"', html)
    assert earlier and f"before_joint={ids[-50]}" in earlier.group(1)
    html = browser.get(earlier.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert _shown_ids(html, J) == ids[20:70]
    assert "Back to the latest" in html or 'href="/cases/' in html
    html = browser.get(f"/cases/{case.id}?before_joint={ids[20]}").get_data(as_text=True)
    assert _shown_ids(html, J) == ids[:20] and 'rel="prev"' not in html


def test_paging_one_thread_leaves_the_others_at_their_latest(app: Flask, world) -> None:
    case, mediator = world["case"], world["people"]["mediator"]
    _seed(case, J, mediator, 60)
    _seed(case, N, mediator, 3)
    first_joint = db.session.scalar(select(func.min(Message.id)).where(Message.thread == J))
    html = _as(app, mediator).get(f"/cases/{case.id}?before_joint={first_joint + 5}")
    html = html.get_data(as_text=True)
    assert len(_shown_ids(html, J)) == 5 and len(_shown_ids(html, N)) == 3


@pytest.mark.parametrize("value", ["abc", "-5", "0", "2147483648", "99999999999999999999"])
def test_a_bad_paging_parameter_is_harmless(app: Flask, world, value: str) -> None:
    _seed(world["case"], J, world["people"]["debtor"], 3)
    response = _as(app, world["people"]["debtor"]).get(
        f"/cases/{world['case'].id}?before_joint={value}"
    )
    assert response.status_code == 200


def _queries_for_case_page(app: Flask, browser: Browser, case: Case) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert browser.get(f"/cases/{case.id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_case_page_with_200_messages_uses_a_bounded_number_of_queries(
    app: Flask, world
) -> None:
    case, people = world["case"], world["people"]
    browser = _as(app, people["mediator"])
    for thread, author in ((J, "debtor"), (CD, "debtor"), (CC, "creditor"), (N, "mediator")):
        _seed(case, thread, people[author], 1)
    few = _queries_for_case_page(app, browser, case)
    for thread, author, n in (
        (J, "creditor", 80),
        (CD, "mediator", 50),
        (CC, "creditor_colleague", 50),
        (N, "mediator", 16),
    ):
        _seed(case, thread, people[author], n)
    assert _count(Message) == 200
    many = _queries_for_case_page(app, browser, case)
    assert many == few, "rendering more messages must not cost more queries"
    message_queries = 4  # one per visible thread
    assert many <= 40 + message_queries


def _section(html: str, thread: str) -> str:
    return html.split(f'data-thread="{thread}"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("state", [CaseState.NEGOTIATING, CaseState.SIGNING, CaseState.IN_FORCE])
def test_joint_and_private_threads_are_told_apart_in_words_and_colour(
    app: Flask, world, state
) -> None:
    """Tabs of their own kind (class and words), a heading per thread, and the banner
    "only the mediator sees this" over the party's private thread, never the joint one."""
    world["case"].state = state
    db.session.commit()
    html = (
        _as(app, world["people"]["debtor"]).get(f"/cases/{world['case'].id}").get_data(as_text=True)
    )
    assert re.findall(r'class="thread-tab thread-tab-(\w+)" data-tab="(\w+)"', html) == [
        ("joint", "joint"),
        ("private", "caucus_debtor"),
    ]
    assert 'data-kind="joint"' in html and 'data-kind="private"' in html
    assert "只有调解员能看到此对话" in _section(html, "caucus_debtor")
    assert 'class="thread-banner"' not in _section(html, "joint")
    assert '<h3 id="thread-caucus_debtor-title">' in html
    assert "js/thread-tabs.js" in html


def test_the_banner_reads_in_english_too(app: Flask, world) -> None:
    browser = _as(app, world["people"]["creditor"])
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    html = browser.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert "Only the mediator sees this conversation" in _section(html, "caucus_creditor")


def test_a_private_thread_stays_private_after_the_agreement_took_effect(app: Flask, world) -> None:
    case, people = world["case"], world["people"]
    case.state = CaseState.IN_FORCE
    db.session.commit()
    _post(_as(app, people["debtor"]), case, "caucus_debtor", "能否把第一期推迟一周")
    _post(_as(app, people["creditor"]), case, "caucus_creditor", "底线是两万")
    creditor_page = _as(app, people["creditor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    debtor_page = _as(app, people["debtor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "能否把第一期推迟一周" not in creditor_page and "底线是两万" in creditor_page
    assert "底线是两万" not in debtor_page and "能否把第一期推迟一周" in debtor_page
    assert 'data-thread="caucus_debtor"' not in creditor_page
    assert 'data-thread="caucus_creditor"' not in debtor_page
