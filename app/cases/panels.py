"""Sections of the case page contributed by later features.

Each feature offers a function that, for a case and a viewer, returns the template of its
section and that template's context (or ``None`` when the viewer has nothing to see
there). :mod:`app.features` registers them in the order a reader needs; templates receive
the context as ``p``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from app.models.cases import Case
from app.models.users import User

Panel = Callable[[Case, User], tuple[str, dict[str, Any]] | None]
_PANELS: list[Panel] = []


def register_panels(panels: Iterable[Panel]) -> None:
    """Set the case page's sections, in display order (called once by the app factory)."""
    _PANELS[:] = list(panels)


def render_panels(case: Case, viewer: User) -> list[tuple[str, dict[str, Any]]]:
    return [shown for panel in _PANELS if (shown := panel(case, viewer)) is not None]
