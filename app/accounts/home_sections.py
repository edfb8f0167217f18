"""Sections a later feature adds to a role's home page (the to-do list, :mod:`app.todo`).

The home pages belong to features low in the layers (the admin's page to accounts, the
mediator's docket to cases) and cannot import the features above them; those register a
section here instead, once, from :mod:`app.features`. A section is a function of the
viewer returning a template and its context (given to it as ``s``), or None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.models.users import Role, User

HomeSection = Callable[[User], tuple[str, dict[str, Any]] | None]
_SECTIONS: dict[Role, list[HomeSection]] = {}


def on_home(role: Role, section: HomeSection) -> HomeSection:
    """Add ``section`` to the home page of ``role`` (idempotent)."""
    sections = _SECTIONS.setdefault(role, [])
    if section not in sections:
        sections.append(section)
    return section


def home_sections(user: User) -> list[tuple[str, dict[str, Any]]]:
    """The sections of ``user``'s home page, in the order they were registered."""
    return [shown for section in _SECTIONS.get(user.role, []) if (shown := section(user))]
