"""The notification centre of one's own account: the list (newest first, paged), opening
one (marks it read and goes to the place to act), marking all read. A notification is
only ever its owner's: another user's id answers 404, so ids do not leak."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, requires
from app.core.format import local_datetime
from app.models.inbox import Notification
from app.notifications import centre

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


def _row(notification: Notification) -> dict[str, Any]:
    title = centre.TITLES.get(notification.template)
    return {
        "id": notification.id,
        "title": str(title) if title is not None else notification.title,
        "body": notification.body,
        "when": local_datetime(notification.created_at),
        "when_iso": notification.created_at.isoformat(),
        "unread": notification.read_at is None,
    }


@bp.route("")
@requires(Permission.NOTIFICATION_READ)
def index() -> str:
    page = centre.page_of(current_user.id, _page_number())
    return render_template(
        "account/notifications.html",
        rows=[_row(n) for n in page.items],
        page=page.number,
        pages=page.pages,
        prev_url=url_for(".index", page=page.number - 1) if page.number > 1 else None,
        next_url=url_for(".index", page=page.number + 1) if page.number < page.pages else None,
        unread=centre.unread_count(current_user.id),
    )


@bp.route("/<int:notification_id>/open", methods=["POST"])
@requires(Permission.NOTIFICATION_READ)
def open_one(notification_id: int) -> Response:
    notification = centre.own_notification(current_user.id, notification_id)
    if notification is None:
        abort(404)
    link = centre.mark_read(notification)
    return redirect(link if link.startswith("/") and not link.startswith("//") else "/")


@bp.route("/read-all", methods=["POST"])
@requires(Permission.NOTIFICATION_READ)
def read_all() -> Response:
    centre.mark_all_read(current_user.id)
    return redirect(url_for(".index"))
