"""The mediator's to-do list (on the docket, their home): only their own cases; new
assignments, offers waiting, drafts to make, signatures outstanding, deadlines within
seven days."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from flask import Flask

from app.cases.lifecycle import accept_case
from app.core import clock
from app.extensions import db
from app.models.confirmation import PackageSignature, PackageStatus
from app.negotiation import proposals as proposal_service
from app.negotiation.offers import Offer
from app.repayments.decisions import dispute_payment, resolve_dispute
from app.repayments.payments import Proof, report_payment
from app.rules.cases import CaseState
from app.todo.common import MAX_CASES
from tests.agreement_support import people, settled_case
from tests.confirmation_support import in_force_case, released_package
from tests.factories import make_case
from tests.repayment_support import PNG, entry, performing_case
from tests.todo_support import add_signature, home_page, kinds, of_kind, signing_agreement
from tests.todo_support import todo_of as items_of


def test_a_new_assignment_to_accept(app: Flask) -> None:
    who = people()
    case = make_case(creditor=who["creditor"], mediator=who["mediator"])
    item = of_kind(items_of(app, who["mediator"]), "accept", case)
    assert item.url == f"/cases/{case.id}#accept"
    assert case.reference in item.text
    assert items_of(app, who["colleague_mediator"]) == []  # not assigned to them
    accept_case(who["mediator"], case)
    assert "accept" not in kinds(items_of(app, who["mediator"]), case)


def test_an_open_offer_waits(app: Flask) -> None:
    who = people()
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        next_deadline=clock.today() + timedelta(days=25),
    )
    offer = Offer(
        kind="lump_sum", total=Decimal("20000.00"), first_due=clock.today() + timedelta(days=10)
    )
    proposal = proposal_service.submit_proposal(who["debtor"], case, offer)
    item = of_kind(items_of(app, who["mediator"]), "offer", case)
    assert item.url == f"/cases/{case.id}#proposal-{proposal.id}"
    assert "第 1 号方案" in item.text
    assert items_of(app, who["colleague_mediator"]) == []
    proposal_service.withdraw_proposal(who["debtor"], case, proposal)
    assert kinds(items_of(app, who["mediator"]), case) == []


def test_a_draft_to_make_then_signatures_outstanding_then_the_mediators_own(app: Flask) -> None:
    who = people()
    case = settled_case(who)
    item = of_kind(items_of(app, who["mediator"]), "draft", case)
    assert item.url == f"/cases/{case.id}/agreement/draft"
    agreement = signing_agreement(case, who)
    item = of_kind(items_of(app, who["mediator"]), "signatures", case)
    assert item.url == f"/cases/{case.id}#agreement"
    assert "债务人和债权人" in item.text
    add_signature(agreement, "debtor", who["debtor"])
    assert "债权人签署" in of_kind(items_of(app, who["mediator"]), "signatures", case).text
    add_signature(agreement, "creditor", who["creditor"])
    item = of_kind(items_of(app, who["mediator"]), "sign", case)
    assert item.url == f"/cases/{case.id}/agreement/1/sign"
    add_signature(agreement, "mediator", who["mediator"])
    assert kinds(items_of(app, who["mediator"]), case) == []
    assert items_of(app, who["colleague_mediator"]) == []


def test_the_confirmation_deadline_within_seven_days_and_package_signatures(app: Flask) -> None:
    who, case, agreement = in_force_case()
    case.next_deadline = clock.today() + timedelta(days=20)
    db.session.commit()
    assert kinds(items_of(app, who["mediator"]), case) == []  # 20 days: not yet
    case.next_deadline = clock.today() + timedelta(days=6)
    db.session.commit()
    item = of_kind(items_of(app, who["mediator"]), "deadline", case)
    assert item.url == f"/cases/{case.id}#confirmation"
    assert "申请司法确认的期限" in item.text
    package = released_package(case, agreement, who["mediator"], PackageStatus.SIGNING)
    items = items_of(app, who["mediator"])
    assert sorted(kinds(items, case)) == ["deadline", "signatures"]
    assert of_kind(items, "signatures", case).url == f"/cases/{case.id}#confirmation"
    # The parties see their own signature to give, the colleague nothing.
    assert of_kind(items_of(app, who["debtor"]), "sign_package", case).url == (
        f"/cases/{case.id}/package/1/sign"
    )
    assert items_of(app, who["colleague_mediator"]) == []
    for role in ("debtor", "creditor"):
        db.session.add(
            PackageSignature(
                package_id=package.id,
                role=role,
                user_id=who[role].id,
                ip="198.51.100.7",
                user_agent="pytest",
                method="typed",
                document_sha256="0" * 64,
                result_sha256="1" * 64,
            )
        )
    db.session.commit()
    assert kinds(items_of(app, who["mediator"]), case) == ["deadline"]
    assert kinds(items_of(app, who["debtor"]), case) == []


def test_a_passed_deadline_comes_first(app: Flask) -> None:
    who = people()
    later = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.INVITED,
        next_deadline=clock.today() + timedelta(days=5),
    )
    passed = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.INVITED,
        next_deadline=clock.today() - timedelta(days=1),
    )
    items = items_of(app, who["mediator"])
    assert [i.reference for i in items] == [passed.reference, later.reference]
    assert "已于" in items[0].text and "届满" in items[0].text


def test_a_disputed_payment_waits_for_the_mediators_decision(app: Flask) -> None:
    who, case, _ = performing_case()
    payment = report_payment(
        who["debtor"], case, entry("500.00", "RPT-1"), Proof(io.BytesIO(PNG), "回单.png")
    ).payment
    assert "dispute" not in kinds(items_of(app, who["mediator"]), case)
    dispute_payment(who["creditor"], case, payment.id, "未到账")
    item = of_kind(items_of(app, who["mediator"]), "dispute", case)
    assert item.url == f"/cases/{case.id}/payments/{payment.id}/resolve"
    assert "500.00" in item.text
    assert items_of(app, who["colleague_mediator"]) == []
    resolve_dispute(who["mediator"], case, payment.id, False, "银行流水无此笔款项。")
    assert "dispute" not in kinds(items_of(app, who["mediator"]), case)


def test_a_long_docket_lists_its_most_pressing_cases_and_says_so(app: Flask) -> None:
    who = people()
    today = clock.today()
    cases = [
        make_case(
            creditor=who["creditor"],
            mediator=who["mediator"],
            next_deadline=today + timedelta(days=1 + n),
        )
        for n in range(MAX_CASES)
    ]
    assert "data-todo-cut" not in home_page(app, who["mediator"])
    later = make_case(
        creditor=who["creditor"], mediator=who["mediator"], next_deadline=today + timedelta(days=60)
    )
    items = items_of(app, who["mediator"])
    assert {i.reference for i in items if i.kind == "accept"} == {c.reference for c in cases}
    assert kinds(items, later) == []
    page = home_page(app, who["mediator"])
    note = page[page.index("data-todo-cut") :]
    assert f"此处只列出最紧迫的 {MAX_CASES} 件案件" in note
    assert 'href="/docket"' in note[: note.index("</p>")]
