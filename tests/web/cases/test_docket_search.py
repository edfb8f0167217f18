"""The docket's search finds a case by the debtor's pinyin and by the last four digits of
their phone or ID number; a whole number is neither searched for nor shown back."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask

from app.cases.docket import DocketQuery, docket
from app.cases.docket_search import NO_FULL_NUMBER_PATTERN
from app.cases.lifecycle import today as legal_today
from app.models.users import Role, User
from app.rules.pinyin import name_pinyin, pinyin_term
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser


@pytest.fixture
def world(app: Flask) -> dict:
    org = make_mediation_org()
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    other = make_user(Role.MEDIATOR, mediation_org=org)
    creditor = make_user(Role.CREDITOR)
    liu = make_case(
        creditor=creditor,
        mediator=mediator,
        debtor_name="刘强",
        debtor_phone="13800138001",
        debtor_id_masked="110105********002X",
    )
    zhao = make_case(
        creditor=creditor,
        mediator=mediator,
        debtor_name="赵丽",
        debtor_phone="13900001234",
        debtor_id_masked="110101********1234",
    )
    elsewhere = make_case(
        creditor=creditor,
        mediator=other,
        debtor_name="刘强",
        debtor_phone="13800138001",
        debtor_id_masked="110105********002X",
    )
    return {"mediator": mediator, "liu": liu, "zhao": zhao, "elsewhere": elsewhere}


def _ids(viewer: User, term: str) -> set[int]:
    result = docket(viewer, DocketQuery(search=term), legal_today())
    return {r.case_id for r in result.rows}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("刘强", "liuqiang lq"), ("欧阳娜娜", "ouyangnana oynn"), ("吉䶮", "jiyan jy")],
)
def test_a_name_in_pinyin(name: str, expected: str) -> None:
    assert name_pinyin(name) == expected


@pytest.mark.parametrize(
    ("term", "expected"), [("Liu Qiang", "liuqiang"), ("lq", "lq"), ("刘", None), ("8001", None)]
)
def test_a_term_read_as_pinyin(term: str, expected: str | None) -> None:
    assert pinyin_term(term) == expected


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("liuqiang", {"liu"}),
        ("Liu Qiang", {"liu"}),
        ("lq", {"liu"}),
        ("zhaoli", {"zhao"}),
        ("8001", {"liu"}),  # the phone's last four
        ("002x", {"liu"}),  # the ID number's last four, X in either case
        ("1234", {"zhao"}),  # both the phone's and the ID's tail
        ("13800138001", set()),  # a whole number is not searched for
    ],
)
def test_the_search_finds_by_pinyin_and_tails_on_the_own_docket_only(
    world: dict, term: str, found: set[str]
) -> None:
    assert _ids(world["mediator"], term) == {world[k].id for k in found}


def test_the_name_keeps_its_pinyin_when_it_changes(world: dict) -> None:
    case = world["zhao"]
    case.debtor_name = "孙伟"
    assert case.debtor_name_pinyin == "sunwei sw"


def test_a_whole_number_is_refused_and_not_shown_back(app: Flask, world: dict) -> None:
    browser = Browser(app.test_client())
    assert browser.login(world["mediator"].email, PASSWORD).status_code == 302
    response = browser.get("/docket?q=13800138001&state=submitted")
    assert response.status_code == 303
    assert response.headers["Location"] == "/docket?state=submitted"
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "请只输入手机号或身份证号的后 4 位" in html
    assert "13800138001" not in html
    html = browser.get("/docket?q=" + quote("lq")).get_data(as_text=True)
    assert f'href="/cases/{world["liu"].id}"' in html
    assert f'/cases/{world["elsewhere"].id}"' not in html
    assert f'pattern="{NO_FULL_NUMBER_PATTERN}"' in html


def test_the_pattern_refuses_ten_digits_in_a_row() -> None:
    import re

    pattern = re.compile(f"^(?:{NO_FULL_NUMBER_PATTERN})$")
    for allowed in ("HZ-2026-000123", "8001", "lq", "刘强", "123456789"):
        assert pattern.match(allowed), allowed
    for refused in ("13800138001", "11010519491231002X", "a 1380013800"):
        assert not pattern.match(refused), refused
