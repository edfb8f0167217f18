"""Repayments over HTTP: the panel for each party and the mediator, recording, reporting
with proof, confirming and disputing, the debtor's home and the docket; every route
refuses everyone else and changes nothing for them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cases.lifecycle import today
from app.extensions import db
from app.models import AuditEvent
from app.models.repayments import PaymentStatus, RepaymentPayment
from app.models.users import User
from app.repayments.decisions import dispute_payment
from app.repayments.payments import Proof, report_payment
from app.rules.cases import CaseState
from tests.factories import PASSWORD
from tests.helpers import Browser, refused
from tests.repayment_support import PDF, PNG, entry, performing_case

ACTORS = (
    "creditor",
    "creditor_colleague",
    "other_creditor",
    "mediator",
    "colleague_mediator",
    "foreign_mediator",
    "admin",
    "debtor",
    "other_debtor",
)
CREDITORS = {"creditor", "creditor_colleague"}


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    who, case, agreement = performing_case()
    reported = report_payment(
        who["debtor"], case, entry("500.00", "RPT-1"), Proof(io.BytesIO(PNG), "回单.png")
    ).payment
    disputed = report_payment(
        who["debtor"], case, entry("600.00", "RPT-2"), Proof(io.BytesIO(PDF), "r.pdf")
    ).payment
    dispute_payment(who["creditor"], case, disputed.id, "未到账")
    return {"who": who, "case": case, "reported": reported, "disputed": disputed}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _payment_form(reference: str = "TX-100", amount: str = "1000.00") -> dict[str, str]:
    return {
        "amount": amount,
        "paid_on": today().isoformat(),
        "channel": "bank_transfer",
        "reference": reference,
    }


def _routes(
    case_id: int, payment_id: int, disputed_id: int = 0
) -> list[tuple[str, str, Any, set[str]]]:
    base = f"/cases/{case_id}/payments"
    return [
        ("GET", f"{base}/{disputed_id}/resolve", None, {"mediator"}),
        # No finding chosen: refused as input (422) for the mediator, nothing changes.
        ("POST", f"{base}/{disputed_id}/resolve", {"note": "x"}, {"mediator"}),
        ("GET", f"{base}/record", None, CREDITORS),
        ("POST", f"{base}/record", _payment_form(), CREDITORS),
        ("GET", f"{base}/report", None, {"debtor"}),
        ("UPLOAD", f"{base}/report", {**_payment_form("T2"), "proof": (PDF, "r.pdf")}, {"debtor"}),
        ("GET", f"{base}/{payment_id}/dispute", None, CREDITORS),
        ("POST", f"{base}/{payment_id}/dispute", {"reason": "未收到"}, CREDITORS),
        ("POST", f"{base}/{payment_id}/confirm", {}, CREDITORS),
        ("GET", f"{base}/{payment_id}/proof", None, CREDITORS | {"mediator", "debtor"}),
    ]


def _call(browser: Browser, method: str, url: str, data: Any) -> Any:
    if method == "GET":
        return browser.get(url)
    if method == "UPLOAD":
        return browser.upload(url, data, page="/account/")
    return browser.submit(url, data, page="/account/")


def _snapshot(case: Any) -> tuple[Any, ...]:
    payments = db.session.execute(
        select(RepaymentPayment.id, RepaymentPayment.status).order_by(RepaymentPayment.id)
    ).all()
    events = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("case:payment:%"))
    )
    return tuple(payments), events


@pytest.mark.parametrize("actor", [a for a in ACTORS if a not in CREDITORS | {"debtor"}])
def test_outsiders_are_refused_on_every_repayment_route(
    app: Flask, world: dict[str, Any], actor: str
) -> None:
    case, reported = world["case"], world["reported"]
    before = _snapshot(case)
    browser = _as(app, world["who"][actor])
    for method, url, data, allowed in _routes(case.id, reported.id, world["disputed"].id):
        response = _call(browser, method, url, data)
        if actor in allowed:
            assert response.status_code in (200, 422), (actor, method, url)
        else:
            assert response.status_code in (403, 404), (actor, method, url, response.status_code)
    # The mediator's proof download is the one change an outsider row may cause.
    after = _snapshot(case)
    assert after[0] == before[0]


@pytest.mark.parametrize("actor", ["creditor", "debtor"])
def test_each_party_is_refused_the_other_partys_routes(
    app: Flask, world: dict[str, Any], actor: str
) -> None:
    case, reported = world["case"], world["reported"]
    browser = _as(app, world["who"][actor])
    for method, url, data, allowed in _routes(case.id, reported.id, world["disputed"].id):
        if actor in allowed:
            continue
        response = _call(browser, method, url, data)
        assert response.status_code in (403, 404), (actor, method, url, response.status_code)
    db.session.refresh(reported)
    assert reported.status == PaymentStatus.REPORTED
    assert db.session.scalar(select(func.count()).select_from(RepaymentPayment)) == 2


def test_a_payment_of_one_case_cannot_be_decided_through_another_case(
    app: Flask, world: dict[str, Any]
) -> None:
    who, reported = world["who"], world["reported"]
    _, other, _ = performing_case({**who, "debtor": who["other_debtor"]})
    browser = _as(app, who["creditor"])
    response = browser.submit(
        f"/cases/{other.id}/payments/{reported.id}/confirm", {}, page="/account/"
    )
    assert refused(response) and response.status_code == 409  # back on the case page
    db.session.refresh(reported)
    assert reported.status == PaymentStatus.REPORTED
    assert browser.get(f"/cases/{other.id}/payments/{reported.id}/proof").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, world: dict[str, Any]) -> None:
    client = app.test_client()
    for method, url, _data, _allowed in _routes(world["case"].id, world["reported"].id):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("actor", ["creditor", "debtor", "mediator"])
def test_the_panel_shows_the_plan_the_account_and_the_chart(
    app: Flask, world: dict[str, Any], actor: str
) -> None:
    html = _as(app, world["who"][actor]).get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert 'id="repayment"' in html
    assert "6222 0200 1234 5678 901" in html  # the account to pay, from the agreement
    assert "<svg" in html and "bar-remaining" in html
    assert "¥1,000.00" in html  # each of the 24 instalments
    assert "¥24,000.00" in html  # remaining = the agreed total (nothing confirmed yet)
    assert ("/payments/record" in html) == (actor == "creditor")
    assert ("/payments/report" in html) == (actor == "debtor")
    assert (f"/payments/{world['reported'].id}/confirm" in html) == (actor == "creditor")


def test_the_admin_sees_the_case_but_not_the_repayment(app: Flask, world: dict[str, Any]) -> None:
    html = _as(app, world["who"]["admin"]).get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert 'id="repayment"' not in html


def test_the_creditor_records_a_payment_and_the_debtor_sees_the_plan_move(
    app: Flask, world: dict[str, Any]
) -> None:
    who, case = world["who"], world["case"]
    response = _as(app, who["creditor"]).submit(
        f"/cases/{case.id}/payments/record", _payment_form("TX-7", "1500.00"), page="/account/"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#repayment")
    html = _as(app, who["debtor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "TX-7" in html and "¥22,500.00" in html  # remaining after 1,500
    assert "¥500.00" in html  # what is still due of the second instalment
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id))
    assert "case:payment:record" in list(actions)


def test_bad_input_comes_back_with_the_message_and_nothing_lost(
    app: Flask, world: dict[str, Any]
) -> None:
    who, case = world["who"], world["case"]
    browser = _as(app, who["creditor"])
    form = _payment_form("TX-KEEP", "30000.00")
    response = browser.submit(f"/cases/{case.id}/payments/record", form, page="/account/")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="TX-KEEP"' in html and 'value="30000.00"' in html
    assert 'aria-invalid="true"' in html and "超过了协议项下尚未支付的全部金额" in html
    response = browser.submit(
        f"/cases/{case.id}/payments/record", {**form, "amount": "12,00"}, page="/account/"
    )
    assert response.status_code == 400 and 'value="12,00"' in response.get_data(as_text=True)
    reports = db.session.scalar(select(func.count()).select_from(RepaymentPayment))
    assert reports == 2  # the debtor's two reports of the fixture, nothing more


def test_the_debtor_reports_with_proof_and_the_creditor_confirms(
    app: Flask, world: dict[str, Any]
) -> None:
    who, case = world["who"], world["case"]
    debtor = _as(app, who["debtor"])
    response = debtor.upload(
        f"/cases/{case.id}/payments/report",
        {**_payment_form("BANK-42", "1000.00"), "proof": (PDF, "回单.pdf")},
        page="/account/",
    )
    assert response.status_code == 302
    row = db.session.scalar(select(RepaymentPayment).where(RepaymentPayment.reference == "BANK-42"))
    assert row is not None and row.status == PaymentStatus.REPORTED
    creditor = _as(app, who["creditor"])
    proof = creditor.get(f"/cases/{case.id}/payments/{row.id}/proof")
    assert proof.status_code == 200 and proof.data == PDF
    assert (
        creditor.submit(
            f"/cases/{case.id}/payments/{row.id}/confirm", {}, page="/account/"
        ).status_code
        == 302
    )
    db.session.refresh(row)
    assert row.status == PaymentStatus.CONFIRMED
    html = debtor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "¥23,000.00" in html
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id))
    )
    assert {"case:payment:report", "case:payment:proof:download", "case:payment:confirm"} <= set(
        actions
    )


def test_a_receipt_that_is_not_an_image_or_pdf_is_refused_with_the_form_kept(
    app: Flask, world: dict[str, Any]
) -> None:
    who, case = world["who"], world["case"]
    response = _as(app, who["debtor"]).upload(
        f"/cases/{case.id}/payments/report",
        {**_payment_form("BANK-X"), "proof": (b"MZ\x90\x00 not a receipt", "receipt.pdf")},
        page="/account/",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="BANK-X"' in html
    assert 'id="report-proof-error"' in html
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(RepaymentPayment)
            .where(RepaymentPayment.reference == "BANK-X")
        )
        == 0
    )


def test_a_dispute_needs_a_reason_and_then_says_it(app: Flask, world: dict[str, Any]) -> None:
    who, case, reported = world["who"], world["case"], world["reported"]
    browser = _as(app, who["creditor"])
    url = f"/cases/{case.id}/payments/{reported.id}/dispute"
    assert browser.submit(url, {"reason": " "}, page="/account/").status_code == 422
    assert browser.submit(url, {"reason": "账户未到账"}, page="/account/").status_code == 302
    db.session.refresh(reported)
    assert reported.status == PaymentStatus.DISPUTED
    html = _as(app, who["debtor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "账户未到账" in html


def test_the_debtors_home_shows_the_next_instalment_and_what_remains(
    app: Flask, world: dict[str, Any]
) -> None:
    html = _as(app, world["who"]["debtor"]).get("/debtor").get_data(as_text=True)
    assert world["case"].reference in html
    assert "¥1,000.00" in html and "¥24,000.00" in html
    assert "6222 0200 1234 5678 901" in html and "<svg" in html  # the account, the chart
    assert f"/cases/{world['case'].id}#repayment" in html


def test_the_docket_shows_the_repayment_state(app: Flask, world: dict[str, Any]) -> None:
    html = _as(app, world["who"]["mediator"]).get("/docket").get_data(as_text=True)
    assert 'data-repayment="on-track"' in html


def test_paying_the_last_fen_over_http_closes_the_case(app: Flask) -> None:
    who, case, _ = performing_case(count=1)
    response = _as(app, who["creditor"]).submit(
        f"/cases/{case.id}/payments/record", _payment_form("ALL", "24000.00"), page="/account/"
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.state == CaseState.PERFORMED
    html = _as(app, who["mediator"]).get("/docket").get_data(as_text=True)
    assert 'data-repayment="completed"' in html
    page = _as(app, who["debtor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="repayment"' in page and "/payments/report" not in page


def test_the_mediator_resolves_a_dispute_and_the_payment_counts(
    app: Flask, world: dict[str, Any]
) -> None:
    who, case, disputed = world["who"], world["case"], world["disputed"]
    browser = _as(app, who["mediator"])
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    url = f"/cases/{case.id}/payments/{disputed.id}/resolve"
    assert url in page
    refused = browser.submit(url, {"received": "yes", "note": ""}, page="/account/")
    assert refused.status_code == 422 and 'value="yes" checked' in refused.get_data(as_text=True)
    done = browser.submit(
        url, {"received": "yes", "note": "银行流水显示当日已到账"}, page="/account/"
    )
    assert done.status_code == 302
    db.session.refresh(disputed)
    assert disputed.status == PaymentStatus.CONFIRMED
    html = _as(app, who["debtor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "银行流水显示当日已到账" in html and "¥23,400.00" in html


# --- post/redirect/get (app.core.prg) -----------------------------------------------------


def _refused_then_shown(browser: Browser, url: str, data: dict[str, str]) -> tuple[Any, str]:
    answer = browser.submit(url, data, page=url, follow_refusal=False)
    assert answer.status_code == 303 and answer.headers["Location"] == url
    shown = browser.get(url)
    return shown, shown.get_data(as_text=True)


def test_a_refused_payment_comes_back_with_the_values_typed(
    app: Flask, world: dict[str, Any]
) -> None:
    browser = _as(app, world["who"]["creditor"])
    url = f"/cases/{world['case'].id}/payments/record"
    form = {**_payment_form("TX-PRG"), "amount": "-5"}
    shown, html = _refused_then_shown(browser, url, form)
    assert shown.status_code == 400
    assert 'value="-5"' in html and 'value="TX-PRG"' in html and 'aria-invalid="true"' in html
    assert 'value="-5"' not in browser.get(url).get_data(as_text=True)  # a reload: fresh


def test_a_refused_dispute_keeps_its_reason(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, world["who"]["creditor"])
    url = f"/cases/{world['case'].id}/payments/{world['reported'].id}/dispute"
    shown, html = _refused_then_shown(browser, url, {"reason": "没收到" * 200})
    assert shown.status_code >= 400 and "没收到没收到" in html
    assert 'aria-invalid="true"' in html
    db.session.refresh(world["reported"])
    assert world["reported"].status == PaymentStatus.REPORTED


def test_a_refused_finding_keeps_the_note(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, world["who"]["mediator"])
    url = f"/cases/{world['case'].id}/payments/{world['disputed'].id}/resolve"
    shown, html = _refused_then_shown(browser, url, {"note": "双方都说已经转账"})
    assert shown.status_code >= 400 and "双方都说已经转账" in html
    assert 'id="received-error"' in html


def test_a_dispute_reason_that_insults_the_debtor_is_refused_and_kept(
    app: Flask, world: dict[str, Any]
) -> None:
    """The debtor reads the creditor's reason (app.notifications.content)."""
    browser = _as(app, world["who"]["creditor"])
    url = f"/cases/{world['case'].id}/payments/{world['reported'].id}/dispute"
    typed = "根本没到账，骗子，再这样就报警。"
    shown, html = _refused_then_shown(browser, url, {"reason": typed})
    assert shown.status_code == 400 and typed in html
    assert "“骗子”" in html and "“报警”" in html
    db.session.refresh(world["reported"])
    assert world["reported"].status == PaymentStatus.REPORTED
