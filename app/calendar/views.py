"""The legal calendar page: administrators enter the State Council's holiday notice for
years the holiday package does not know yet (CPL Art. 85; BRIEF §7). The calendar is
platform-wide, so any administrator may keep it."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.access import Permission, requires
from app.calendar import overrides as service
from app.cases.lifecycle import today
from app.extensions import db

bp = Blueprint("admin_calendar", __name__, url_prefix="/admin/calendar")

ERRORS = {
    "duplicate": _l("This day already has an entry. Remove it first to change it."),
    "note_required": _l("Say where the entry comes from, e.g. the notice's number."),
    "note_too_long": _l("Use at most %(n)s characters.", n=service.MAX_NOTE),
    "bad_date": _l("Enter a date as YYYY-MM-DD, e.g. 2027-02-10."),
    "out_of_range": _l(
        "Enter a date between %(first)s and %(last)s.",
        first=service.FIRST_YEAR,
        last=service.LAST_YEAR,
    ),
    "bad_year": _l(
        "Enter a year between %(first)s and %(last)s.",
        first=service.FIRST_YEAR,
        last=service.LAST_YEAR,
    ),
    "year_known": _l("The holiday package already covers this year."),
    "already_complete": _l("This year is already marked as complete."),
}


def _iso_date(form: FlaskForm, field: StringField) -> None:
    try:
        field.parsed = date.fromisoformat((field.data or "").strip())
    except ValueError:
        raise ValidationError(str(ERRORS["bad_date"])) from None


class OverrideForm(FlaskForm):
    day = StringField(_l("Day (YYYY-MM-DD)"), validators=[_iso_date])
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
            DataRequired(message=ERRORS["note_required"]),
            Length(max=service.MAX_NOTE, message=ERRORS["note_too_long"]),
        ],
    )


def _year(form: FlaskForm, field: StringField) -> None:
    text = (field.data or "").strip()
    if not (text.isdecimal() and service.FIRST_YEAR <= int(text) <= service.LAST_YEAR):
        raise ValidationError(str(ERRORS["bad_year"]))
    field.parsed = int(text)


class YearForm(FlaskForm):
    year = StringField(_l("Year"), validators=[_year])


def _page(status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    calendar = service.legal_calendar()
    this_year = today().year
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


@bp.route("/")
@requires(Permission.CALENDAR_MANAGE)
def index() -> tuple[str, int]:
    return _page()


@bp.route("/overrides", methods=["POST"])
@requires(Permission.CALENDAR_MANAGE)
def add_override() -> Response | tuple[str, int]:
    form = OverrideForm(prefix="day")
    if not form.validate_on_submit():
        return _page(400, override_form=form)
    day: date = form.day.parsed  # type: ignore[attr-defined]
    try:
        service.set_override(
            current_user._get_current_object(),
            day,
            form.is_working.data == "working",
            form.note.data or "",
        )
    except service.CalendarError as err:
        db.session.rollback()
        field = form.note if err.code.startswith("note") else form.day
        field.errors = [str(ERRORS.get(err.code, err.code))]
        return _page(400, override_form=form)
    flash(_("The entry for %(day)s was saved.", day=day.isoformat()), "success")
    return redirect(url_for("admin_calendar.index"))


@bp.route("/overrides/<day>/remove", methods=["POST"])
@requires(Permission.CALENDAR_MANAGE)
def remove_override(day: str) -> Response:
    try:
        when = date.fromisoformat(day)
        service.remove_override(current_user._get_current_object(), when)
    except (ValueError, service.CalendarError):
        db.session.rollback()
        abort(404)
    flash(_("The entry for %(day)s was removed.", day=when.isoformat()), "success")
    return redirect(url_for("admin_calendar.index"))


@bp.route("/years", methods=["POST"])
@requires(Permission.CALENDAR_MANAGE)
def mark_year() -> Response | tuple[str, int]:
    form = YearForm(prefix="year")
    if not form.validate_on_submit():
        return _page(400, year_form=form)
    year: int = form.year.parsed  # type: ignore[attr-defined]
    try:
        service.mark_year_complete(current_user._get_current_object(), year)
    except service.CalendarError as err:
        db.session.rollback()
        form.year.errors = [str(ERRORS.get(err.code, err.code))]
        return _page(400, year_form=form)
    flash(_("%(year)s is marked as complete.", year=str(year)), "success")
    return redirect(url_for("admin_calendar.index"))
