"""The post/redirect/get stash (app/core/prg.py): secrets never enter it, it is read once
and only by the page it was left for."""

from __future__ import annotations

import pytest
from flask import Flask, session
from werkzeug.datastructures import MultiDict

from app.core import prg
from app.core.prg import refusal_target


@pytest.mark.parametrize(
    "name",
    ["password", "confirm", "current", "new", "code", "csrf_token", "new_password", "pin"],
)
def test_secret_fields_are_never_kept(app: Flask, name: str) -> None:
    form = MultiDict([(name, "s3cret"), ("identifier", "a@example.com")])
    with app.test_request_context("/login", method="POST"):
        assert prg.kept_values(form) == {"identifier": ["a@example.com"]}


def test_the_stash_is_read_once_and_only_by_its_page(app: Flask) -> None:
    form = MultiDict([("reason", "利息算错了"), ("consent", "a"), ("consent", "b")])
    with app.test_request_context("/cases/1/statement/edit", method="POST"):
        answer = prg.redirect_with("/x?y=1#z", {"reason": "太长了"}, form=form, status=400)
        assert answer.status_code == 303 and answer.headers["Location"] == "/x?y=1#z"
        kept = dict(session)
    with app.test_request_context("/elsewhere"):
        session.update(kept)
        assert not prg.take()  # another page: dropped
        assert not prg.take()
    with app.test_request_context("/x"):
        session.update(kept)
        stash = prg.take()
        assert stash.value("reason") == "利息算错了" and stash.all("consent") == ["a", "b"]
        assert stash.errors == {"reason": "太长了"} and stash.error == "太长了"
        assert stash.status == 400
        assert not prg.take()  # once


def test_a_refusal_goes_back_only_to_a_page_of_this_site(app: Flask) -> None:
    """The Referer is followed back only on this host, and never as "//other.example/…",
    which a browser would read as another site."""
    cases = {
        "http://localhost/cases/7?tab=2": "/cases/7?tab=2",
        "http://localhost//evil.example/x": "/evil.example/x",
        "http://evil.example/cases/7": None,
    }
    for referer, expected in cases.items():
        with app.test_request_context("/logout", method="POST", headers={"Referer": referer}):
            assert refusal_target() == expected, referer
