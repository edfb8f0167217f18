"""The notification centre over HTTP: the bell with its unread count, the list (newest
first, paged), opening one (read, then to the place to act), marking all read (POST, CSRF,
redirect); a user sees and marks only their own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models.inbox import Notification
from app.models.users import Role, User
from app.notifications import centre
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser


def as_user(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def tell(user: User, n: int = 1, *, template: str = "agreement_ready") -> list[Notification]:
    made = []
    for i in range(n):
        made.append(
            centre.notify_user(
                user.id,
                case_id=None,
                template=template,
                title=f"标题{i}",
                body=f"【调解委员会】第{i}条",
                link=f"/cases/1#n{i}",
                now=clock.now() + timedelta(seconds=i),
            )
        )
    db.session.commit()
    return made


def bell_label(html: str) -> str:
    match = re.search(r'<a class="bell[^"]*" href="/notifications"\s+aria-label="([^"]+)"', html)
    assert match, "no bell in the header"
    return match.group(1)


@pytest.mark.parametrize("role", [Role.DEBTOR, Role.CREDITOR, Role.MEDIATOR, Role.ADMIN])
def test_every_account_holder_has_the_bell_with_the_unread_count(app: Flask, role: Role) -> None:
    user = make_user(role)
    tell(user, 3)
    html = as_user(app, user).get("/account/").get_data(as_text=True)
    assert bell_label(html) == "通知：3 条未读"
    assert '<span class="bell-count" aria-hidden="true">3</span>' in html


def test_anonymous_visitors_see_no_bell_and_are_sent_to_sign_in(app: Flask) -> None:
    client = app.test_client()
    assert 'class="bell' not in client.get("/login").get_data(as_text=True)
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_list_is_newest_first_and_paged(app: Flask) -> None:
    user = make_user(Role.DEBTOR)
    tell(user, centre.PER_PAGE + 2)
    browser = as_user(app, user)
    first = browser.get("/notifications").get_data(as_text=True)
    bodies = re.findall(r"【调解委员会】第(\d+)条", first)
    assert bodies[:3] == [str(centre.PER_PAGE + 1), str(centre.PER_PAGE), str(centre.PER_PAGE - 1)]
    assert len(bodies) == centre.PER_PAGE
    assert "第 1 页，共 2 页" in first and 'href="/notifications?page=2" rel="next"' in first
    second = browser.get("/notifications?page=2").get_data(as_text=True)
    assert re.findall(r"【调解委员会】第(\d+)条", second) == ["1", "0"]
    assert "调解协议待签署" in second  # the title in the reader's language
    english = browser.get("/notifications?page=2", headers={"Accept-Language": "en"})
    assert english.status_code == 200


def test_opening_one_marks_it_read_and_goes_to_the_place_to_act(app: Flask) -> None:
    user = make_user(Role.CREDITOR)
    first, second = tell(user, 2)
    browser = as_user(app, user)
    response = browser.submit(f"/notifications/{first.id}/open", page="/notifications")
    assert response.status_code == 302 and response.headers["Location"] == "/cases/1#n0"
    db.session.expire_all()
    assert db.session.get(Notification, first.id).read_at is not None
    assert db.session.get(Notification, second.id).read_at is None
    assert bell_label(browser.get("/account/").get_data(as_text=True)) == "通知：1 条未读"


def test_mark_all_read_is_a_post_with_csrf_that_redirects_to_the_list(app: Flask) -> None:
    user = make_user(Role.MEDIATOR)
    tell(user, 3)
    browser = as_user(app, user)
    assert browser.client.post("/notifications/read-all").status_code == 400  # no CSRF token
    assert browser.client.get("/notifications/read-all").status_code == 405
    assert centre.unread_count(user.id) == 3
    response = browser.submit("/notifications/read-all", page="/notifications")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert centre.unread_count(user.id) == 0
    page = browser.get("/notifications").get_data(as_text=True)
    assert bell_label(page) == "通知：0 条未读" and "全部标为已读" not in page


def test_another_user_cannot_see_open_or_mark_ones_notifications(app: Flask) -> None:
    owner, intruder = make_user(Role.DEBTOR), make_user(Role.DEBTOR)
    (mine,) = tell(owner)
    browser = as_user(app, intruder)
    assert "【调解委员会】第0条" not in browser.get("/notifications").get_data(as_text=True)
    response = browser.submit(f"/notifications/{mine.id}/open", page="/notifications")
    assert response.status_code == 404
    browser.submit("/notifications/read-all", page="/notifications")
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is None
    assert db.session.scalars(select(Notification)).all() == [mine]


def test_a_link_that_is_not_a_local_path_is_never_followed(app: Flask) -> None:
    user = make_user(Role.DEBTOR)
    evil = centre.notify_user(
        user.id, case_id=None, template="x", title="t", body="b", link="//evil.example/"
    )
    db.session.commit()
    response = as_user(app, user).submit(f"/notifications/{evil.id}/open", page="/notifications")
    assert response.headers["Location"] == "/"
