"""The legal calendar page: administrators enter the State Council's holiday notice for
years the holiday package does not know yet (CPL Art. 85). The calendar is platform-wide,
so any administrator may keep it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.access import Permission, requires
from app.calendar import overrides as service
from app.calendar.overrides import CalendarError
from app.core import clock, prg
from app.core.errors import DomainError

bp = Blueprint("admin_calendar", __name__, url_prefix="/admin/calendar")


def _parsed_with(parse: Callable[[str], object]) -> Callable[[FlaskForm, Field], None]:
    """A form validator that reads the field with ``parse`` (a service parser) and keeps
    the value on the field as ``parsed``; its refusal is shown at the field."""

    def validate(form: FlaskForm, field: Field) -> None:
        try:
            field.parsed = parse(field.data or "")  # type: ignore[attr-defined]
        except DomainError as err:
            raise ValidationError(err.message) from None

    return validate


class OverrideForm(FlaskForm):
    day = StringField(_l("Day (YYYY-MM-DD)"), validators=[_parsed_with(service.parse_day)])
    is_working = SelectField(
        _l("The day is"),
        choices=[
            SelectChoice("holiday", _l("a public holiday (rest day)")),
            SelectChoice("working", _l("an adjusted working day")),
        ],
    )
    note = StringField(
        _l("Source"),
        validators=[
            DataRequired(message=CalendarError.messages["note_required"]),
            Length(max=service.MAX_NOTE, message=CalendarError.messages["note_too_long"]),
        ],
    )


class YearForm(FlaskForm):
    year = StringField(_l("Year"), validators=[_parsed_with(service.parse_year)])


@bp.before_request
def _back_to_index() -> None:
    """A refused action goes back to the calendar page (:mod:`app.core.prg`)."""
    g.prg_back = url_for("admin_calendar.index")


def _page(status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    stash = prg.take()  # a refused form: what was typed and the refusals, once
    if stash:
        status = stash.status
        forms = {
            "override_form": prg.refill(OverrideForm, stash, "override_form", prefix="day"),
            "year_form": prg.refill(YearForm, stash, "year_form", prefix="year"),
        }
    calendar = service.legal_calendar()
    this_year = clock.today().year
    known = service.package_years()
    warnings = [
        warning
        for year in (this_year, this_year + 1)
        if (warning := service.calendar_warning(year, calendar)) is not None
    ]
    return render_template(
        "admin/calendar.html",
        override_form=forms.get("override_form") or OverrideForm(prefix="day"),
        year_form=forms.get("year_form") or YearForm(prefix="year"),
        overrides=service.overrides_by_year(),
        complete_years=service.complete_years(),
        package_first=known[0] if known else None,
        package_last=known[-1] if known else None,
        warnings=warnings,
    ), status


def _again(form: FlaskForm, key: str, err: DomainError | None = None) -> Response:
    """Post/redirect/get (:mod:`app.core.prg`): the page again, the typed values kept, the
    refusal at the input at fault (or above the page when no input is)."""
    return prg.redirect_with_form(url_for("admin_calendar.index"), form, err, key=key)


@bp.route("/")
@requires(Permission.CALENDAR_MANAGE)
def index() -> tuple[str, int]:
    return _page()


@bp.route("/overrides", methods=["POST"])
@requires(Permission.CALENDAR_MANAGE)
def add_override() -> Response | tuple[str, int]:
    form = OverrideForm(prefix="day")
    if not form.validate_on_submit():
        return _again(form, "override_form")
    day: date = form.day.parsed  # type: ignore[attr-defined]
    try:
        service.set_override(
            current_user._get_current_object(),
            day,
            form.is_working.data == "working",
            form.note.data or "",
        )
    except DomainError as err:
        return _again(form, "override_form", err)
    flash(_("The entry for %(day)s was saved.", day=day.isoformat()), "success")
    return redirect(url_for("admin_calendar.index"))


@bp.route("/overrides/<day>/remove", methods=["POST"])
@requires(Permission.CALENDAR_MANAGE)
def remove_override(day: str) -> Response:
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)  # not a day: no such entry
    service.remove_override(current_user._get_current_object(), when)  # refusal: 404 page
    flash(_("The entry for %(day)s was removed.", day=when.isoformat()), "success")
    return redirect(url_for("admin_calendar.index"))


@bp.route("/years", methods=["POST"])
@requires(Permission.CALENDAR_MANAGE)
def mark_year() -> Response | tuple[str, int]:
    form = YearForm(prefix="year")
    if not form.validate_on_submit():
        return _again(form, "year_form")
    year: int = form.year.parsed  # type: ignore[attr-defined]
    try:
        service.mark_year_complete(current_user._get_current_object(), year)
    except DomainError as err:
        return _again(form, "year_form", err)
    flash(_("%(year)s is marked as complete.", year=str(year)), "success")
    return redirect(url_for("admin_calendar.index"))
