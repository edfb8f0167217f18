"""The creditor organisation's profile, kept by its administrator: the licences every court
package attaches (法释〔2011〕5号 Art. 3) and the seal applied with the agent's signature.
Uploads refused by type and size with a message, nothing stored and what was typed kept;
nobody else may see or change them."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent
from app.models.organisations import CreditorOrganisation, CreditorPaper, LicenceType
from app.models.users import Role, User
from app.rules.party_kinds import EntityKind
from tests.factories import PASSWORD, make_creditor_org, make_mediation_org, make_user
from tests.helpers import Browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PAGE = "/creditor/profile/"


def _png(mode: str = "RGBA", size: tuple[int, int] = (300, 300)) -> bytes:
    colour = (200, 20, 20, 0) if mode == "RGBA" else (200, 20, 20)
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def people(app: Flask) -> dict[str, User]:
    org, other_org = make_creditor_org(), make_creditor_org()
    mediation = make_mediation_org()
    return {
        "admin": make_user(Role.CREDITOR, creditor_org=org, is_creditor_admin=True),
        "colleague": make_user(Role.CREDITOR, creditor_org=org),
        "other_admin": make_user(Role.CREDITOR, creditor_org=other_org, is_creditor_admin=True),
        "debtor": make_user(Role.DEBTOR),
        "mediator": make_user(Role.MEDIATOR, mediation_org=mediation),
        "org_admin": make_user(Role.ADMIN, mediation_org=mediation),
    }


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    browser.submit("/account/language", {"locale": "en", "next": "/"}, page="/account/")
    return browser


def _papers() -> int:
    return db.session.scalar(select(func.count()).select_from(CreditorPaper)) or 0


def _paper(browser: Browser, data: bytes, name: str, **fields: str):
    form: dict[str, Any] = {"kind": "business_licence", "expires_on": "", **fields}
    form["file"] = (data, name)
    return browser.upload("/creditor/profile/papers", form, page=PAGE)


def test_the_administrator_uploads_a_licence_with_its_expiry_and_sees_it(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["admin"])
    page = browser.get(PAGE).get_data(as_text=True)
    assert page.count("court packages are blocked") == 2  # both licences missing
    response = _paper(browser, PDF, "营业执照.pdf", expires_on="2030-06-30")
    assert response.status_code == 302 and response.headers["Location"].endswith("#papers")
    paper = db.session.scalars(select(CreditorPaper)).one()
    assert (paper.kind.value, paper.original_name, str(paper.expires_on)) == (
        "business_licence",
        "营业执照.pdf",
        "2030-06-30",
    )
    assert paper.creditor_org_id == people["admin"].creditor_org_id
    page = browser.get(PAGE).get_data(as_text=True)
    assert "营业执照.pdf" in page and "2030-06-30" in page
    assert page.count("court packages are blocked") == 1
    assert browser.get(f"/creditor/profile/papers/{paper.id}").data == PDF
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "creditor_org:paper:upload")
    ).one()
    assert event.data["sha256"] == paper.sha256


@pytest.mark.parametrize(
    ("data", "name", "limit_mb", "message"),
    [
        (b"MZ\x90\x00 not a document", "licence.pdf", None, "Only PDF, JPEG and PNG"),
        (PDF + b"\0" * (1024 * 1024 + 10), "big.pdf", 1, "larger than the limit of 1 MB"),
        (b"", "empty.pdf", None, "empty"),
    ],
)
def test_a_paper_of_the_wrong_type_or_size_is_refused_with_a_message_and_nothing_lost(
    app: Flask,
    people: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    name: str,
    limit_mb: int | None,
    message: str,
) -> None:
    if limit_mb:
        settings = dataclasses.replace(app.config["SETTINGS"], max_upload_mb=limit_mb)
        monkeypatch.setitem(app.config, "SETTINGS", settings)
    browser = _as(app, people["admin"])
    response = _paper(browser, data, name, kind="financial_licence", expires_on="2031-01-31")
    assert getattr(response, "refused_by_redirect", False)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="2031-01-31"' in page  # what was typed comes back
    assert '<option value="financial_licence" selected>' in page
    assert _papers() == 0


def test_a_natural_person_lender_is_asked_for_the_id_copy_and_has_no_seal(
    app: Flask, people: dict[str, User]
) -> None:
    org = db.session.get(CreditorOrganisation, people["admin"].creditor_org_id)
    assert org is not None
    org.licence_type = LicenceType.PRIVATE_LENDER
    org.entity_kind = EntityKind.NATURAL_PERSON
    db.session.commit()
    browser = _as(app, people["admin"])
    page = browser.get(PAGE).get_data(as_text=True)
    assert "lender_id_front" in page and "business_licence" not in page
    assert 'id="seal"' not in page
    response = _paper(browser, PDF, "x.pdf", kind="business_licence")
    assert getattr(response, "refused_by_redirect", False) and _papers() == 0
    response = browser.upload("/creditor/profile/seal", {"seal": (_png(), "s.png")}, page=PAGE)
    assert "A natural person has no seal." in response.get_data(as_text=True)
    db.session.refresh(org)
    assert org.seal_image is None


def test_the_administrator_uploads_a_transparent_seal_and_sees_its_preview(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["admin"])
    assert browser.get("/creditor/profile/seal.png").status_code == 404
    seal = _png()
    response = browser.upload("/creditor/profile/seal", {"seal": (seal, "印章.png")}, page=PAGE)
    assert response.status_code == 302 and response.headers["Location"].endswith("#seal")
    preview = browser.get("/creditor/profile/seal.png")
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    assert preview.data == seal
    assert 'src="/creditor/profile/seal.png"' in browser.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xd8\xff\xe0 a jpeg", "The seal must be a PNG image."),
        (_png("RGB"), "transparent background"),
        (_png("RGBA", (20, 20)), "100 to 2000 pixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024 + 1), "smaller than 2 MB"),
        (b"\x89PNG\r\n\x1a\n broken", "The seal must be a PNG image."),
    ],
)
def test_a_seal_of_the_wrong_type_size_or_without_transparency_is_refused_with_a_message(
    app: Flask, people: dict[str, User], data: bytes, message: str
) -> None:
    browser = _as(app, people["admin"])
    response = browser.upload("/creditor/profile/seal", {"seal": (data, "seal.png")}, page=PAGE)
    assert getattr(response, "refused_by_redirect", False) and response.status_code == 400
    assert message in response.get_data(as_text=True)
    org = db.session.get(CreditorOrganisation, people["admin"].creditor_org_id)
    assert org is not None and org.seal_image is None


def test_an_empty_upload_is_refused_back_to_the_page(app: Flask, people: dict[str, User]) -> None:
    browser = _as(app, people["admin"])
    response = browser.submit("/creditor/profile/seal", {}, page=PAGE, follow_refusal=False)
    assert response.status_code == 303 and response.headers["Location"].endswith("#seal")
    response = browser.submit("/creditor/profile/papers", {}, page=PAGE, follow_refusal=False)
    assert response.status_code == 303 and response.headers["Location"].endswith("#papers")


@pytest.mark.parametrize("who", ["colleague", "debtor", "mediator", "org_admin"])
def test_nobody_but_the_administrator_sees_or_changes_the_profile(
    app: Flask, people: dict[str, User], who: str
) -> None:
    owner = _as(app, people["admin"])
    _paper(owner, PDF, "营业执照.pdf")
    seal = _png()
    owner.upload("/creditor/profile/seal", {"seal": (seal, "s.png")}, page=PAGE)
    paper = db.session.scalars(select(CreditorPaper)).one()
    browser = _as(app, people[who])
    # A colleague: not found (the profile is its administrator's); other roles lack the
    # permission altogether.
    expected = 404 if who == "colleague" else 403
    assert browser.get(PAGE).status_code == expected
    assert browser.get(f"/creditor/profile/papers/{paper.id}").status_code == expected
    assert browser.get("/creditor/profile/seal.png").status_code == expected
    for url, fields in (
        ("/creditor/profile/papers", {"kind": "business_licence", "file": (PDF, "x.pdf")}),
        ("/creditor/profile/seal", {"seal": (_png(mode="RGBA", size=(200, 200)), "s.png")}),
    ):
        assert browser.upload(url, fields, page="/account/").status_code == expected
    assert _papers() == 1
    org = db.session.get(CreditorOrganisation, people["admin"].creditor_org_id)
    assert org is not None and org.seal_image == seal


def test_another_creditors_administrator_reaches_only_their_own_profile(
    app: Flask, people: dict[str, User]
) -> None:
    owner = _as(app, people["admin"])
    _paper(owner, PDF, "营业执照-甲.pdf")
    owner.upload("/creditor/profile/seal", {"seal": (_png(), "s.png")}, page=PAGE)
    paper = db.session.scalars(select(CreditorPaper)).one()
    other = _as(app, people["other_admin"])
    page = other.get(PAGE).get_data(as_text=True)
    assert "营业执照-甲.pdf" not in page and "seal.png" not in page
    assert other.get(f"/creditor/profile/papers/{paper.id}").status_code == 404
    assert other.get("/creditor/profile/seal.png").status_code == 404
    assert _paper(other, PDF, "营业执照-乙.pdf").status_code == 302
    mine = db.session.scalars(select(CreditorPaper).order_by(CreditorPaper.id)).all()
    assert [p.creditor_org_id for p in mine] == [
        people["admin"].creditor_org_id,
        people["other_admin"].creditor_org_id,
    ]


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask) -> None:
    response = app.test_client().get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_only_the_administrator_sees_the_link_on_the_creditor_home(
    app: Flask, people: dict[str, User]
) -> None:
    assert "data-creditor-profile" in _as(app, people["admin"]).get("/creditor").get_data(True)
    assert "data-creditor-profile" not in _as(app, people["colleague"]).get("/creditor").get_data(
        True
    )


def test_the_organisation_admin_may_open_a_creditor_administrators_account(
    app: Flask, people: dict[str, User]
) -> None:
    browser = _as(app, people["org_admin"])
    org_id = people["admin"].creditor_org_id
    form = {
        "acct-role": "creditor",
        "acct-creditor_org_id": str(org_id),
        "acct-name": "新管理员",
        "acct-email": "new-admin@example.com",
        "acct-password": "a good long password",
        "acct-creditor_admin": "y",
    }
    assert browser.submit("/admin/users", form, page="/admin/").status_code == 302
    user = db.session.scalars(select(User).where(User.email == "new-admin@example.com")).one()
    assert user.is_creditor_admin and user.creditor_org_id == org_id
