"""To-do items of the later steps: answering a proposed extension of the mediation period,
answering new terms for a restructuring, the mediator's supplementary agreement to draft
and each signer's turn to sign it. Each appears while it is due, links to the place to act
and goes once done; a user of another case never sees it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from app.closing.extension import answer_extension, propose_extension
from app.closing.facts import mediation_end
from app.core import clock
from app.extensions import db
from app.restructuring import drafting, requests
from tests import restructuring_support as support
from tests.agreement_support import people
from tests.closing_support import negotiating_case
from tests.todo_support import kinds, of_kind
from tests.todo_support import todo_of as items_of


def test_the_other_party_answers_a_proposed_extension(app: Flask) -> None:
    who = people()
    case = negotiating_case(who, clock.now() - timedelta(days=5))
    until = mediation_end(case) + timedelta(days=9)
    propose_extension(who["creditor"], case, until)
    db.session.commit()

    item = of_kind(items_of(app, who["debtor"]), "extension", case)
    assert item.url is not None and item.url.endswith(f"/cases/{case.id}#mediation")
    assert f"{until.month}月{until.day}日" in item.text or until.isoformat() in item.text
    assert "extension" not in kinds(items_of(app, who["creditor"]), case)  # its own proposal
    assert "extension" not in kinds(items_of(app, who["other_debtor"]))

    answer_extension(who["debtor"], case, accept=True)
    db.session.commit()
    assert "extension" not in kinds(items_of(app, who["debtor"]), case)


def test_restructuring_terms_then_the_draft_then_each_signature(app: Flask) -> None:
    who, case, _ = support.partly_paid_case()
    requests.file_request(who["debtor"], case, "失业，收入减少一半", support.new_schedule())
    db.session.commit()

    item = of_kind(items_of(app, who["creditor"]), "restructuring", case)
    assert item.url is not None and "#restructuring-" in item.url
    assert "restructuring" not in kinds(items_of(app, who["debtor"]), case)  # its own offer
    assert "restructuring" not in kinds(items_of(app, who["other_creditor"]))

    requests.accept_offer(who["creditor"], case)
    db.session.commit()
    assert "restructuring" not in kinds(items_of(app, who["creditor"]), case)
    draft = of_kind(items_of(app, who["mediator"]), "draft_supplementary", case)
    assert draft.url is not None and draft.url.endswith("#restructuring")

    supplement = drafting.draft_supplementary(who["mediator"], case)
    db.session.commit()
    db.session.refresh(supplement)
    assert "draft_supplementary" not in kinds(items_of(app, who["mediator"]), case)
    sign = of_kind(items_of(app, who["debtor"]), "sign_supplementary", case)
    assert sign.url == f"/cases/{case.id}/supplementary/{supplement.version}/sign"
    assert "sign_supplementary" not in kinds(items_of(app, who["other_debtor"]))

    support.sign_supplement(case, supplement, who["debtor"], typed_name=who["debtor"].name)
    db.session.commit()
    assert "sign_supplementary" not in kinds(items_of(app, who["debtor"]), case)
    assert "sign_supplementary" in kinds(items_of(app, who["creditor"]), case)
