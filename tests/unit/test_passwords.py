"""A new password is long enough and not on the shipped list of common passwords."""

from __future__ import annotations

import pytest

from app.demo.seed import DEMO_PASSWORD
from app.rules.passwords import common_passwords, password_problem
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    "password", ["password123", "1234567890", "Password123", " qwertyuiop ", "1q2w3e4r5t"]
)
def test_a_common_password_is_refused(password: str) -> None:
    assert password_problem(password) == "password_common"


@pytest.mark.parametrize("password", ["short", "123456789"])
def test_a_short_password_is_refused_first(password: str) -> None:
    assert password_problem(password) == "password_too_short"


@pytest.mark.parametrize(
    "password", [DEMO_PASSWORD, PASSWORD, "a good long password", "晴天 bicycle 2026 灯笼"]
)
def test_an_uncommon_long_password_is_accepted(password: str) -> None:
    assert password_problem(password) is None


def test_the_shipped_list_is_the_whole_list() -> None:
    listed = common_passwords()
    assert len(listed) > 19_000
    assert {"123456", "password", "qwerty"} <= listed
