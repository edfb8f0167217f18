"""What a new password must be: long enough, and not one of the common or breached
passwords that guessing tries first (the shipped list, app/data/common-passwords.md).
Checked wherever a password is set; no network at run time."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case (read once per process)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be set (``password_too_short``, ``password_common``), or
    ``None``. The list is compared without regard to case or surrounding spaces."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password_too_short"
    if password.strip().lower() in common_passwords():
        return "password_common"
    return None
