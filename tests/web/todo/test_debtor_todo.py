"""The debtor's to-do list: each item appears while its condition holds, links to the
place to act and goes once done; another debtor never sees it."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from app.core import clock
from app.extensions import db
from app.models.invitations import Invitation
from app.models.users import Role
from app.negotiation import proposals as proposal_service
from app.negotiation.objections import raise_objection
from app.negotiation.offers import Offer
from app.negotiation.statements import submit_statement
from app.repayments.common import performance_of
from app.repayments.payments import record_payment
from app.rules.affordability import Statement
from app.rules.cases import CaseState
from tests.agreement_support import people, settled_case
from tests.factories import make_case, make_user
from tests.repayment_support import entry, performing_case
from tests.todo_support import EMPTY, add_signature, home_page, kinds, of_kind, signing_agreement
from tests.todo_support import todo_of as items_of

BEIJING = ZoneInfo("Asia/Shanghai")


def _negotiating(who: dict[str, Any]) -> Any:
    return make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        next_deadline=clock.today() + timedelta(days=20),
    )


def _statement() -> Statement:
    return Statement(
        household_size=2,
        dependants=0,
        income={"wages": Decimal("8000")},
        spending={"housing": Decimal("2000"), "food": Decimal("1500")},
        savings=Decimal("0"),
        assets=Decimal("0"),
    )


def test_an_empty_list_says_so(app: Flask) -> None:
    debtor = make_user(Role.DEBTOR)
    assert items_of(app, debtor) == []
    assert EMPTY in home_page(app, debtor)


def test_answering_the_claim_and_the_statement_go_once_done(app: Flask) -> None:
    who = people()
    case = _negotiating(who)
    items = items_of(app, who["debtor"])
    assert kinds(items, case) == ["answer_claim", "statement"]
    claim = of_kind(items, "answer_claim", case)
    assert claim.url == f"/cases/{case.id}/steps/claim"  # the guided path (app.steps)
    assert case.reference in claim.text
    assert of_kind(items, "statement", case).url == f"/cases/{case.id}/steps/statement"

    raise_objection(who["debtor"], case, "interest", "利息计算有误。")
    assert kinds(items_of(app, who["debtor"]), case) == ["statement"]
    submit_statement(who["debtor"], case, _statement(), share=False)
    assert kinds(items_of(app, who["debtor"]), case) == []
    assert items_of(app, who["other_debtor"]) == []


def test_an_offer_to_answer_links_to_the_proposal_by_its_number_in_the_case(app: Flask) -> None:
    who = people()
    case = _negotiating(who)
    make_case(creditor=who["creditor"], state=CaseState.NEGOTIATING)  # proposals elsewhere
    submit_statement(who["debtor"], case, _statement(), share=False)
    raise_objection(who["debtor"], case, "interest", "利息计算有误。")
    offer = Offer(
        kind="lump_sum", total=Decimal("25000.00"), first_due=clock.today() + timedelta(days=10)
    )
    proposal = proposal_service.submit_proposal(who["creditor"], case, offer)
    item = of_kind(items_of(app, who["debtor"]), "offer", case)
    assert item.url == f"/cases/{case.id}#proposal-{proposal.id}"
    assert "第 1 号方案" in item.text
    assert items_of(app, who["other_debtor"]) == []

    proposal_service.reject_proposal(who["debtor"], case, proposal, "太多了。")
    assert kinds(items_of(app, who["debtor"]), case) == []


def test_signing_the_agreement(app: Flask) -> None:
    who = people()
    case = settled_case(who)
    agreement = signing_agreement(case, who)
    item = of_kind(items_of(app, who["debtor"]), "sign", case)
    assert item.url == f"/cases/{case.id}/agreement/1/sign"
    add_signature(agreement, "debtor", who["debtor"])
    assert kinds(items_of(app, who["debtor"]), case) == []
    assert items_of(app, who["other_debtor"]) == []


def test_the_next_instalment_shows_two_weeks_ahead_and_goes_when_paid(
    app: Flask, frozen_clock: Any
) -> None:
    who, case, _ = performing_case(count=6)
    # The first instalment falls due in 30 days: not yet something to do.
    assert kinds(items_of(app, who["debtor"]), case) == []
    perf = performance_of(case, clock.today())
    assert perf is not None
    first = perf.plan.instalments[0]
    frozen_clock.move_to(datetime.combine(first.due - timedelta(days=5), time(10), BEIJING))
    item = of_kind(items_of(app, who["debtor"]), "pay", case)
    assert item.url == f"/cases/{case.id}#report-payment"
    assert "第 1 期" in item.text and "4,000.00" in item.text
    assert items_of(app, who["other_debtor"]) == []

    record_payment(who["creditor"], case, entry(str(first.amount), "TX-1"))
    assert kinds(items_of(app, who["debtor"]), case) == []


def test_a_new_invitation_asks_an_existing_debtor_to_confirm_their_identity(app: Flask) -> None:
    who = people()
    debtor = who["debtor"]
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.INVITED,
        debtor_phone=debtor.phone,
        debtor_email="someone-else@example.com",
        next_deadline=clock.today() + timedelta(days=14),
    )
    invitation = Invitation(
        case_id=case.id,
        token_hash=hashlib.sha256(b"token").hexdigest(),
        expires_at=clock.now() + timedelta(days=14),
    )
    db.session.add(invitation)
    db.session.commit()
    item = of_kind(items_of(app, debtor), "verify", case)
    assert item.url is None  # the link is in the SMS: the platform keeps only its hash
    assert "邀请链接" in item.text
    assert items_of(app, who["other_debtor"]) == []

    invitation.used_at = clock.now()
    db.session.commit()
    assert kinds(items_of(app, debtor), case) == []


def test_the_most_urgent_comes_first(app: Flask) -> None:
    who = people()
    later = _negotiating(who)
    sooner = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        next_deadline=clock.today() + timedelta(days=3),
    )
    refs = [i.reference for i in items_of(app, who["debtor"])]
    assert refs == [sooner.reference] * 2 + [later.reference] * 2


def test_after_an_accelerating_breach_the_item_asks_for_the_whole_balance(
    app: Flask, frozen_clock: Any
) -> None:
    who, case, _ = performing_case()
    perf = performance_of(case, clock.today())
    assert perf is not None
    breach_day = perf.plan.instalments[0].grace_ends + timedelta(days=1)
    frozen_clock.move_to(datetime.combine(breach_day, time(10), BEIJING))
    item = of_kind(items_of(app, who["debtor"]), "pay", case)
    # The agreement's default rule brought the rest forward: not "instalment 1" any more.
    assert "¥24,000.00" in item.text and "第 1 期" not in item.text, item.text
    assert f"{breach_day.month}月{breach_day.day}日" in item.text
    assert item.url == f"/cases/{case.id}#report-payment"
    assert items_of(app, who["other_debtor"]) == []
