"""Objections (issue 4): the debtor disputes a claim item with a reason and their own
evidence, the creditor answers, the mediator resolves or the debtor withdraws; open ones
are shown to everyone on the case; every endpoint refuses outsiders and changes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import AuditEvent, Case, EvidenceFile, OutboundMessage
from app.models.evidence import EvidenceCategory
from app.models.negotiation import Objection, ObjectionStatus
from app.models.users import Role, User
from app.negotiation import objections as objection_service
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><script>alert(1)</script></html>"


@dataclass
class World:
    case: Case
    debtor: User
    creditor: User
    creditor_colleague: User
    mediator: User
    colleague: User  # a mediator of the same organisation, not assigned to the case
    other_debtor: User
    other_creditor: User
    other_mediator: User  # of another organisation


@pytest.fixture
def w(app: Flask) -> World:
    org = make_mediation_org(name="东城调解委员会")
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    creditor = make_user(Role.CREDITOR)
    debtor = make_user(Role.DEBTOR)
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )
    # Another case between other people, so "other" users are really on some case.
    other_debtor = make_user(Role.DEBTOR)
    other_creditor = make_user(Role.CREDITOR)
    other_mediator = make_user(Role.MEDIATOR)
    make_case(
        creditor=other_creditor,
        mediator=other_mediator,
        state=CaseState.NEGOTIATING,
        debtor_user_id=other_debtor.id,
    )
    return World(
        case=case,
        debtor=debtor,
        creditor=creditor,
        creditor_colleague=make_user(Role.CREDITOR, creditor_org_id=creditor.creditor_org_id),
        mediator=mediator,
        colleague=make_user(Role.MEDIATOR, mediation_org=org),
        other_debtor=other_debtor,
        other_creditor=other_creditor,
        other_mediator=other_mediator,
    )


def as_user(app: Flask, user: User | None) -> Browser:
    browser = Browser(app.test_client())
    if user is not None:
        assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def case_page(browser: Browser, case: Case) -> str:
    response = browser.get(f"/cases/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def raise_via_form(browser: Browser, case: Case, **fields: Any) -> Any:
    data = {"item": "interest", "reason": "利息计算有误，我已还过一部分。", **fields}
    if "evidence" in data:
        return browser.upload(f"/cases/{case.id}/objections", data, page=f"/cases/{case.id}")
    return browser.submit(f"/cases/{case.id}/objections", data, page=f"/cases/{case.id}")


def objections() -> list[Objection]:
    db.session.expire_all()
    return list(db.session.scalars(select(Objection).order_by(Objection.id)))


def make_objection(w: World, *, answered: bool = False, **kw: Any) -> Objection:
    objection = Objection(
        case_id=w.case.id,
        item="penalty",
        reason="违约金过高",
        raised_by_id=w.debtor.id,
        **{"status": ObjectionStatus.OPEN, **kw},
    )
    if answered:
        objection.answer = "违约金按合同约定计算。"
        objection.answered_by_id = w.creditor.id
    db.session.add(objection)
    db.session.commit()
    return objection


def actions(case_id: int | None = None) -> list[str]:
    stmt = select(AuditEvent.action).order_by(AuditEvent.id)
    if case_id is not None:
        stmt = stmt.where(AuditEvent.case_id == case_id)
    return list(db.session.scalars(stmt))


def snapshot() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    db.session.expire_all()
    return (
        [(o.id, o.status, o.answer, o.closed_at, o.evidence_id) for o in objections()],
        db.session.scalar(select(func.count()).select_from(EvidenceFile)),
        # Signing in and switching language are audited too: count only the case's story.
        db.session.scalar(select(func.count()).where(AuditEvent.case_id.is_not(None))),
        db.session.scalar(select(func.count()).select_from(OutboundMessage)),
    )


def open_ids(html: str) -> list[int]:
    """Objection ids shown in the open list (before the closed history, if any)."""
    head = html.split('class="objection-history"', 1)[0]
    return [int(i) for i in re.findall(r'data-objection-id="(\d+)"', head)]


def closed_ids(html: str) -> list[int]:
    parts = html.split('class="objection-history"', 1)
    if len(parts) == 1:
        return []
    history = parts[1].split("</details>", 1)[0]
    return [int(i) for i in re.findall(r'data-objection-id="(\d+)"', history)]


# --- raising ----------------------------------------------------------------------------


def test_the_debtor_objects_and_everyone_on_the_case_sees_it(app: Flask, w: World) -> None:
    response = raise_via_form(as_user(app, w.debtor), w.case)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{w.case.id}#objections")
    (objection,) = objections()
    assert objection.item == "interest" and objection.status == ObjectionStatus.OPEN
    assert objection.reason == "利息计算有误，我已还过一部分。"
    assert objection.raised_by_id == w.debtor.id and objection.evidence_id is None
    assert "case:objection:raise" in actions(w.case.id)
    for viewer in (w.debtor, w.creditor, w.mediator):
        html = case_page(as_user(app, viewer), w.case)
        assert open_ids(html) == [objection.id], viewer.role
        assert "利息计算有误" in html
        assert 'data-open-objections="1"' in html


def test_raising_tells_every_creditor_user_naming_the_organisation_and_case(
    app: Flask, w: World
) -> None:
    raise_via_form(as_user(app, w.debtor), w.case)

    sent = list(db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))
    assert sorted(m.recipient_user_id for m in sent) == sorted(
        [w.creditor.id, w.creditor_colleague.id]
    )
    for message in sent:
        assert message.template == "objection_raised" and not message.is_debtor
        assert "东城调解委员会" in message.subject + message.body
        assert w.case.reference in message.subject and w.case.reference in message.body
        assert "¥" not in message.body and "1500" not in message.body.replace(",", "")


def test_a_creditor_user_without_email_does_not_stop_the_objection(app: Flask, w: World) -> None:
    """A creditor colleague who signs in by phone only gets no email; the objection and
    the others' notices are saved all the same (an empty address used to fail it)."""
    phone_only = make_user(Role.CREDITOR, creditor_org_id=w.creditor.creditor_org_id, email=None)
    response = raise_via_form(as_user(app, w.debtor), w.case)
    assert response.status_code == 302
    assert len(objections()) == 1
    told = {m.recipient_user_id for m in db.session.scalars(select(OutboundMessage))}
    assert told == {w.creditor.id, w.creditor_colleague.id}
    assert phone_only.id not in told


