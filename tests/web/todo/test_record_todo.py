"""Mediation records (调解笔录) on the to-do lists: each party whose signature the record
waits for sees "确认调解笔录" linking to its signing page, until they signed; the mediator
sees it once both parties have, and before that each held session whose record is still to
be written or sent; a draft, another debtor, another creditor organisation and another
mediator see nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from app.core import clock
from app.extensions import db
from app.minutes import writing
from app.models.contacts import ContactRecord
from app.rules.sessions import SessionKind, SessionMeans
from app.sessions import held, scheduling
from tests import agreement_support as support
from tests import minutes_support as ms
from tests.todo_support import home_page, kinds, of_kind
from tests.todo_support import todo_of as items_of

KIND = "record_sign"


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


def _sign_url(case: Any, record: Any) -> str:
    return f"/cases/{case.id}/records/{record.id}/sign"


def test_a_draft_record_is_on_nobodys_list(app: Flask, who: dict[str, Any]) -> None:
    case = ms.negotiating_case(who)
    ms.written_record(who, case)
    for role in ("debtor", "creditor", "mediator"):
        assert KIND not in kinds(items_of(app, who[role]), case), role


def test_each_party_is_asked_to_confirm_the_sent_record_until_they_sign(
    app: Flask, who: dict[str, Any]
) -> None:
    case = ms.negotiating_case(who)
    record = ms.sent_record(who, case)
    for role in ("debtor", "creditor", "creditor_colleague"):
        item = of_kind(items_of(app, who[role]), KIND, case)
        assert item.url == _sign_url(case, record), role
    page = home_page(app, who["debtor"])
    assert "确认调解笔录" in page and _sign_url(case, record) in page
    # Not yet the mediator's turn; nobody else's.
    assert KIND not in kinds(items_of(app, who["mediator"]), case)
    for outsider in ("other_debtor", "other_creditor", "colleague_mediator"):
        assert KIND not in kinds(items_of(app, who[outsider])), outsider

    ms.sign_record(case, record, who["debtor"], typed_name=who["debtor"].name)
    assert KIND not in kinds(items_of(app, who["debtor"]), case)
    assert of_kind(items_of(app, who["creditor"]), KIND, case).url == _sign_url(case, record)
    assert KIND not in kinds(items_of(app, who["mediator"]), case)


def test_the_mediator_is_asked_to_sign_once_both_parties_have(
    app: Flask, who: dict[str, Any]
) -> None:
    case = ms.negotiating_case(who)
    record = ms.sent_record(who, case)
    for role in ("debtor", "creditor"):
        ms.sign_record(case, record, who[role], typed_name=who[role].name)
    for role in ("debtor", "creditor", "creditor_colleague"):
        assert KIND not in kinds(items_of(app, who[role]), case), role
    item = of_kind(items_of(app, who["mediator"]), KIND, case)
    assert item.url == _sign_url(case, record)
    assert "双方已签名确认调解笔录" in home_page(app, who["mediator"])
    assert KIND not in kinds(items_of(app, who["colleague_mediator"]))

    ms.sign_record(case, record, who["mediator"], typed_name=who["mediator"].name)
    assert KIND not in kinds(items_of(app, who["mediator"]), case)


def _held_session(who: dict[str, Any], case: Any, frozen_clock: Any) -> Any:
    day = clock.local(clock.now()).date() + timedelta(days=1)
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=clock.legal_tz())
    draft = scheduling.SessionDraft(SessionKind.JOINT, SessionMeans.VIDEO, starts, 60)
    session = scheduling.schedule_session(who["mediator"], case, draft)
    frozen_clock.move_to(starts + timedelta(hours=2))
    end = starts + timedelta(minutes=50)
    return held.mark_held(who["mediator"], session, ["debtor", "creditor"], starts, end, True)


def test_the_mediator_is_asked_to_write_then_send_the_record_of_a_held_session(
    app: Flask, who: dict[str, Any], frozen_clock: Any
) -> None:
    case = ms.negotiating_case(who)
    session = _held_session(who, case, frozen_clock)
    write = of_kind(items_of(app, who["mediator"]), "record_write", case)
    assert write.url == f"/cases/{case.id}/contacts/{session.contact_record_id}/record"
    assert "record_write" not in kinds(items_of(app, who["colleague_mediator"]))
    for party in ("debtor", "creditor"):
        assert not {"record_write", "record_send"} & set(kinds(items_of(app, who[party])))

    contact = db.session.get(ContactRecord, session.contact_record_id)
    record = ms.written_record(who, case, contact)
    listed = items_of(app, who["mediator"])
    assert "record_write" not in kinds(listed, case)
    assert of_kind(listed, "record_send", case).url == f"/cases/{case.id}/records/{record.id}"

    writing.submit_record(who["mediator"], case, record)
    assert not {"record_write", "record_send"} & set(kinds(items_of(app, who["mediator"]), case))
