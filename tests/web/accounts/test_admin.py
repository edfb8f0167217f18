"""The organisation administrator registers creditors and people, and keeps the
organisation's details; bad input re-renders the form with a message and saves nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.cases import LprRate, MediatorConflict
from app.models.organisations import CreditorOrganisation, LicenceType
from app.models.users import Role, User
from tests.factories import PASSWORD, make_creditor_org, make_user
from tests.helpers import Browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def admin(browser: Browser) -> User:
    user = make_user(Role.ADMIN)
    assert browser.login(user.email, PASSWORD).status_code == 302
    return user


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_admin_registers_a_creditor_organisation(browser: Browser, admin: User) -> None:
    response = browser.submit(
        "/admin/creditors",
        {
            "cred-name": "测试消费金融有限公司",
            "cred-credit_code": "91110000100000589a",
            "cred-licence_type": "consumer_finance",
            "cred-address": "北京市西城区金融大街 9 号",
            "cred-legal_representative": "钱法人",
        },
        page="/admin/",
    )
    assert response.status_code == 302
    org = db.session.scalar(select(CreditorOrganisation))
    assert org is not None
    assert org.credit_code == "91110000100000589A"
    assert org.licence_type == LicenceType.CONSUMER_FINANCE
    assert (org.address, org.legal_representative) == ("北京市西城区金融大街 9 号", "钱法人")
    assert "creditor_org:create" in _actions()
    assert "测试消费金融有限公司" in browser.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91110000100000589B", "统一社会信用代码"),  # wrong check character
        ("123", "18"),  # too short
    ],
)
def test_bad_credit_code_rerenders_with_message(
    browser: Browser, admin: User, code: str, message: str
) -> None:
    response = browser.submit(
        "/admin/creditors",
        {
            "cred-name": "某银行",
            "cred-credit_code": code,
            "cred-licence_type": "bank",
            "cred-address": "北京市",
            "cred-legal_representative": "某人",
        },
        page="/admin/",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="某银行"' in html  # what was typed is kept
    assert _count(CreditorOrganisation) == 0


def test_a_creditor_without_address_is_refused_and_the_form_kept(
    browser: Browser, admin: User
) -> None:
    response = browser.submit(
        "/admin/creditors",
        {
            "cred-name": "某银行",
            "cred-credit_code": "91110000100000589A",
            "cred-licence_type": "bank",
        },
        page="/admin/",
    )
    assert response.status_code == 400
    assert 'value="91110000100000589A"' in response.get_data(as_text=True)
    assert _count(CreditorOrganisation) == 0


def test_duplicate_credit_code_is_refused(browser: Browser, admin: User) -> None:
    make_creditor_org(credit_code="91110000100000589A")
    response = browser.submit(
        "/admin/creditors",
        {
            "cred-name": "重复",
            "cred-credit_code": "91110000100000589A",
            "cred-licence_type": "bank",
            "cred-address": "北京市",
            "cred-legal_representative": "某人",
        },
        page="/admin/",
    )
    assert response.status_code == 400
    assert _count(CreditorOrganisation) == 1


def test_admin_opens_a_mediator_account_who_can_then_sign_in(
    app, browser: Browser, admin: User
) -> None:
    response = browser.submit(
        "/admin/users",
        {
            "acct-role": "mediator",
            "acct-creditor_org_id": "0",
            "acct-name": "新调解员",
            "acct-email": "new.mediator@example.com",
            "acct-phone": "",
            "acct-password": "a good long password",
        },
        page="/admin/",
    )
    assert response.status_code == 302
    created = db.session.scalar(select(User).where(User.email == "new.mediator@example.com"))
    assert created is not None
    assert created.role == Role.MEDIATOR
    assert created.mediation_org_id == admin.mediation_org_id
    other = Browser(app.test_client())
    assert (
        other.login("new.mediator@example.com", "a good long password").headers["Location"]
        == "/docket"
    )


def test_creditor_user_needs_a_creditor_organisation(browser: Browser, admin: User) -> None:
    before = _count(User)
    response = browser.submit(
        "/admin/users",
        {
            "acct-role": "creditor",
            "acct-creditor_org_id": "0",
            "acct-name": "某人",
            "acct-email": "c@example.com",
            "acct-password": "a good long password",
        },
        page="/admin/",
    )
    assert response.status_code == 400
    assert "请从列表中选择" in response.get_data(as_text=True)
    assert _count(User) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"acct-email": "", "acct-phone": ""}, "请填写邮箱地址或手机号"),
        ({"acct-phone": "12345"}, "11 位"),
        ({"acct-password": "short"}, "10 个字符"),
        ({"acct-password": "1234567890"}, "最常见的密码"),
        ({"acct-password": "password123"}, "最常见的密码"),
        ({"acct-email": "not-an-email"}, "邮箱"),
    ],
)
def test_bad_account_input_rerenders_and_saves_nothing(
    browser: Browser, admin: User, fields: dict[str, str], message: str
) -> None:
    before, events = _count(User), _count(AuditEvent)
    data = {
        "acct-role": "mediator",
        "acct-creditor_org_id": "0",
        "acct-name": "某人",
        "acct-email": "x@example.com",
        "acct-phone": "",
        "acct-password": "long enough pw",
        **fields,
    }
    response = browser.submit("/admin/users", data, page="/admin/")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(User) == before
    assert _count(AuditEvent) == events


def test_duplicate_email_is_refused(browser: Browser, admin: User) -> None:
    response = browser.submit(
        "/admin/users",
        {
            "acct-role": "mediator",
            "acct-creditor_org_id": "0",
            "acct-name": "重复",
            "acct-email": admin.email,
            "acct-password": "a good long password",
        },
        page="/admin/",
    )
    assert response.status_code == 400
    assert "已被登记" in response.get_data(as_text=True)


def test_locking_an_account_ends_its_sessions(app, browser: Browser, admin: User) -> None:
    mediator = make_user(Role.MEDIATOR, mediation_org_id=admin.mediation_org_id)
    their_browser = Browser(app.test_client())
    their_browser.login(mediator.email, PASSWORD)
    assert their_browser.get("/docket").status_code == 200

    assert browser.submit(f"/admin/users/{mediator.id}/lock", page="/admin/").status_code == 302
    assert their_browser.get("/docket").status_code == 302
    assert "此账户已被锁定" in their_browser.login(mediator.email, PASSWORD).get_data(as_text=True)

    assert browser.submit(f"/admin/users/{mediator.id}/unlock", page="/admin/").status_code == 302
    assert their_browser.login(mediator.email, PASSWORD).status_code == 302
    assert _actions()[-3:-1] == ["user:lock", "user:unlock"]


def test_organisation_details_and_seal_are_saved(browser: Browser, admin: User) -> None:
    response = browser.submit(
        "/admin/organisation",
        {
            "org-name": "新名称调解委员会",
            "org-registration_number": "NEW-001",
            "org-address": "上海市",
            "org-phone": "021-1234",
            "org-seal": (io.BytesIO(PNG), "s.png"),
        },
        page="/admin/",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(admin.mediation_org)
    assert admin.mediation_org.name == "新名称调解委员会"
    assert admin.mediation_org.seal_image == PNG
    assert browser.get("/admin/organisation/seal.png").data == PNG
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation:update")
    ).one()
    assert event.data["after"]["name"] == "新名称调解委员会"
    assert event.data["seal_replaced"] is True


def test_a_seal_that_is_not_png_is_refused(browser: Browser, admin: User) -> None:
    name = admin.mediation_org.name
    response = browser.submit(
        "/admin/organisation",
        {
            "org-name": "改名",
            "org-registration_number": "R",
            "org-address": "A",
            "org-phone": "P",
            "org-seal": (io.BytesIO(b"<svg onload=alert(1)>"), "seal.png"),
        },
        page="/admin/",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "PNG" in response.get_data(as_text=True)
    db.session.refresh(admin.mediation_org)
    assert admin.mediation_org.name == name
    assert admin.mediation_org.seal_image is None


def test_audit_chain_can_be_verified_from_the_page(browser: Browser, admin: User) -> None:
    response = browser.submit("/admin/audit/verify", page="/admin/", follow_redirects=True)
    assert "审计日志完整" in response.get_data(as_text=True)


# --- the one-year LPR history ------------------------------------------------------------


def _fixings() -> dict[str, str]:
    rows = db.session.scalars(select(LprRate).order_by(LprRate.effective))
    return {r.effective.isoformat(): str(r.rate.normalize()) for r in rows}


def test_admin_adds_and_corrects_an_lpr_fixing(browser: Browser, admin: User) -> None:
    for rate in ("3.10", "3.05"):
        response = browser.submit(
            "/admin/lpr", {"effective": "2030-01-20", "rate": rate}, page="/admin/"
        )
        assert response.status_code == 302
    assert _fixings()["2030-01-20"] == "3.05"
    assert _actions()[-2:] == ["lpr:set", "lpr:set"]


@pytest.mark.parametrize(
    ("effective", "rate"),
    [("2030-02-30", "3.1"), ("2030-01-20", "abc"), ("2030-01-20", "25"), ("2030-01-20", "0")],
)
def test_a_bad_lpr_fixing_is_refused_and_nothing_saved(
    browser: Browser, admin: User, effective: str, rate: str
) -> None:
    before, events = _fixings(), _count(AuditEvent)
    response = browser.submit(
        "/admin/lpr", {"effective": effective, "rate": rate}, page="/admin/", follow_redirects=True
    )
    assert "利率（以百分比计，0 至 20 之间）" in response.get_data(as_text=True)
    assert _fixings() == before
    assert _count(AuditEvent) == events


# --- a mediator's conflicts of interest ---------------------------------------------------


@pytest.fixture
def mediator(browser: Browser) -> User:
    user = make_user(Role.MEDIATOR)
    assert browser.login(user.email, PASSWORD).status_code == 302
    return user


def test_a_mediator_declares_a_conflict_once(browser: Browser, mediator: User) -> None:
    creditor = make_creditor_org(name="某某银行")
    for _ in range(2):
        response = browser.submit(
            "/account/conflicts",
            {"creditor_org_id": str(creditor.id), "reason": "曾在该行任职"},
            page="/account/",
        )
        assert response.status_code == 302
    assert _count(MediatorConflict) == 1
    assert _actions().count("mediator:conflict:declare") == 1
    html = browser.get("/account/").get_data(as_text=True)
    assert "某某银行" in html and "曾在该行任职" in html


@pytest.mark.parametrize(
    ("creditor", "reason"),
    [(True, "   "), ("999999", "曾在该行任职"), (str(2**31), "x"), (str(2**64 + 1), "x")],
)
def test_a_conflict_needs_a_creditor_and_a_reason(
    browser: Browser, mediator: User, creditor: bool | str, reason: str
) -> None:
    org_id = str(make_creditor_org().id) if creditor is True else str(creditor)
    response = browser.submit(
        "/account/conflicts",
        {"creditor_org_id": org_id, "reason": reason},
        page="/account/",
        follow_redirects=True,
    )
    assert "请选择债权人并填写理由" in response.get_data(as_text=True)
    assert _count(MediatorConflict) == 0


def test_admin_makes_an_existing_creditor_user_keeper_of_the_profile(
    app, browser: Browser, admin: User
) -> None:
    org = make_creditor_org()
    clerk = make_user(Role.CREDITOR, creditor_org_id=org.id)
    assert not clerk.is_creditor_admin
    clerk_browser = Browser(app.test_client())
    clerk_browser.login(clerk.email, PASSWORD)
    assert clerk_browser.get("/creditor/profile/").status_code in (403, 404)

    response = browser.submit(
        f"/admin/users/{clerk.id}/creditor-admin", {"on": "1"}, page="/admin/"
    )
    assert response.status_code == 302
    db.session.refresh(clerk)
    assert clerk.is_creditor_admin
    assert clerk_browser.get("/creditor/profile/").status_code == 200
    assert "保管机构资料" in browser.get("/admin/").get_data(as_text=True)

    browser.submit(f"/admin/users/{clerk.id}/creditor-admin", {"on": "0"}, page="/admin/")
    db.session.refresh(clerk)
    assert not clerk.is_creditor_admin
    assert _actions()[-2:] == ["user:creditor-admin", "user:creditor-admin"]


def test_only_a_creditor_user_keeps_a_profile_and_only_an_admin_decides(
    app, browser: Browser, admin: User
) -> None:
    mediator = make_user(Role.MEDIATOR, mediation_org_id=admin.mediation_org_id)
    response = browser.submit(
        f"/admin/users/{mediator.id}/creditor-admin", {"on": "1"}, page="/admin/"
    )
    assert response.status_code == 302
    db.session.refresh(mediator)
    assert not mediator.is_creditor_admin
    assert "只有债权机构的用户才能保管其机构资料" in browser.get("/admin/").get_data(as_text=True)

    org = make_creditor_org()
    clerk = make_user(Role.CREDITOR, creditor_org_id=org.id)
    for someone in (mediator, make_user(Role.CREDITOR, creditor_org_id=org.id)):
        other = Browser(app.test_client())
        other.login(someone.email, PASSWORD)
        refused = other.submit(f"/admin/users/{clerk.id}/creditor-admin", {"on": "1"}, page="/")
        assert refused.status_code in (403, 404)
    db.session.refresh(clerk)
    assert not clerk.is_creditor_admin