def test_the_debtors_evidence_is_stored_as_case_evidence_and_downloadable_by_the_parties(
    app: Flask, w: World
) -> None:
    response = raise_via_form(as_user(app, w.debtor), w.case, evidence=(PDF, "还款凭证.pdf"))

    assert response.status_code == 302
    (objection,) = objections()
    evidence = db.session.get(EvidenceFile, objection.evidence_id)
    assert evidence is not None and evidence.case_id == w.case.id
    assert evidence.category == EvidenceCategory.OTHER
    assert evidence.description == "objection: interest"
    assert evidence.uploaded_by_id == w.debtor.id
    url = f"/cases/{w.case.id}/evidence/{evidence.id}"
    assert url in case_page(as_user(app, w.creditor), w.case)
    for viewer in (w.creditor, w.mediator, w.debtor):
        got = as_user(app, viewer).get(url)
        assert got.status_code == 200 and got.data == PDF
    for outsider in (w.other_creditor, w.other_debtor, w.other_mediator, w.colleague):
        assert as_user(app, outsider).get(url).status_code == 404


def test_a_file_renamed_pdf_that_is_html_is_refused_and_nothing_is_saved(
    app: Flask, w: World
) -> None:
    browser = as_user(app, w.debtor)
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/")
    before = snapshot()

    response = raise_via_form(browser, w.case, evidence=(HTML, "evidence.pdf"), reason="太高了")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="objection-evidence-error"' in html
    assert "Only PDF, JPEG and PNG files are accepted" in html
    assert "太高了" in html  # the typed reason is kept
    assert re.search(r'value="interest" checked', html)
    assert snapshot() == before


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_a_reason_is_required(app: Flask, w: World, reason: str) -> None:
    before = snapshot()
    response = raise_via_form(as_user(app, w.debtor), w.case, item="fees", reason=reason)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="objection-reason-error"' in html
    assert re.search(r'value="fees" checked', html)
    assert snapshot() == before


