"""Sign-ins and /verify are bounded (app/web/limits.py, app/core/capacity.py): a rate per
address (429) and a number of slots per host (503), each with ``Retry-After``, a translated
page and problem details for JSON clients."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app.accounts import auth as auth_service
from app.core import capacity
from app.models.users import Role
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser


def _configure(app: Flask, **changes: Any) -> None:
    # The transactional app's configuration is restored after each test.
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], **changes)


@pytest.fixture
def one_slot(app: Flask) -> None:
    _configure(app, password_hash_slots=1, verify_slots=1, busy_wait_ms=0)


@pytest.fixture
def mediator(app: Flask) -> Any:
    return make_user(Role.MEDIATOR)  # made (its password hashed) before the slots are taken


@pytest.fixture
def taken(app: Flask, one_slot: None) -> Iterator[None]:
    """Every password and verify slot held, as by requests in other worker processes."""
    slots = [capacity.acquire("password"), capacity.acquire("verify")]
    yield
    for held in reversed(slots):  # the affinity comes back in the order it was taken
        capacity.release(held)


def test_a_sign_in_while_every_slot_is_taken_is_told_to_come_back(
    browser: Browser, mediator: Any, taken: None
) -> None:
    response = browser.login(mediator.email, PASSWORD)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "系统繁忙，请 2 秒后再试" in response.get_data(as_text=True)


def test_a_json_client_gets_problem_details_with_the_wait(browser: Browser, taken: None) -> None:
    response = browser.client.post("/login", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "2"
    assert response.get_json()["retry_after"] == 2


def test_a_verification_while_every_slot_is_taken_is_told_to_come_back(
    browser: Browser, taken: None
) -> None:
    response = browser.upload("/verify", {"file": (b"%PDF-1.7\n", "a.pdf")}, page="/verify")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "5 秒" in response.get_data(as_text=True)


def test_the_english_page_says_the_same(browser: Browser, taken: None) -> None:
    browser.client.set_cookie("concord_lang", "en")
    response = browser.login("anyone@example.com", "x")
    assert "busy right now. Please try again in 2 seconds" in response.get_data(as_text=True)


def test_a_sign_in_holds_one_slot_and_gives_it_back(browser: Browser, one_slot: None) -> None:
    # The request takes the slot before the form is read; the hashing inside it does not
    # ask again (a second ask would find the only slot taken and refuse).
    user = make_user(Role.MEDIATOR)
    assert browser.login(user.email, PASSWORD).status_code == 302
    capacity.release(capacity.acquire("password"))  # free again


def test_a_password_slot_is_held_its_least_time_however_quick_the_work(
    app: Flask, one_slot: None
) -> None:
    """The budget: work done in no time still keeps the slot until its least hold time
    is over, so a flood gets at most one hash per slot per PASSWORD_HASH_MIN_MS."""
    _configure(app, password_hash_min_ms=2000)
    cpus = os.sched_getaffinity(0)
    held = capacity.acquire("password")
    giving_back = threading.Thread(target=capacity.release, args=(held,))
    giving_back.start()  # sleeps out the rest of the 2 s with the lock still taken
    with pytest.raises(capacity.Busy):
        capacity.acquire("password")
    giving_back.join()
    os.sched_setaffinity(0, cpus)  # given back by another thread: this one is still pinned
    _configure(app, password_hash_min_ms=0)
    capacity.release(capacity.acquire("password"))  # free once the least time is over


def test_password_hashing_elsewhere_is_bounded_too(app: Flask, taken: None) -> None:
    with pytest.raises(capacity.Busy):
        auth_service.hash_password("a new password")


def test_no_cap_configured_means_no_slot(
    app: Flask, browser: Browser, mediator: Any, taken: None
) -> None:
    _configure(app, password_hash_slots=0)
    assert browser.login(mediator.email, PASSWORD).status_code == 302


def test_a_slot_held_by_another_process_counts(app: Flask, one_slot: None) -> None:
    lock = capacity._lock_dir() / "password.0.lock"
    holder = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT);"
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
            str(lock),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(capacity.Busy):
            capacity.acquire("password")
    finally:
        holder.communicate("")  # closes its stdin: it exits and the kernel frees the lock
    capacity.release(capacity.acquire("password"))


def test_too_many_sign_ins_from_one_address_get_429_before_the_form_is_read(
    app: Flask, browser: Browser
) -> None:
    _configure(app, login_rate_limit="2/minute")
    browser.client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    user = make_user(Role.DEBTOR)
    assert browser.login(user.email, "wrong password").status_code == 200
    assert browser.login(user.email, "wrong password").status_code == 200
    # No CSRF token, no form: refused all the same, before anything reads the body.
    third = browser.client.post("/login")
    assert third.status_code == 429
    # The wait is what is left of the rate limit's one-minute window (`limits` counts on
    # the host's clock), so only its bounds are known; the page must say the same number.
    wait = int(third.headers["Retry-After"])
    assert 1 <= wait <= 60
    page = third.get_data(as_text=True)
    assert "您所在地址的尝试次数过多" in page
    assert f"{wait} 秒" in page
    browser.client.environ_base["REMOTE_ADDR"] = "203.0.113.8"
    assert browser.login(user.email, PASSWORD).status_code == 302


def test_verify_has_its_own_rate_per_address(app: Flask, browser: Browser) -> None:
    _configure(app, verify_rate_limit="1/minute")
    browser.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    first = browser.upload("/verify", {"file": (b"%PDF-1.7\n", "a.pdf")}, page="/verify")
    assert first.status_code == 200
    second = browser.client.post("/verify", headers={"Accept": "application/json"})
    assert second.status_code == 429
    assert second.get_json()["retry_after"] >= 1
    assert browser.get("/verify").status_code == 200  # reading the page is not limited


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one CPU: nothing to pin to")
def test_a_slot_holder_runs_on_one_cpu_and_gets_its_cpus_back(app: Flask, one_slot: None) -> None:
    before = os.sched_getaffinity(0)
    with capacity.slot("password"):
        assert os.sched_getaffinity(0) == {max(before)}
    assert os.sched_getaffinity(0) == before
