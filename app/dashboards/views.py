"""``/dashboard``: the viewer's own dashboard (by role), and each chart's numbers as CSV
or XLSX. Nothing in the URL names an organisation or a person: the scope is the viewer's
(:func:`app.dashboards.figures.scope_of`), and a chart outside the viewer's set is 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.access import Permission, requires
from app.core import clock
from app.dashboards import exports
from app.dashboards.charts import DEADLINE_KINDS
from app.dashboards.figures import next_deadlines
from app.dashboards.registry import CHARTS, headline
from app.dashboards.scope import Scope, scope_of
from app.models.users import Role, User
from app.rules import charts as drawing
from app.rules.dashboards import DEADLINE_OF, DeadlineKind

bp = Blueprint("dashboard", __name__)


def _viewer() -> User:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


@bp.route("/dashboard")
@requires(Permission.DASHBOARD_VIEW)
def index() -> str:
    viewer = _viewer()
    scope = scope_of(viewer)
    # the mediator's own nearest deadlines are listed under the deadlines chart
    listed = _deadline_rows(scope) if viewer.role == Role.MEDIATOR else []
    charts = []
    for key, build in CHARTS[viewer.role].items():
        chart = build(scope)
        header, rows = chart.table()
        charts.append(
            {
                "key": key,
                "chart": chart,
                # every string in the SVG is escaped by app.rules.charts
                "svg": Markup(drawing.render(chart)),  # noqa: S704
                "header": header,
                "rows": [(row[0], [chart.fmt(v) for v in row[1:]]) for row in rows],
                # more than two columns of numbers: the table goes under the chart
                "wide": len(header) > 3,
                "cases": listed if key == "deadlines" else [],
            }
        )
    return render_template(
        "dashboard/index.html",
        title=_page_title(viewer.role),
        charts=charts,
        figures=headline(scope) if viewer.role == Role.ADMIN else [],
        today=clock.today(),
    )


def _page_title(role: Role) -> str:
    return {
        Role.ADMIN: _("Organisation dashboard"),
        Role.MEDIATOR: _("My dashboard"),
        Role.CREDITOR: _("Portfolio dashboard"),
    }[role]


def _deadline_rows(scope: Scope) -> list[dict[str, Any]]:
    today = clock.today()
    return [
        {
            "case": case,
            "kind": str(DEADLINE_KINDS[DEADLINE_OF.get(case.state, DeadlineKind.OTHER)]),
            "passed": case.next_deadline is not None and case.next_deadline < today,
        }
        for case in next_deadlines(scope)
    ]


def _chart(key: str) -> drawing.Chart:
    viewer = _viewer()
    build = CHARTS[viewer.role].get(key)
    if build is None:
        abort(404)
    return build(scope_of(viewer))


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/dashboard/<chart>.csv")
@requires(Permission.DASHBOARD_VIEW)
def csv(chart: str) -> Response:
    found = _chart(chart)
    return _download(exports.to_csv(found), exports.CSV_TYPE, f"{found.key}-{clock.today()}.csv")


@bp.route("/dashboard/<chart>.xlsx")
@requires(Permission.DASHBOARD_VIEW)
def xlsx(chart: str) -> Response:
    found = _chart(chart)
    return _download(exports.to_xlsx(found), exports.XLSX_TYPE, f"{found.key}-{clock.today()}.xlsx")
