"""Sessions on the case page, and their routes: the mediator schedules, moves, cancels
and records a session (each on a page of its own, refused forms shown again with the
message at the field: post/redirect/get, app.core.prg); the invited parties answer; each
who may see a session downloads its calendar file."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Permission, requires, requires_object
from app.core import clock, prg
from app.core.errors import DomainError, InvalidInput
from app.extensions import db
from app.models.cases import Case
from app.models.sessions import MediationSession
from app.models.users import User
from app.rules.sessions import (
    MAX_MINUTES,
    MIN_MINUTES,
    Answer,
    SessionKind,
    SessionMeans,
    SessionRefused,
    invited_sides,
)
from app.sessions import held, responses, scheduling
from app.sessions.calendar_file import FILENAME, session_calendar
from app.sessions.common import (
    CONSENT_LABELS,
    CONSENT_VALUES,
    KIND_LABELS,
    MEANS_LABELS,
    SIDE_LABELS,
    may_see,
    session_of,
    side_of,
)
from app.sessions.notices import sessions_link

bp = Blueprint("sessions", __name__)


def _user() -> User:
    return current_user._get_current_object()


def _case(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def _session(case: Case, session_id: int) -> MediationSession:
    session = session_of(case, session_id)
    if session is None or not may_see(_user(), case, session):
        abort(404)
    return session


def _back(case: Case) -> Response:
    return redirect(url_for("cases.show", case_id=case.id) + "#sessions")


# --- parsing -------------------------------------------------------------------------


def _moment(day_field: str, time_field: str) -> datetime:
    """A day and a time typed on the legal clock, as an aware instant."""
    form = request.form
    try:
        day = datetime.strptime(form.get(day_field, "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput("date_format", day_field) from None
    try:
        at = time.fromisoformat(form.get(time_field, "").strip())
    except ValueError:
        raise SessionRefused("time_format", time_field) from None
    return datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=clock.legal_tz())


def _choice(enum: Any, name: str) -> Any:
    try:
        return enum(request.form.get(name, ""))
    except ValueError:
        raise InvalidInput("choice", name) from None


def _draft(kind: SessionKind | None = None) -> scheduling.SessionDraft:
    kind = kind or _choice(SessionKind, "kind")
    means = _choice(SessionMeans, "means")
    starts_at = _moment("day", "time")
    raw = request.form.get("minutes", "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        raise SessionRefused("minutes_format", "minutes")
    return scheduling.SessionDraft(
        kind=kind,
        means=means,
        starts_at=starts_at,
        minutes=int(raw),
        place=request.form.get("place", "")[:1000],
    )


def _refused(err: DomainError) -> Response:
    return prg.redirect_with(request.path, {(err.field or ""): err.message}, status=err.status)


def _form_page(template: str, case: Case, **context: Any) -> tuple[str, int]:
    stash = prg.take()
    return render_template(
        template,
        case=case,
        values=stash.values,
        errors=stash.errors,
        kinds=[(k.value, str(KIND_LABELS[k])) for k in SessionKind],
        means=[(m.value, str(MEANS_LABELS[m])) for m in SessionMeans],
        min_minutes=MIN_MINUTES,
        max_minutes=MAX_MINUTES,
        **context,
    ), stash.status


# --- the mediator's routes -------------------------------------------------------------


@bp.route("/cases/<int:case_id>/sessions/new", methods=["GET", "POST"])
@requires(Permission.SESSION_SCHEDULE)
def new(case_id: int) -> Response | tuple[str, int]:
    """Schedule a session: joint or a caucus, by phone, video or in person."""
    case = _case(case_id, Permission.SESSION_SCHEDULE)
    if request.method == "GET":
        return _form_page("sessions/form.html", case, session=None)
    try:
        scheduling.schedule_session(_user(), case, _draft())
    except DomainError as err:
        return _refused(err)
    flash(_("The session is scheduled and the invited parties are told."), "success")
    return _back(case)


@bp.route("/cases/<int:case_id>/sessions/<int:session_id>/reschedule", methods=["GET", "POST"])
@requires(Permission.SESSION_SCHEDULE)
def reschedule(case_id: int, session_id: int) -> Response | tuple[str, int]:
    """Move a scheduled session to another time (or change its means or place)."""
    case = _case(case_id, Permission.SESSION_SCHEDULE)
    session = _session(case, session_id)
    if request.method == "GET":
        return _form_page("sessions/form.html", case, session=_current(session))
    try:
        scheduling.reschedule_session(_user(), session, _draft(session.kind))
    except DomainError as err:
        return _refused(err)
    flash(_("The session is moved and the invited parties are told."), "success")
    return _back(case)


def _current(session: MediationSession) -> dict[str, Any]:
    local = clock.local(session.starts_at)
    return {
        "kind": str(KIND_LABELS[session.kind]),
        "means": session.means.value,
        "day": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "minutes": str(session.minutes),
        "place": session.place or "",
        "starts_at": session.starts_at,
    }


@bp.route("/cases/<int:case_id>/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@requires(Permission.SESSION_SCHEDULE)
def cancel(case_id: int, session_id: int) -> Response | tuple[str, int]:
    """Cancel a scheduled session, with the reason the parties are told."""
    case = _case(case_id, Permission.SESSION_SCHEDULE)
    session = _session(case, session_id)
    if request.method == "GET":
        return _form_page("sessions/cancel.html", case, session=_current(session))
    try:
        scheduling.cancel_session(_user(), session, request.form.get("reason", "")[:2000])
    except DomainError as err:
        return _refused(err)
    flash(_("The session is cancelled and the invited parties are told."), "success")
    return _back(case)


@bp.route(
    "/cases/<int:case_id>/sessions/<int:session_id>/held", methods=["GET", "POST"], endpoint="held"
)
@requires(Permission.SESSION_RECORD)
def held_page(case_id: int, session_id: int) -> Response | tuple[str, int]:
    """Record that the session took place: who attended, when it started and ended."""
    case = _case(case_id, Permission.SESSION_RECORD)
    session = _session(case, session_id)
    if request.method == "GET":
        sides = [(s, str(SIDE_LABELS[s])) for s in invited_sides(session.kind)]
        consents = [(k, str(v)) for k, v in CONSENT_LABELS.items()]
        return _form_page(
            "sessions/held.html", case, session=_current(session), sides=sides, consents=consents
        )
    try:
        start = _moment("start_day", "start_time")
        end = _moment("start_day", "end_time")
        consent = _consent()
        held.mark_held(_user(), session, request.form.getlist("attended"), start, end, consent)
    except DomainError as err:
        return _refused(err)
    flash(_("The session is recorded as held and logged as a contact."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + f"#session-{session.id}")


def _consent() -> bool | None:
    """The answer to "may the session be recorded?", asked at its start."""
    raw = request.form.get("consent", "")
    if raw not in CONSENT_VALUES:
        raise InvalidInput("choice", "consent")
    return CONSENT_VALUES[raw]


# --- the parties' routes ----------------------------------------------------------------


@bp.route("/cases/<int:case_id>/sessions/<int:session_id>/respond", methods=["GET", "POST"])
@requires(Permission.SESSION_RESPOND)
def respond(case_id: int, session_id: int) -> Response | tuple[str, int]:
    """An invited party accepts, declines or asks for another time."""
    case = _case(case_id, Permission.SESSION_RESPOND)
    session = _session(case, session_id)
    side = side_of(_user(), case)
    if side is None or side not in invited_sides(session.kind):
        abort(404)
    if request.method == "GET":
        return _form_page(
            "sessions/respond.html",
            case,
            session=_current(session),
            meeting_url=session.meeting_url,
            means_label=str(MEANS_LABELS[session.means]),
            current_answer=_current_answer(session, side),
        )
    try:
        answer = _choice(Answer, "answer")
        suggested = None
        if answer is Answer.OTHER_TIME and request.form.get("suggested_day", "").strip():
            suggested = _moment("suggested_day", "suggested_time")
        reply = responses.Reply(answer, suggested, request.form.get("note", "")[:2000])
        responses.answer_session(_user(), session, side, reply)
    except DomainError as err:
        return _refused(err)
    flash(_("Your answer is sent to the mediator."), "success")
    return _back(case)


def _current_answer(session: MediationSession, side: str) -> str | None:
    """The side's answer so far (the form starts from it), None before any."""
    response = session.response_of(side)
    if response is None or response.answer is Answer.PENDING:
        return None
    return response.answer.value


@bp.route("/cases/<int:case_id>/sessions/<int:session_id>/calendar.ics")
@requires(Permission.CASE_VIEW)
def calendar(case_id: int, session_id: int) -> Response:
    """The session as an iCalendar file, to add to one's calendar."""
    case = _case(case_id, Permission.CASE_VIEW)
    session = _session(case, session_id)
    text = session_calendar(session, sessions_link(case))
    response = Response(text, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
    response.headers["Cache-Control"] = "no-store"
    return response
