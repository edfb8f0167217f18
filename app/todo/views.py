"""The to-do list as a section of each role's home page (registered in app.features)."""

from __future__ import annotations

from typing import Any

from app.core import clock
from app.models.users import User
from app.todo.admin import admin_todo, mediator_workload
from app.todo.creditor import creditor_todo
from app.todo.debtor import debtor_todo
from app.todo.mediator import mediator_todo

TEMPLATE = "home/_todo.html"


def debtor_section(user: User) -> tuple[str, dict[str, Any]]:
    return TEMPLATE, {"todo": debtor_todo(user, clock.today())}


def creditor_section(user: User) -> tuple[str, dict[str, Any]]:
    return TEMPLATE, {"todo": creditor_todo(user)}


def mediator_section(user: User) -> tuple[str, dict[str, Any]]:
    return TEMPLATE, {"todo": mediator_todo(user, clock.today())}


def admin_section(user: User) -> tuple[str, dict[str, Any]]:
    return TEMPLATE, {"todo": admin_todo(user, clock.today()), "workload": mediator_workload(user)}
