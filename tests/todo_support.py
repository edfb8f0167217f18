"""Reading a to-do list ("待您处理") off a home page, as the person it belongs to."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask

from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature, AgreementStatus, SignatureMethod
from app.models.cases import Case
from app.models.users import Role, User
from tests.factories import PASSWORD
from tests.helpers import Browser

_ITEM = re.compile(
    r'<li class="todo-item[^"]*" data-kind="(?P<kind>[^"]+)" data-reference="(?P<ref>[^"]*)">'
    r'\s*(?:<a href="(?P<url>[^"]+)">)?(?P<text>[^<]*)',
)
HOME = {
    Role.DEBTOR: "/debtor",
    Role.CREDITOR: "/creditor",
    Role.MEDIATOR: "/docket",
    Role.ADMIN: "/admin/",
}
EMPTY = "暂无待办事项"


@dataclass(frozen=True)
class Item:
    kind: str
    reference: str
    url: str | None
    text: str


def todo_of(app: Flask, user: User) -> list[Item]:
    """The items of ``user``'s list, in the order shown, read from their home page."""
    page = home_page(app, user)
    assert 'id="todo"' in page, "the home page has no to-do list"
    return [
        Item(
            m["kind"],
            m["ref"],
            html_lib.unescape(m["url"]) if m["url"] else None,
            html_lib.unescape(m["text"]).strip(),
        )
        for m in _ITEM.finditer(page)
    ]


def home_page(app: Flask, user: User) -> str:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    response = browser.get(HOME[user.role])
    assert response.status_code == 200
    return response.get_data(as_text=True)


def kinds(items: list[Item], case: Case | None = None) -> list[str]:
    return [i.kind for i in items if case is None or i.reference == case.reference]


def of_kind(items: list[Item], kind: str, case: Case) -> Item:
    found = [i for i in items if i.kind == kind and i.reference == case.reference]
    assert len(found) == 1, (kind, items)
    return found[0]


def signing_agreement(case: Case, who: dict[str, User], signed: tuple[str, ...] = ()) -> Any:
    """Version 1 of the agreement open for signatures (the rows the worker's rendering
    leaves), already signed by ``signed``."""
    from app.agreements.common import accepted_proposal
    from app.agreements.content import snapshot_terms
    from app.rules.cases import CaseState
    from tests.agreement_support import ACCOUNT

    proposal = accepted_proposal(case)
    assert proposal is not None
    agreement = Agreement(
        case_id=case.id,
        version=1,
        proposal_id=proposal.id,
        status=AgreementStatus.SIGNING,
        terms=snapshot_terms(case, proposal, ACCOUNT),
        drafted_by_id=who["mediator"].id,
        drafted_at=clock.now() - timedelta(hours=5),
        base_sha256="0" * 64,
        current_sha256="0" * 64,
    )
    db.session.add(agreement)
    db.session.flush()
    case.state = CaseState.SIGNING
    for role in signed:
        add_signature(agreement, role, who[role])
    db.session.commit()
    return agreement


def add_signature(agreement: Agreement, role: str, user: User) -> None:
    n = len(agreement.signatures) + 1
    db.session.add(
        AgreementSignature(
            agreement_id=agreement.id,
            version=agreement.version,
            role=role,
            user_id=user.id,
            ip="198.51.100.7",
            user_agent="pytest",
            method=SignatureMethod.TYPED,
            typed_name=user.name,
            document_sha256=str(n - 1) * 64,
            result_sha256=str(n) * 64,
        )
    )
    db.session.commit()
    db.session.refresh(agreement)
