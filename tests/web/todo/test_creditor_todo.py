"""The creditor's to-do list, for every user of the organisation and no other: answer an
objection, answer an offer, give the power of attorney, sign, confirm a reported payment."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import event

from app.cases.papers import set_receiving_account
from app.core import clock
from app.extensions import db
from app.models.organisations import LicenceType
from app.models.users import Role, User
from app.negotiation import proposals as proposal_service
from app.negotiation.objections import answer_objection, raise_objection
from app.negotiation.offers import Offer
from app.repayments.decisions import confirm_payment
from app.repayments.payments import Proof, report_payment
from app.rules.agreements import ReceivingAccount
from app.rules.cases import CaseState
from app.todo.common import MAX_CASES
from tests.agreement_support import people, settled_case
from tests.factories import make_case, make_natural_person_creditor, make_user
from tests.papers_support import record_poa
from tests.repayment_support import PNG, entry, performing_case
from tests.todo_support import Item, add_signature, home_page, kinds, of_kind, signing_agreement
from tests.todo_support import todo_of as items_of

ACCOUNT = ReceivingAccount(
    "华信消费金融有限公司", "中国工商银行北京朝阳支行", "6222020200112233445"
)


def _negotiating(who: dict, *, with_account: bool = True, **kw: object):
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        **kw,
    )
    if with_account:
        set_receiving_account(who["creditor"], case, ACCOUNT)
    return case


def test_an_objection_waits_for_an_answer_from_the_organisation(app: Flask) -> None:
    who = people()
    case = _negotiating(who)
    record_poa(who["creditor"], case)
    assert kinds(items_of(app, who["creditor"]), case) == []
    objection = raise_objection(who["debtor"], case, "penalty", "违约金过高。")
    for user in ("creditor", "creditor_colleague"):
        item = of_kind(items_of(app, who[user]), "objection", case)
        assert item.url == f"/cases/{case.id}#objection-{objection.id}"
        assert case.reference in item.text
    assert items_of(app, who["other_creditor"]) == []

    answer_objection(who["creditor"], case, objection, "违约金按合同约定计算。")
    assert kinds(items_of(app, who["creditor_colleague"]), case) == []


def test_an_offer_from_the_debtor_and_its_answer(app: Flask) -> None:
    who = people()
    case = _negotiating(who)
    record_poa(who["creditor"], case)
    offer = Offer(
        kind="lump_sum", total=Decimal("20000.00"), first_due=clock.today() + timedelta(days=10)
    )
    proposal = proposal_service.submit_proposal(who["debtor"], case, offer)
    item = of_kind(items_of(app, who["creditor"]), "offer", case)
    assert item.url == f"/cases/{case.id}#proposal-{proposal.id}"
    assert "第 1 号方案" in item.text
    assert items_of(app, who["other_creditor"]) == []
    proposal_service.reject_proposal(who["creditor"], case, proposal, "金额过低。")
    assert kinds(items_of(app, who["creditor"]), case) == []


def test_the_power_of_attorney_is_asked_for_until_given(app: Flask) -> None:
    who = people()
    case = _negotiating(who)
    item = of_kind(items_of(app, who["creditor"]), "attorney", case)
    assert item.url == f"/cases/{case.id}#papers"
    assert "授权委托书" in item.text
    record_poa(who["creditor"], case)
    assert kinds(items_of(app, who["creditor"]), case) == []


def test_the_receiving_account_is_asked_for_until_given(app: Flask) -> None:
    who = people()
    case = _negotiating(who, with_account=False)
    record_poa(who["creditor"], case)
    item = of_kind(items_of(app, who["creditor_colleague"]), "account", case)
    assert item.url == f"/cases/{case.id}#papers"
    assert items_of(app, who["other_creditor"]) == []
    set_receiving_account(who["creditor"], case, ACCOUNT)
    assert kinds(items_of(app, who["creditor"]), case) == []


def test_a_natural_person_lender_signs_in_person_and_needs_no_power_of_attorney(
    app: Flask,
) -> None:
    """人民调解法 Art. 29: a natural-person creditor signs in person, no agent."""
    who = people()
    lender = make_user(Role.CREDITOR, creditor_org=make_natural_person_creditor())
    who = {**who, "creditor": lender, "creditor_colleague": lender}
    case = _negotiating(who, lender_kind=LicenceType.PRIVATE_LENDER)
    assert kinds(items_of(app, who["creditor"]), case) == []


def test_signing_the_agreement(app: Flask) -> None:
    who = people()
    case = settled_case(who)
    record_poa(who["creditor"], case)
    agreement = signing_agreement(case, who)
    item = of_kind(items_of(app, who["creditor_colleague"]), "sign", case)
    assert item.url == f"/cases/{case.id}/agreement/1/sign"
    add_signature(agreement, "creditor", who["creditor"])
    assert kinds(items_of(app, who["creditor"]), case) == []
    assert items_of(app, who["other_creditor"]) == []


def test_a_reported_payment_waits_for_confirmation(app: Flask) -> None:
    who, case, _ = performing_case()
    payment = report_payment(
        who["debtor"], case, entry("500.00", "RPT-1"), Proof(io.BytesIO(PNG), "回单.png")
    ).payment
    item = of_kind(items_of(app, who["creditor"]), "payment", case)
    assert item.url == f"/cases/{case.id}#payment-{payment.id}"
    assert "500.00" in item.text
    assert items_of(app, who["other_creditor"]) == []
    confirm_payment(who["creditor"], case, payment.id)
    assert kinds(items_of(app, who["creditor"]), case) == []


def test_a_mediators_proposal_waits_for_each_party_until_they_answer(app: Flask) -> None:
    who = people()
    case = _negotiating(who)
    record_poa(who["creditor"], case)
    offer = Offer(
        kind="lump_sum", total=Decimal("26000.00"), first_due=clock.today() + timedelta(days=10)
    )
    proposal = proposal_service.submit_proposal(who["mediator"], case, offer)
    for party in ("debtor", "creditor"):
        assert of_kind(items_of(app, who[party]), "offer", case).url.endswith(
            f"#proposal-{proposal.id}"
        )
    assert not proposal_service.accept_proposal(who["debtor"], case, proposal)
    assert "offer" not in kinds(items_of(app, who["debtor"]), case)
    assert "offer" in kinds(items_of(app, who["creditor"]), case)


# --- an institution's thousands of cases -----------------------------------------------------


def _statements_of_home(app: Flask, user: User) -> tuple[list[str], list[Item]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        items = items_of(app, user)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return seen, items


def test_the_list_reads_the_most_pressing_cases_only_however_many_the_organisation_has(
    app: Flask,
) -> None:
    """Each case still waiting for the account is an item; beyond MAX_CASES such cases the
    list shows the soonest deadlines, and building it costs no more statements."""
    who = people()
    today = clock.today()

    def waiting(days: int):
        case = _negotiating(who, with_account=False, next_deadline=today + timedelta(days=days))
        record_poa(who["creditor"], case)
        return case

    done = _negotiating(who, next_deadline=today + timedelta(days=1))  # nothing to do
    record_poa(who["creditor"], done)
    first = [waiting(d) for d in range(2, 2 + MAX_CASES)]
    few, items = _statements_of_home(app, who["creditor"])
    assert {i.reference for i in items if i.kind == "account"} == {c.reference for c in first}
    assert kinds(items, done) == []
    assert "data-todo-cut" not in home_page(app, who["creditor"])  # every one is listed

    later = [waiting(d) for d in range(100, 140)]
    many, items = _statements_of_home(app, who["creditor"])
    shown = {i.reference for i in items if i.kind == "account"}
    assert shown == {c.reference for c in first}, "the soonest deadlines are listed"
    assert not shown & {c.reference for c in later}
    assert len(many) == len(few), (len(few), len(many))
    page = home_page(app, who["creditor"])
    note = page[page.index("data-todo-cut") :]
    assert f"此处只列出最紧迫的 {MAX_CASES} 件案件" in note
    assert 'href="/cases"' in note[: note.index("</p>")]
