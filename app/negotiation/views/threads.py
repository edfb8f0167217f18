"""Messages: the case page's threads panel and posting to a thread.

What a viewer may read and post is the service's decision
(:func:`app.negotiation.threads.thread_access`); this module only presents it. Posting to a
thread the viewer cannot see answers 404 (as for a case that is not theirs), to one they
can see but not post in 403 (the admin, who reads all threads, is refused by the role
check; a party once the case is closed).

Joint and private threads must be told apart at a glance and without colour: each tab and
heading names its kind in words, with its own colour on top, and every private thread
opens with a banner saying who sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, requires
from app.cases.views.cases import load_case
from app.core import prg
from app.core.db import parse_id
from app.core.errors import DomainError
from app.core.parties import role_label
from app.models.cases import Case
from app.models.negotiation import Thread
from app.models.users import Role, User
from app.negotiation import threads as thread_service
from app.notifications.content import findings_state, marked_runs
from app.notifications.told import with_truth

bp = Blueprint("threads", __name__)


@dataclass(frozen=True)
class Draft:
    """What the viewer typed into a thread's form when it was refused: shown again."""

    thread: Thread
    body: str
    error: str
    findings: tuple[dict[str, Any], ...] = ()


def _user() -> User:
    return current_user._get_current_object()


@bp.route("/cases/<int:case_id>/threads/<thread>", methods=["POST"])
@requires(Permission.MESSAGE_POST)
def post(case_id: int, thread: str) -> Response | tuple[str, int]:
    """Post to a thread. The role check is MESSAGE_POST (debtor, creditor, mediator); the
    thread's own permission (NOTE_POST for the notes) is part of the service's rule."""
    case = load_case(case_id, Permission.CASE_VIEW)
    chosen = _thread(thread)
    access = thread_service.thread_access(case, _user())
    if chosen not in access:
        abort(404)
    if not access[chosen]:
        abort(403)
    body = request.form.get("body", "")
    asserted = request.form.getlist("asserted")
    try:
        thread_service.post_message(_user(), case, chosen, body, asserted)
    except DomainError as err:  # back to the case page, with the text kept and the refusal
        target = url_for("cases.show", case_id=case.id) + f"#thread-{chosen.value}"
        draft = {
            "thread": chosen.value,
            "body": body,
            "error": err.message,
            "findings": findings_state(err.findings, str(get_locale())),
        }
        return prg.redirect_with_page_state(target, err.status, thread_draft=draft)
    flash(
        _("Your note was saved.") if chosen == Thread.NOTES else with_truth(_("Message sent.")),
        "success",
    )
    return redirect(url_for("cases.show", case_id=case.id) + f"#thread-{chosen.value}")


def _thread(value: str) -> Thread:
    try:
        return Thread(value)
    except ValueError:
        abort(404)


def _cursors() -> dict[Thread, int]:
    """``?before_<thread>=<message id>``: that thread shows the page before the message."""
    cursors = {}
    for thread in Thread:
        # A cursor that names no possible message is ignored, not an error.
        if (value := parse_id(request.args.get(f"before_{thread.value}"))) is not None:
            cursors[thread] = value
    return cursors


def threads_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The threads the viewer may read, newest messages at the bottom, with a form under
    each thread they may post to. Nothing at all while there is nothing to read or post."""
    pages = thread_service.read_threads(case, viewer, _cursors())
    if not any(page.messages or page.may_post or page.before for page in pages):
        return None
    kept = g.get("thread_draft")  # a refused post's text (app.core.prg)
    draft = None
    if kept:
        findings = tuple(kept.get("findings") or ())
        draft = Draft(Thread(kept["thread"]), kept["body"], kept["error"], findings)
    return "cases/_threads.html", {
        "threads": [_thread_view(case, viewer, page, draft) for page in pages],
        "max_length": thread_service.MAX_LENGTH,
    }


def _thread_view(
    case: Case, viewer: User, page: thread_service.ThreadPage, draft: Draft | None
) -> dict[str, Any]:
    key = page.thread.value
    title, audience = _titles(page.thread, viewer)
    typed = draft if draft is not None and draft.thread == page.thread else None
    return {
        "key": key,
        "title": title,
        "kind": _KIND[page.thread],
        "banner": _banner(page.thread, viewer),
        "audience": audience,
        "messages": [_message_view(m, viewer) for m in page.messages],
        "earlier_url": _page_url(case, key, page.earlier_before) if page.earlier_before else None,
        "latest_url": _page_url(case, key, None) if page.before else None,
        "post_url": url_for("threads.post", case_id=case.id, thread=key) if page.may_post else None,
        "read_only_note": None if page.may_post else _read_only_note(viewer),
        "field_label": _field_label(page.thread),
        "button": _("Save the note") if page.thread == Thread.NOTES else _("Send"),
        "body": typed.body if typed else "",
        "error": typed.error if typed else None,
        "findings": list(typed.findings) if typed else [],
        "marked": marked_runs(typed.body, typed.findings) if typed and typed.findings else [],
    }


def _page_url(case: Case, key: str, before: int | None) -> str:
    args = {f"before_{key}": before} if before else {}
    return url_for("cases.show", case_id=case.id, **args) + f"#thread-{key}"


def _message_view(message: thread_service.ShownMessage, viewer: User) -> dict[str, Any]:
    mine = message.author_id == viewer.id
    return {
        "id": message.id,
        "author": _("You")
        if mine
        else f"{message.author_name} ({role_label(message.author_role)})",
        "mine": mine,
        "at": message.created_at,
        "body": message.body,
    }


def _titles(thread: Thread, viewer: User) -> tuple[str, str]:
    """The thread's name and who reads it, as this viewer should understand them."""
    if thread == Thread.JOINT:
        return _("Joint"), _("Both parties and the mediator read this thread.")
    if thread == Thread.NOTES:
        return _("Mediator's notes"), _(
            "Only the mediator, and the organisation's administrator, can read these notes. "
            "Neither party can."
        )
    if viewer.role == Role.DEBTOR:
        return _("Private with the mediator"), _(
            "Only you and the mediator can read this thread. The creditor cannot."
        )
    if viewer.role == Role.CREDITOR:
        return _("Private with the mediator"), _(
            "Only your organisation and the mediator can read this thread. The debtor cannot."
        )
    if thread == Thread.CAUCUS_DEBTOR:
        return _("Private with the debtor"), _(
            "Only the debtor and the mediator can read this thread. The creditor cannot."
        )
    return _("Private with the creditor"), _(
        "Only the creditor and the mediator can read this thread. The debtor cannot."
    )


_KIND = {
    Thread.JOINT: "joint",
    Thread.CAUCUS_DEBTOR: "private",
    Thread.CAUCUS_CREDITOR: "private",
    Thread.NOTES: "notes",
}


def _banner(thread: Thread, viewer: User) -> str | None:
    """The banner over a private thread: a party reads that only the mediator sees it."""
    if thread == Thread.JOINT:
        return None
    if thread == Thread.NOTES:
        return _("Private notes: neither party sees them.")
    if viewer.role in (Role.DEBTOR, Role.CREDITOR):
        return _("Only the mediator sees this conversation")
    return _("Private conversation: the other party does not see it.")


def _field_label(thread: Thread) -> str:
    if thread == Thread.NOTES:
        return _("New note")
    if thread == Thread.JOINT:
        return _("Your message to both parties and the mediator")
    return _("Your private message")


def _read_only_note(viewer: User) -> str:
    if viewer.role == Role.ADMIN:
        return _("You can read this thread; only the mediator and the parties write in it.")
    return _("Messages can be sent from the start of the negotiation until the case is closed.")
