"""The to-do list as a section of each role's home page (registered in app.features)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from app.core import clock
from app.models.users import User
from app.todo.admin import admin_todo, mediator_workload
from app.todo.common import MAX_CASES
from app.todo.creditor import creditor_todo
from app.todo.debtor import debtor_todo
from app.todo.mediator import mediator_todo

TEMPLATE = "home/_todo.html"


def debtor_section(user: User) -> tuple[str, dict[str, Any]]:
    return TEMPLATE, {"todo": debtor_todo(user, clock.today())}


def creditor_section(user: User) -> tuple[str, dict[str, Any]]:
    return TEMPLATE, {"todo": creditor_todo(user), **_all_cases("cases.index")}


def mediator_section(user: User) -> tuple[str, dict[str, Any]]:
    return TEMPLATE, {"todo": mediator_todo(user, clock.today()), **_all_cases("docket.index")}


def admin_section(user: User) -> tuple[str, dict[str, Any]]:
    return TEMPLATE, {
        "todo": admin_todo(user, clock.today()),
        "workload": mediator_workload(user),
        **_all_cases("docket.index"),
    }


def _all_cases(endpoint: str) -> dict[str, Any]:
    """Where every case is listed, for a list cut to the most pressing cases."""
    return {"all_cases_url": url_for(endpoint), "max_cases": MAX_CASES}