@pytest.mark.parametrize("item", ["", "total", "interest; drop table", "INTEREST", "evidence"])
def test_an_unknown_item_is_refused(app: Flask, w: World, item: str) -> None:
    before = snapshot()
    response = raise_via_form(as_user(app, w.debtor), w.case, item=item)
    assert response.status_code == 400
    assert 'id="objection-item-error"' in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_bad_file_with_a_missing_reason_saves_no_file(app: Flask, w: World) -> None:
    before = snapshot()
    response = raise_via_form(as_user(app, w.debtor), w.case, reason="", evidence=(PDF, "a.pdf"))
    assert response.status_code == 400
    assert snapshot() == before


def test_every_claim_item_can_be_objected_to(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    for item in ("principal", "interest", "penalty", "fees"):
        assert raise_via_form(browser, w.case, item=item).status_code == 302
    assert [o.item for o in objections()] == ["principal", "interest", "penalty", "fees"]
    assert open_ids(case_page(browser, w.case)) == [o.id for o in reversed(objections())]


def test_no_objection_once_negotiation_is_over_but_open_ones_stay_visible(
    app: Flask, w: World
) -> None:
    objection = make_objection(w)
    w.case.state = CaseState.AGREEMENT_DRAFTING
    db.session.commit()
    browser = as_user(app, w.debtor)
    html = case_page(browser, w.case)
    assert open_ids(html) == [objection.id]
    assert f'action="/cases/{w.case.id}/objections"' not in html
    before = snapshot()
    assert raise_via_form(browser, w.case).status_code == 404
    assert snapshot() == before


# --- answering, resolving, withdrawing --------------------------------------------------


def test_the_creditor_answers_and_the_debtor_is_told(app: Flask, w: World) -> None:
    objection = make_objection(w)
    browser = as_user(app, w.creditor)
    html = case_page(browser, w.case)
    assert f'action="/cases/{w.case.id}/objections/{objection.id}/answer"' in html

    response = browser.submit(
        f"/cases/{w.case.id}/objections/{objection.id}/answer",
        {"answer": "违约金按合同第八条计算。"},
        page=f"/cases/{w.case.id}",
    )

    assert response.status_code == 302
    (got,) = objections()
    assert got.answer == "违约金按合同第八条计算。" and got.answered_by_id == w.creditor.id
    assert got.answered_at is not None
    assert got.status == ObjectionStatus.OPEN  # still open until the mediator resolves it
    # In daytime the debtor's notice goes out at once and its delivery is audited after.
    assert [a for a in actions(w.case.id) if a != "contact:sent"][-1] == "case:objection:answer"
    (message,) = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.template == "objection_answered")
    )
    assert message.is_debtor and message.address == w.case.debtor_email
    assert "东城调解委员会" in message.body and w.case.reference in message.body
    page = case_page(as_user(app, w.debtor), w.case)
    assert open_ids(page) == [objection.id] and "违约金按合同第八条计算。" in page
    assert 'data-status="answered"' in page


def test_a_debtor_without_email_is_told_by_sms(app: Flask, w: World) -> None:
    w.case.debtor_email = None
    db.session.commit()
    objection = make_objection(w)
    as_user(app, w.creditor).submit(
        f"/cases/{w.case.id}/objections/{objection.id}/answer",
        {"answer": "已核对。"},
        page=f"/cases/{w.case.id}",
    )
    (message,) = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.template == "objection_answered")
    )
    assert message.channel.value == "sms" and message.address == w.case.debtor_phone
    assert len(message.body) <= 160 and w.case.reference in message.body


def test_an_empty_answer_is_refused_and_the_form_comes_back(app: Flask, w: World) -> None:
    objection = make_objection(w)
    before = snapshot()
    response = as_user(app, w.creditor).submit(
        f"/cases/{w.case.id}/objections/{objection.id}/answer",
        {"answer": "  "},
        page=f"/cases/{w.case.id}",
    )
    assert response.status_code == 400
    assert f'id="answer-{objection.id}-error"' in response.get_data(as_text=True)
    assert snapshot() == before


def test_an_objection_is_answered_once(app: Flask, w: World) -> None:
    objection = make_objection(w, answered=True)
    before = snapshot()
    response = as_user(app, w.creditor).submit(
        f"/cases/{w.case.id}/objections/{objection.id}/answer",
        {"answer": "另一个答复"},
        page=f"/cases/{w.case.id}",
    )
    assert response.status_code == 409
    assert snapshot() == before


