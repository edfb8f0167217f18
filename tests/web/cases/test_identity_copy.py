"""The debtor's ID copy (front and back) and the agent's proof of employment, uploaded on
the case page for the court package (法释〔2011〕5号 Art. 3; CPL Art. 61): stored as
evidence (content-type checked, hashed, never replaced), refused with a message and
nothing stored, and nobody else may upload them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import EvidenceFile
from app.models.evidence import EvidenceCategory
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_case_party, make_mediation_org, make_user
from tests.helpers import Browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    org = make_mediation_org()
    creditor = make_user(Role.CREDITOR)
    people = {
        "creditor": creditor,
        "other_creditor": make_user(Role.CREDITOR),
        "mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "debtor": make_user(Role.DEBTOR),
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
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    return browser


def _files(category: EvidenceCategory) -> list[EvidenceFile]:
    return list(
        db.session.scalars(
            select(EvidenceFile).where(EvidenceFile.category == category).order_by(EvidenceFile.id)
        )
    )


def _id_copy(browser: Browser, case_id: int, side: str, data: bytes, name: str):
    fields = {"side": side, "file": (data, name)}
    return browser.upload(f"/cases/{case_id}/identity-copy", fields, page=f"/cases/{case_id}")


def test_the_debtor_uploads_both_sides_of_the_id_copy_and_a_second_corrects_the_first(
    app: Flask, world: dict[str, Any]
) -> None:
    case, debtor = world["case"], world["people"]["debtor"]
    browser = _as(app, debtor)
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "data-identity-copy" in page and page.count("Not given yet") == 2
    response = _id_copy(browser, case.id, "front", PNG, "正面.png")
    assert response.status_code == 302 and response.headers["Location"].endswith("#identity-copy")
    assert _id_copy(browser, case.id, "back", PDF, "反面.pdf").status_code == 302
    (front,) = _files(EvidenceCategory.ID_FRONT)
    (back,) = _files(EvidenceCategory.ID_BACK)
    assert (front.uploaded_by_id, front.media_type) == (debtor.id, "image/png")
    assert back.media_type == "application/pdf"
    assert _id_copy(browser, case.id, "front", PNG + b"x", "正面2.png").status_code == 302
    old, new = _files(EvidenceCategory.ID_FRONT)
    assert (old.id, new.supersedes_id) == (front.id, front.id)  # never replaced
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "正面2.png" in page and "Not given yet" not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"side": "front", "file": (b"GIF89a not accepted", "id.gif")}, "Only PDF, JPEG and PNG"),
        ({"side": "front", "file": (b"", "id.png")}, "The file is empty."),
        ({"side": "sideways", "file": (PNG, "id.png")}, "Choose one of the options."),
        ({"side": "back"}, "This field is required."),
    ],
)
def test_a_refused_id_copy_comes_back_with_the_message_and_the_side_chosen(
    app: Flask, world: dict[str, Any], fields: dict[str, Any], message: str
) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["debtor"])
    response = browser.upload(f"/cases/{case.id}/identity-copy", fields, page=f"/cases/{case.id}")
    assert getattr(response, "refused_by_redirect", False) and response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    if fields["side"] == "back":
        assert 'id="id-side-back" name="side" value="back" checked' in page
    assert _files(EvidenceCategory.ID_FRONT) == _files(EvidenceCategory.ID_BACK) == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_debtor", 404), ("creditor", 403), ("other_creditor", 403), ("mediator", 403)],
)
def test_nobody_but_the_cases_debtor_uploads_the_id_copy(
    app: Flask, world: dict[str, Any], who: str, status: int
) -> None:
    case = world["case"]
    browser = _as(app, world["people"][who])
    fields = {"side": "front", "file": (PNG, "id.png")}
    assert (
        browser.upload(f"/cases/{case.id}/identity-copy", fields, page="/account/").status_code
        == status
    )
    assert _files(EvidenceCategory.ID_FRONT) == []


def test_the_id_copy_cannot_be_given_once_the_case_is_closed(
    app: Flask, world: dict[str, Any]
) -> None:
    case = world["case"]
    case.state = CaseState.CLOSED_NOT_MEDIATED
    db.session.commit()
    browser = _as(app, world["people"]["debtor"])
    fields = {"side": "front", "file": (PNG, "id.png")}
    response = browser.upload(f"/cases/{case.id}/identity-copy", fields, page="/account/")
    assert response.status_code == 404 and _files(EvidenceCategory.ID_FRONT) == []


def test_a_guarantor_gives_their_own_id_copy_which_no_other_party_sees(
    app: Flask, world: dict[str, Any]
) -> None:
    """A guarantor's copy is theirs (法释〔2011〕5号 Art. 3): it never corrects the
    debtor's, and neither sees the other's, on the page or by its address (PIPL Arts. 6,
    28); the mediator and the creditor, who file the package, see both."""
    case, people = world["case"], world["people"]
    guarantor = make_user(Role.DEBTOR, name="赵保证")
    party = make_case_party(
        case, "guarantor", "joint", "赵保证", "110101198001011232", people["mediator"], guarantor
    )
    debtor = _as(app, people["debtor"])
    assert _id_copy(debtor, case.id, "front", PNG, "debtor-front.png").status_code == 302
    (debtors,) = _files(EvidenceCategory.ID_FRONT)

    mine = _as(app, guarantor)
    page = mine.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "data-identity-copy" in page and page.count("Not given yet") == 2
    assert "debtor-front.png" not in page
    assert _id_copy(mine, case.id, "front", PNG + b"g", "g-front.png").status_code == 302
    assert _id_copy(mine, case.id, "front", PNG + b"h", "g-front-2.png").status_code == 302
    first, second = _files(EvidenceCategory.PARTY_ID_FRONT)
    assert (first.case_party_id, second.case_party_id) == (party.id, party.id)
    assert second.supersedes_id == first.id and second.uploaded_by_id == guarantor.id
    assert second.description == "保证人赵保证身份证复印件（人像面）"
    assert _files(EvidenceCategory.ID_FRONT) == [debtors]  # the debtor's untouched
    page = mine.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "g-front-2.png" in page and page.count("Not given yet") == 1

    def fetch(browser: Browser, evidence: EvidenceFile) -> int:
        return browser.get(f"/cases/{case.id}/evidence/{evidence.id}").status_code

    assert fetch(mine, second) == 200 and fetch(mine, debtors) == 404
    assert fetch(debtor, second) == 404 and fetch(debtor, debtors) == 200
    assert "g-front-2.png" not in debtor.get(f"/cases/{case.id}").get_data(as_text=True)
    claim_step = debtor.get(f"/cases/{case.id}/steps/claim").get_data(as_text=True)
    assert f"/evidence/{debtors.id}" in claim_step and f"/evidence/{second.id}" not in claim_step
    assert "保证人赵保证" not in claim_step
    for staff in ("mediator", "creditor"):
        browser = _as(app, people[staff])
        assert fetch(browser, second) == 200 and fetch(browser, debtors) == 200
        page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
        assert "g-front-2.png" in page
        assert "Guarantor&#39;s or co-borrower&#39;s ID copy (front)" in page
        # The parties' section says where the guarantor's copy stands: one side given.
        assert 'data-id-copy="1">ID copy for the court: one side missing' in page
    assert fetch(_as(app, people["other_debtor"]), second) == 404


def test_a_party_id_copy_is_never_filed_as_the_creditors_evidence(
    app: Flask, world: dict[str, Any]
) -> None:
    """Only a guarantor or co-borrower gives their copy, on their own page; the evidence
    upload refuses the category, with a message and nothing stored."""
    case = world["case"]
    browser = _as(app, world["people"]["creditor"])
    fields = {"category": "party_id_front", "file": (PNG, "id.png")}
    response = browser.upload(f"/cases/{case.id}/evidence", fields, page=f"/cases/{case.id}")
    assert getattr(response, "refused_by_redirect", False)
    assert "Choose one of the options." in response.get_data(as_text=True)
    assert _files(EvidenceCategory.PARTY_ID_FRONT) == []


# --- the agent's proof -----------------------------------------------------------------


def test_the_creditor_gives_the_agents_proof_with_the_power_of_attorney(
    app: Flask, world: dict[str, Any]
) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["creditor"])
    assert 'data-missing="agent_proof"' in browser.get(f"/cases/{case.id}").get_data(True)
    response = browser.upload(
        f"/cases/{case.id}/agent-proof", {"file": (PDF, "在职证明.pdf")}, page=f"/cases/{case.id}"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#papers")
    (proof,) = _files(EvidenceCategory.AGENT_PROOF)
    assert proof.original_name == "在职证明.pdf"
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "data-agent-proof" in page and 'data-missing="agent_proof"' not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"file": (b"<html>no</html>", "proof.pdf")}, "Only PDF, JPEG and PNG"),
        ({}, "This field is required."),
    ],
)
def test_a_refused_agent_proof_comes_back_with_the_message_and_stores_nothing(
    app: Flask, world: dict[str, Any], fields: dict[str, Any], message: str
) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["creditor"])
    response = browser.upload(f"/cases/{case.id}/agent-proof", fields, page=f"/cases/{case.id}")
    assert getattr(response, "refused_by_redirect", False) and response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _files(EvidenceCategory.AGENT_PROOF) == []


@pytest.mark.parametrize(
    ("who", "status"), [("other_creditor", 404), ("debtor", 403), ("mediator", 403)]
)
def test_nobody_but_the_creditors_people_give_the_agents_proof(
    app: Flask, world: dict[str, Any], who: str, status: int
) -> None:
    case = world["case"]
    browser = _as(app, world["people"][who])
    response = browser.upload(
        f"/cases/{case.id}/agent-proof", {"file": (PDF, "x.pdf")}, page="/account/"
    )
    assert response.status_code == status
    assert _files(EvidenceCategory.AGENT_PROOF) == []
