"""The debtor's forms follow post/redirect/get: a refused post answers 303 back to the
form's page, which shows the values typed and the refusal once; a reload shows the page
fresh, so Back and reload never post again."""

from __future__ import annotations

import random

import pytest
from flask import Flask

from app.models import Case
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_user
from tests.helpers import Browser


@pytest.fixture
def debtor(app: Flask) -> User:
    return make_user(Role.DEBTOR)


@pytest.fixture
def case(debtor: User) -> Case:
    return make_case(
        mediator=make_user(Role.MEDIATOR), state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )


@pytest.fixture
def browser(app: Flask, debtor: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(debtor.email, PASSWORD).status_code == 302
    return browser


def refused_post(browser: Browser, url: str, data: dict, page: str):
    answer = browser.submit(url, data, page=page, follow_refusal=False)
    assert answer.status_code == 303, answer.status_code
    return answer.headers["Location"]


def test_a_refused_statement_comes_back_with_the_figures_and_the_error(
    browser: Browser, case: Case
) -> None:
    url = f"/cases/{case.id}/statement/edit"
    data = {"household_size": "3", "dependants": "1", "income_wages": "8000", "spend_food": "-5"}
    target = refused_post(browser, url, data, page=url)
    assert target == url
    shown = browser.get(target)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 400
    assert 'value="8000"' in html and 'value="-5"' in html
    assert 'aria-invalid="true"' in html
    fresh = browser.get(url)
    assert fresh.status_code == 200 and 'value="-5"' not in fresh.get_data(as_text=True)


def test_refused_terms_come_back_with_what_was_typed(browser: Browser, case: Case) -> None:
    url = f"/cases/{case.id}/proposals/new"
    data = {"kind": "lump_sum", "total": "999999999", "due_date": "2027-01-15", "note": "可以"}
    target = refused_post(browser, url, data, page=url)
    assert target == url
    shown = browser.get(target)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 400
    assert "999999999" in html and "2027-01-15" in html and "可以" in html
    assert browser.get(url).status_code == 200


def test_a_refused_objection_comes_back_on_the_case_page_with_the_reason(
    browser: Browser, case: Case
) -> None:
    data = {"item": "not-an-item", "reason": "利息算错了"}
    target = refused_post(browser, f"/cases/{case.id}/objections", data, page=f"/cases/{case.id}")
    assert target == f"/cases/{case.id}#objections"
    shown = browser.get(target)
    assert shown.status_code == 400 and "利息算错了" in shown.get_data(as_text=True)
    again = browser.get(f"/cases/{case.id}")
    assert again.status_code == 200 and "利息算错了" not in again.get_data(as_text=True)


def test_a_refused_message_keeps_its_text_on_the_case_page(browser: Browser, case: Case) -> None:
    data = {"body": "x" * 4001}
    url = f"/cases/{case.id}/threads/joint"
    target = refused_post(browser, url, data, page=f"/cases/{case.id}")
    assert target == f"/cases/{case.id}#thread-joint"
    assert "x" * 4001 in browser.get(target).get_data(as_text=True)


def test_the_stash_is_for_its_own_page_only(browser: Browser, case: Case) -> None:
    url = f"/cases/{case.id}/statement/edit"
    refused_post(browser, url, {"household_size": "-1"}, page=url)
    browser.get(f"/cases/{case.id}")  # somewhere else first: the stash is dropped
    assert browser.get(url).status_code == 200


def test_a_long_refused_text_is_cut_to_keep_the_cookie_within_what_browsers_take(
    browser: Browser, case: Case
) -> None:
    rng = random.Random(7)
    body = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(4001))  # no repeats to zip
    answer = browser.submit(
        f"/cases/{case.id}/threads/joint",
        {"body": body},
        page=f"/cases/{case.id}",
        follow_refusal=False,
    )
    assert answer.status_code == 303
    cookies = answer.headers.getlist("Set-Cookie")
    cookie = next(v for v in cookies if v.split("=", 1)[0].endswith("concord_session"))
    assert len(cookie) < 4096
    page = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert body[:50] in page  # the start of the text is kept