def test_the_mediator_resolves_an_answered_objection_into_the_history(app: Flask, w: World) -> None:
    objection = make_objection(w, answered=True)
    browser = as_user(app, w.mediator)
    response = browser.submit(
        f"/cases/{w.case.id}/objections/{objection.id}/resolve", page=f"/cases/{w.case.id}"
    )
    assert response.status_code == 302
    (got,) = objections()
    assert got.status == ObjectionStatus.RESOLVED and got.closed_at is not None
    assert actions(w.case.id)[-1] == "case:objection:resolve"
    for viewer in (w.debtor, w.creditor, w.mediator):
        html = case_page(as_user(app, viewer), w.case)
        assert open_ids(html) == [] and closed_ids(html) == [objection.id]


def test_an_unanswered_objection_cannot_be_resolved(app: Flask, w: World) -> None:
    objection = make_objection(w)
    before = snapshot()
    response = as_user(app, w.mediator).submit(
        f"/cases/{w.case.id}/objections/{objection.id}/resolve", page=f"/cases/{w.case.id}"
    )
    assert response.status_code == 409
    assert snapshot() == before


@pytest.mark.parametrize("answered", [False, True])
def test_the_debtor_withdraws_their_open_objection(app: Flask, w: World, answered: bool) -> None:
    objection = make_objection(w, answered=answered)
    browser = as_user(app, w.debtor)
    assert f"/objections/{objection.id}/withdraw" in case_page(browser, w.case)
    response = browser.submit(
        f"/cases/{w.case.id}/objections/{objection.id}/withdraw", page=f"/cases/{w.case.id}"
    )
    assert response.status_code == 302
    (got,) = objections()
    assert got.status == ObjectionStatus.WITHDRAWN and got.closed_at is not None
    assert actions(w.case.id)[-1] == "case:objection:withdraw"
    html = case_page(as_user(app, w.creditor), w.case)
    assert open_ids(html) == [] and closed_ids(html) == [objection.id]


@pytest.mark.parametrize(
    ("who", "action"),
    [("debtor", "withdraw"), ("mediator", "resolve"), ("creditor", "answer")],
)
@pytest.mark.parametrize("closed", [ObjectionStatus.RESOLVED, ObjectionStatus.WITHDRAWN])
def test_a_closed_objection_cannot_be_acted_on(
    app: Flask, w: World, who: str, action: str, closed: ObjectionStatus
) -> None:
    objection = make_objection(w, answered=action != "answer", status=closed)
    before = snapshot()
    response = as_user(app, getattr(w, who)).submit(
        f"/cases/{w.case.id}/objections/{objection.id}/{action}",
        {"answer": "x"},
        page=f"/cases/{w.case.id}",
    )
    assert response.status_code == 409
    assert snapshot() == before


def test_another_cases_objection_through_this_cases_url_is_not_found(app: Flask, w: World) -> None:
    elsewhere = make_case(
        creditor=w.creditor,
        mediator=w.mediator,
        state=CaseState.NEGOTIATING,
        debtor_user_id=w.debtor.id,
    )
    foreign = Objection(
        case_id=elsewhere.id, item="fees", reason="x", raised_by_id=w.debtor.id, answer="y"
    )
    db.session.add(foreign)
    db.session.commit()
    before = snapshot()
    for who, action in (("creditor", "answer"), ("mediator", "resolve"), ("debtor", "withdraw")):
        response = as_user(app, getattr(w, who)).submit(
            f"/cases/{w.case.id}/objections/{foreign.id}/{action}",
            {"answer": "z"},
            page=f"/cases/{w.case.id}",
        )
        assert response.status_code == 404, action
    assert snapshot() == before


# --- access -----------------------------------------------------------------------------

OUTSIDERS = ["other_debtor", "other_creditor", "other_mediator", "colleague", None]
ENDPOINTS = {
    "raise": ("/cases/{case}/objections", {"item": "fees", "reason": "不对"}),
    "answer": ("/cases/{case}/objections/{objection}/answer", {"answer": "答复"}),
    "resolve": ("/cases/{case}/objections/{objection}/resolve", {}),
    "withdraw": ("/cases/{case}/objections/{objection}/withdraw", {}),
}
# The case's own people, acting outside their role.
WRONG_ROLE = {
    "raise": ["creditor", "mediator"],
    "answer": ["debtor", "mediator"],
    "resolve": ["debtor", "creditor"],
    "withdraw": ["creditor", "mediator"],
}


