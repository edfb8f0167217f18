"""Sections of the case page contributed by the negotiation features.

Each feature registers a function that, for a case and a viewer, returns the template of
its section and that template's context (or ``None`` when the viewer has nothing to see
there). The case page shows them in registration order; templates receive the context as
``p``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.models.cases import Case
from app.models.users import User

Panel = Callable[[Case, User], tuple[str, dict[str, Any]] | None]
PANELS: list[Panel] = []


def case_panel(panel: Panel) -> Panel:
    PANELS.append(panel)
    return panel


# The order a reader needs: the court's confirmation and the agreement once there are,
# what is disputed, what the debtor can afford, the offers, talk.
ORDER = ("confirmation", "agreements", "objections", "statements", "proposals", "threads")


def _rank(panel: Panel) -> int:
    feature = panel.__module__.rsplit(".", 1)[-1]
    return ORDER.index(feature) if feature in ORDER else len(ORDER)


def render_panels(case: Case, viewer: User) -> list[tuple[str, dict[str, Any]]]:
    ordered = sorted(PANELS, key=_rank)
    return [shown for panel in ordered if (shown := panel(case, viewer)) is not None]
