"""Proposals are numbered within their case: a case's first proposal is no. 1 whatever
other cases hold, and a counter-offer names the number of the one it answers."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from flask import Flask

from app.core import clock
from app.negotiation import proposals as proposal_service
from app.negotiation.offers import Offer
from app.rules.cases import CaseState
from tests.agreement_support import people
from tests.factories import PASSWORD, make_case
from tests.helpers import Browser


def _offer(total: str) -> Offer:
    return Offer(kind="lump_sum", total=Decimal(total), first_due=clock.today() + timedelta(days=9))


def test_the_first_proposal_of_a_case_is_no_1(app: Flask) -> None:
    who = people()

    def negotiating():
        return make_case(
            creditor=who["creditor"],
            mediator=who["mediator"],
            state=CaseState.NEGOTIATING,
            debtor_user_id=who["debtor"].id,
        )

    elsewhere, case = negotiating(), negotiating()
    for total in ("20000.00", "21000.00", "22000.00"):
        proposal_service.submit_proposal(who["debtor"], elsewhere, _offer(total))
    first = proposal_service.submit_proposal(who["debtor"], case, _offer("23000.00"))
    assert first.id > 1
    counter = proposal_service.submit_proposal(
        who["creditor"], case, _offer("30000.00"), replies_to=first
    )

    browser = Browser(app.test_client())
    browser.login(who["debtor"].email, PASSWORD)
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    card = page[page.index(f'id="proposal-{counter.id}"') :]
    assert re.search(r"第 2 号方案", card[: card.index("</h3>")])
    assert "答复第 1 号方案" in card[: card.index("</p>", card.index("</h3>"))]
    first_card = page[page.index(f'id="proposal-{first.id}"') :]
    assert "第 1 号方案" in first_card[: first_card.index("</h3>")]
    assert f"第 {first.id} 号方案" not in page