def _post(app: Flask, w: World, user: User | None, endpoint: str) -> Any:
    objection = make_objection(w, answered=endpoint == "resolve")
    url, data = ENDPOINTS[endpoint]
    url = url.format(case=w.case.id, objection=objection.id)
    browser = as_user(app, user)
    before = snapshot()
    response = browser.submit(url, data, page="/login" if user is None else "/account/")
    return response, before


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_outsiders_are_refused_and_nothing_changes(
    app: Flask, w: World, endpoint: str, who: str | None
) -> None:
    user = getattr(w, who) if who else None
    response, before = _post(app, w, user, endpoint)
    if user is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code in (403, 404)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("endpoint", "who"), [(e, who) for e, people in WRONG_ROLE.items() for who in people]
)
def test_parties_outside_their_role_are_refused_and_nothing_changes(
    app: Flask, w: World, endpoint: str, who: str
) -> None:
    response, before = _post(app, w, getattr(w, who), endpoint)
    assert response.status_code in (403, 404)
    assert snapshot() == before


def test_outsiders_do_not_see_the_objections(app: Flask, w: World) -> None:
    make_objection(w)
    for who in ("other_debtor", "other_creditor", "other_mediator", "colleague"):
        assert as_user(app, getattr(w, who)).get(f"/cases/{w.case.id}").status_code == 404


def test_the_panel_is_absent_before_negotiation_when_there_is_nothing_to_show(
    app: Flask, w: World
) -> None:
    w.case.state = CaseState.INVITED
    w.case.debtor_user_id = None
    db.session.commit()
    html = case_page(as_user(app, w.mediator), w.case)
    assert 'id="objections"' not in html


@pytest.mark.commits
def test_a_change_to_the_case_at_the_same_moment_is_refused_and_nothing_saved(
    app: Flask, w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two answers at once: the case's version column lets only one through."""
    objection = make_objection(w)
    real = objection_service.answer_objection

    def racing(actor: User, case: Case, target: Objection, answer: str) -> None:
        with db.engine.begin() as conn:  # a colleague's request commits first
            conn.execute(
                text("UPDATE cases SET version = version + 1 WHERE id = :id"), {"id": case.id}
            )
        real(actor, case, target, answer)

    monkeypatch.setattr(objection_service, "answer_objection", racing)
    browser = as_user(app, w.creditor)
    before = snapshot()
    response = browser.submit(
        f"/cases/{w.case.id}/objections/{objection.id}/answer",
        {"answer": "答复"},
        page=f"/cases/{w.case.id}",
    )
    assert response.status_code == 409
    assert 'id="objection-notice"' in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize("length", [4000, 4001])
def test_a_reason_has_a_sensible_limit(app: Flask, w: World, length: int) -> None:
    response = raise_via_form(as_user(app, w.debtor), w.case, reason="长" * length)
    assert response.status_code == (302 if length == 4000 else 400)
    assert len(objections()) == (1 if length == 4000 else 0)


def test_refused_resolve_and_withdraw_redirect_back_to_the_case_page(app: Flask, w: World) -> None:
    """Post/redirect/get (app.core.prg): never a page of their own after the POST."""
    objection = make_objection(w)
    base = f"/cases/{w.case.id}/objections/{objection.id}"
    mediator = as_user(app, w.mediator)
    resolve = mediator.submit(f"{base}/resolve", page=f"/cases/{w.case.id}", follow_refusal=False)
    assert resolve.status_code == 303 and mediator.left_stash()
    debtor = as_user(app, w.debtor)
    debtor.submit(f"{base}/withdraw", page=f"/cases/{w.case.id}")
    again = debtor.submit(f"{base}/withdraw", page=f"/cases/{w.case.id}", follow_refusal=False)
    assert again.status_code == 303 and debtor.left_stash()


def test_a_threatening_answer_is_refused_with_the_words_named_and_the_text_kept(
    app: Flask, w: World
) -> None:
    """The debtor reads the creditor's answer: it passes the content checker."""
    objection = make_objection(w)
    before = snapshot()
    typed = "这笔费用合法，你这个老赖再拖就上征信黑名单。"
    response = as_user(app, w.creditor).submit(
        f"/cases/{w.case.id}/objections/{objection.id}/answer",
        {"answer": typed},
        page=f"/cases/{w.case.id}",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="answer-{objection.id}-error"' in html
    assert "“老赖”" in html and "“黑名单”" in html
    assert typed in html
    assert snapshot() == before
