"""Chinese first, English second: the catalog stays complete, the switch works and is
remembered, and money reads the same in both languages."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask, render_template_string
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.core.locale import LOCALE_COOKIE
from app.extensions import db
from app.models.audit import AuditEvent
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser

PO_FILE = PROJECT_ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"

# Wording other tests (and people's habits) rely on: these must not drift.
REQUIRED = {
    "The email/mobile number or the password is not correct.": "邮箱/手机号或密码不正确。",
    "This account is locked. Please contact your organisation's administrator.": (
        "此账户已被锁定，请联系您所在组织的管理员。"
    ),
    "This form has expired or did not come from this site. Go back, reload the page and "
    "send it again.": "表单已过期或并非来自本站。请返回并刷新页面后重新提交。",
    "The current password is not correct.": "当前密码不正确。",
    "Concord": "和衷",
    "Sign in": "登录",
    "Sign out": "退出登录",
    "What you sent is larger than the limit of %(mb)s MB.": (
        "您提交的内容超过了 %(mb)s MB 的上限。"
    ),
}

# Every printf-style conversion, named or not, and a literal "%%".
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")


# --- the catalog ------------------------------------------------------------------------


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What the code and templates ask to translate today, extracted as `make
    translations-update` does (same mapping file, same keywords)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract"]
        + ["-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return _read(pot)


@pytest.fixture(scope="module")
def chinese() -> Catalog:
    return _read(PO_FILE)


def _ids(catalog: Catalog) -> list[str]:
    """Message ids; a plural message is known by its singular form."""
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id]


def test_extraction_finds_the_strings(extracted: Catalog) -> None:
    ids = _ids(extracted)
    assert len(ids) > 50, "extraction found almost nothing: is babel.cfg still right?"
    assert set(REQUIRED) <= set(ids)


def test_every_string_has_a_finished_chinese_translation(
    extracted: Catalog, chinese: Catalog
) -> None:
    problems = []
    for msgid in _ids(extracted):
        message = chinese.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif not message.string or not all(str(s).strip() for s in _forms(message.string)):
            problems.append(f"empty:   {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy:   {msgid!r}")
    assert not problems, (
        f"{len(problems)} string(s) of {PO_FILE.relative_to(PROJECT_ROOT)} need a translation "
        "(pybabel extract -F babel.cfg -k _l -o translations/messages.pot . && "
        "pybabel update -i translations/messages.pot -d translations, then translate):\n"
        + "\n".join(problems)
    )


def _forms(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return (string,) if isinstance(string, str) else tuple(string)


def test_catalog_has_no_fuzzy_entries_and_one_plural_form(chinese: Catalog) -> None:
    fuzzy = [m.id for m in chinese if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert chinese.num_plurals == 1  # Chinese has one plural form
    plural = [m for m in chinese if m.id and not isinstance(m.id, str)]
    assert all(len(_forms(m.string)) == 1 and _forms(m.string)[0] for m in plural)


def test_placeholders_survive_translation(chinese: Catalog) -> None:
    wrong = []
    for message in chinese:
        if not message.id or not message.string:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[-1]
        expected = Counter(_PLACEHOLDER.findall(msgid))
        found = Counter(_PLACEHOLDER.findall(_forms(message.string)[0]))
        if expected != found:
            wrong.append(
                f"{message.id!r}: expects {sorted(expected.elements())}, "
                f"has {sorted(found.elements())}"
            )
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize(("msgid", "msgstr"), list(REQUIRED.items()))
def test_required_wording_is_in_the_catalog_and_served(
    chinese: Catalog, app: Flask, msgid: str, msgstr: str
) -> None:
    message = chinese.get(msgid)
    assert message is not None and message.string == msgstr
    # The compiled .mo is what the app serves: it must agree with the .po.
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        served = gettext(msgid)  # unformatted: no variables given
    assert served == msgstr, "stale messages.mo? run: pybabel compile -d translations"


# --- choosing the language --------------------------------------------------------------


def _html(response) -> str:
    return response.get_data(as_text=True)


def _switch(browser: Browser, locale: str, page: str = "/", **kw):
    return browser.submit("/account/language", {"locale": locale, "next": page}, page=page, **kw)


def test_landing_page_is_chinese_by_default(browser: Browser) -> None:
    page = _html(browser.get("/"))
    assert '<html lang="zh-CN">' in page
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and "和衷" in title.group(1)
    assert "登录" in page


def test_language_switch_to_english_is_remembered_in_a_cookie(browser: Browser) -> None:
    response = _switch(browser, "en")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = browser.client.get_cookie(LOCALE_COOKIE)
    assert cookie is not None and cookie.value == "en"
    assert cookie.http_only

    page = _html(browser.get("/"))
    assert '<html lang="en">' in page
    assert "· Concord</title>" in page
    assert "Sign in" in page
    # Still English on the next, unrelated request.
    assert '<html lang="en">' in _html(browser.get("/login"))

    _switch(browser, "zh_Hans_CN")
    assert '<html lang="zh-CN">' in _html(browser.get("/"))


def test_switch_returns_to_the_page_it_came_from_but_never_off_site(browser: Browser) -> None:
    assert _switch(browser, "en", page="/login").headers["Location"] == "/login"
    off_site = browser.submit(
        "/account/language", {"locale": "en", "next": "//evil.example/"}, page="/"
    )
    assert off_site.headers["Location"] == "/"


def test_signed_in_choice_is_kept_on_the_account(app: Flask, browser: Browser) -> None:
    user = make_user()
    assert browser.login(user.email, PASSWORD).status_code == 302
    assert '<html lang="zh-CN">' in _html(browser.get("/debtor"))

    assert _switch(browser, "en", page="/debtor").status_code == 302
    db.session.refresh(user)
    assert user.locale == "en"
    assert (
        "account:locale:set"
        in db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    )
    assert '<html lang="en">' in _html(browser.get("/debtor"))

    # A new browser: no language cookie, yet English once the person has signed in.
    elsewhere = Browser(app.test_client())
    assert '<html lang="zh-CN">' in _html(elsewhere.get("/login"))
    assert elsewhere.login(user.email, PASSWORD).status_code == 302
    assert elsewhere.client.get_cookie(LOCALE_COOKIE) is None
    page = _html(elsewhere.get("/debtor"))
    assert '<html lang="en">' in page
    assert "My cases" in page


@pytest.mark.parametrize("bad", ["fr", "zh", "EN", "", "en; DROP TABLE users"])
def test_unknown_language_is_refused_and_changes_nothing(browser: Browser, bad: str) -> None:
    response = _switch(browser, bad, follow_redirects=True)
    page = _html(response)
    assert response.status_code == 200
    assert "请从所提供的语言中选择一种。" in page
    assert '<html lang="zh-CN">' in page
    assert browser.client.get_cookie(LOCALE_COOKIE) is None

    # After choosing English, a bad value leaves English in place (and says so in English).
    _switch(browser, "en")
    page = _html(_switch(browser, bad, follow_redirects=True))
    assert "Please choose one of the offered languages." in page
    assert '<html lang="en">' in page
    assert browser.client.get_cookie(LOCALE_COOKIE).value == "en"


def test_unknown_language_leaves_a_signed_in_account_alone(browser: Browser) -> None:
    user = make_user(locale="en")
    browser.login(user.email, PASSWORD)
    page = _html(_switch(browser, "de", page="/debtor", follow_redirects=True))
    assert "Please choose one of the offered languages." in page
    db.session.refresh(user)
    assert user.locale == "en"


# --- money ------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("12000"), "¥12,000.00"),
        (Decimal("1234567.8"), "¥1,234,567.80"),
        (Decimal("0.05"), "¥0.05"),
        (Decimal("-350.5"), "-¥350.50"),
        (None, ""),
    ],
)
def test_money_is_yuan_with_fen_in_both_languages(
    app: Flask, locale: str, amount: Decimal | None, shown: str
) -> None:
    with app.test_request_context(), force_locale(locale):
        assert render_template_string("{{ amount|money }}", amount=amount) == shown


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_money_refuses_a_float(app: Flask, locale: str) -> None:
    with app.test_request_context(), force_locale(locale), pytest.raises(TypeError):
        render_template_string("{{ amount|money }}", amount=12000.0)
