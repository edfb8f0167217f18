"""The organisation's own wording of its outreach messages (app.accounts.message_templates,
app.rules.message_templates): saved only within the limits (names the organisation and the
case, carries the link, passes the content checker, fits an SMS), only by the
organisation's own admin, and used by the send path."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cases.invitations import create_invitation
from app.extensions import db
from app.models import AuditEvent
from app.models.message_templates import OrgMessageTemplate
from app.models.notifications import OutboundMessage
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

GOOD_SMS = (
    "【{org}】您好，{creditor}就一笔借款向本会申请调解（案件{case}），"
    "请于{expires_on}前查看：{link}"
)


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    org, other_org = make_mediation_org(), make_mediation_org()
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    debtor = make_user(Role.DEBTOR)
    return {
        "org": org,
        "admin": make_user(Role.ADMIN, mediation_org=org),
        "other_admin": make_user(Role.ADMIN, mediation_org=other_org),
        "mediator": mediator,
        "creditor": make_user(Role.CREDITOR),
        "debtor": debtor,
    }


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _url(org, template: str = "invitation", channel: str = "sms") -> str:
    return f"/admin/organisations/{org.id}/templates/{template}/{channel}"


def _save(browser: Browser, org, body: str, subject: str = "", **kw):
    url = _url(org, **kw)
    return browser.submit(url, {"body": body, "subject": subject}, page=url)


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(OrgMessageTemplate)) or 0


def test_the_admin_saves_a_version_and_the_invitation_uses_it(app: Flask, world) -> None:
    browser = _as(app, world["admin"])
    assert browser.get(f"/admin/organisations/{world['org'].id}/templates").status_code == 200
    response = _save(browser, world["org"], GOOD_SMS)
    assert response.status_code == 302 and _rows() == 1
    assert "organisation:template:save" in db.session.scalars(select(AuditEvent.action)).all()
    case = make_case(state=CaseState.INVITED, mediation_org_id=world["org"].id)
    create_invitation(case)
    sms = db.session.scalar(select(OutboundMessage).where(OutboundMessage.channel == "sms"))
    assert sms is not None
    assert sms.body.startswith(f"【{world['org'].name}】您好，") and case.reference in sms.body
    assert "就一笔借款向本会申请调解" in sms.body and "{" not in sms.body
    email = db.session.scalar(select(OutboundMessage).where(OutboundMessage.channel == "email"))
    assert email is not None and "调解邀请" in email.subject  # no own e-mail version: built-in


def test_a_version_that_drops_the_organisations_name_is_refused_with_the_text_kept(
    app: Flask, world
) -> None:
    typed = "您好，您的案件{case}有新进展，请查看：{link}"
    response = _save(_as(app, world["admin"]), world["org"], typed)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f">{typed}</textarea>" in html
    assert "{org}" in _error(html, "body")
    assert _rows() == 0


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("【{org}】{link}", "{case}"),  # no case reference
        ("【{org}】案件{case}", "{link}"),  # no link
        ("【{org}】案件{case}，{link}，{debtor_name}", "{debtor_name}"),  # unknown placeholder
        ("【{org}】案件{case}，{link}，{org.__class__}", "{org}"),  # not a plain name
        ("【{org}】案件{case}，{link}，{", "{org}"),  # a lone brace
    ],
)
def test_missing_or_foreign_placeholders_are_refused(app: Flask, world, body, words) -> None:
    response = _save(_as(app, world["admin"]), world["org"], body)
    assert response.status_code == 400
    error = _error(response.get_data(as_text=True), "body")
    assert words in error
    assert _rows() == 0


def _error(html: str, field: str) -> str:
    return html.split(f'id="{field}-error" role="alert">', 1)[1].split("</p>", 1)[0]


def test_a_threatening_version_is_refused_with_the_words_marked(app: Flask, world) -> None:
    typed = "【{org}】案件{case}：再不还款我们将联系您的家人，后果自负。{link}"
    response = _save(_as(app, world["admin"]), world["org"], typed, template="reminder_missed")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<mark class="content-refused">联系您的家人</mark>' in html
    assert '<mark class="content-refused">后果自负</mark>' in html
    assert _rows() == 0


def test_an_sms_that_would_be_over_160_characters_once_filled_is_refused(app: Flask, world) -> None:
    typed = "【{org}】案件{case}：" + "请按时还款。" * 20 + "{link}"
    response = _save(_as(app, world["admin"]), world["org"], typed, template="reminder_due")
    assert response.status_code == 400 and "160" in _error(response.get_data(as_text=True), "body")


def test_an_email_version_needs_a_subject(app: Flask, world) -> None:
    body = "您好：\n案件{case}的还款今日到期。\n{link}\n{org}"
    browser = _as(app, world["admin"])
    refused = _save(browser, world["org"], body, subject="", channel="email")
    assert refused.status_code == 400 and 'id="subject-error"' in refused.get_data(as_text=True)
    saved = _save(browser, world["org"], body, subject="【{org}】还款提醒", channel="email")
    assert saved.status_code == 302 and _rows() == 1


def test_reset_goes_back_to_the_built_in_wording(app: Flask, world) -> None:
    browser = _as(app, world["admin"])
    assert _save(browser, world["org"], GOOD_SMS).status_code == 302
    url = _url(world["org"]) + "/reset"
    assert browser.submit(url, {}, page=_url(world["org"])).status_code == 302
    assert _rows() == 0


def test_another_organisations_admin_is_not_found(app: Flask, world) -> None:
    browser = _as(app, world["other_admin"])
    org = world["org"]
    assert browser.get(f"/admin/organisations/{org.id}/templates").status_code == 404
    assert browser.get(_url(org)).status_code == 404
    response = browser.client.post(
        _url(org), data={"body": GOOD_SMS, "csrf_token": browser.token("/account/")}
    )
    assert response.status_code == 404 and _rows() == 0


@pytest.mark.parametrize("who", ["mediator", "creditor", "debtor"])
def test_mediators_creditors_and_debtors_are_refused(app: Flask, world, who: str) -> None:
    browser = _as(app, world[who])
    org = world["org"]
    assert browser.get(f"/admin/organisations/{org.id}/templates").status_code == 403
    assert browser.get(_url(org)).status_code == 403
    response = browser.client.post(
        _url(org), data={"body": GOOD_SMS, "csrf_token": browser.token("/account/")}
    )
    assert response.status_code == 403 and _rows() == 0


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, world) -> None:
    response = app.test_client().get(f"/admin/organisations/{world['org'].id}/templates")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_template_that_is_not_outreach_is_not_found(app: Flask, world) -> None:
    browser = _as(app, world["admin"])
    assert browser.get(_url(world["org"], template="one_time_code")).status_code == 404
    assert browser.get(_url(world["org"], channel="fax")).status_code == 404


def test_the_admin_page_links_to_the_wording_and_the_editor_starts_from_the_built_in(
    app: Flask, world
) -> None:
    browser = _as(app, world["admin"])
    home = browser.get("/admin/").get_data(as_text=True)
    assert f"/admin/organisations/{world['org'].id}/templates" in home
    editor = browser.get(_url(world["org"], template="reminder_due")).get_data(as_text=True)
    body = editor.split('name="body"', 1)[1].split("</textarea>", 1)[0]
    assert "【{org}】" in body and "{case}" in body and "{link}" in body
