"""The legal calendar: administrators enter the holiday notice for a year the package does
not know; deadlines move with it; the page refuses bad input and everyone but admins."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from app.calendar import overrides as service
from app.calendar import views as admin_calendar
from app.calendar.overrides import CalendarError
from app.confirmation.deadline import refresh_confirmation_deadlines
from app.confirmation.release import confirmation_deadline_for
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.confirmation import HolidayOverride, HolidayYear
from app.models.users import Role, User
from app.rules.deadlines import LegalCalendar
from tests.confirmation_support import in_force_case
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser

PAGE = "/admin/calendar/"
UNKNOWN_YEAR = 2027  # chinesecalendar 1.11.0 knows 2004-2026


@pytest.fixture(autouse=True)
def calendar_pages(app: Flask) -> None:
    """Until the lead registers the blueprint in app/web/__init__.py."""
    if "admin_calendar" not in app.blueprints:
        app.register_blueprint(admin_calendar.bp)


@pytest.fixture
def admin(app: Flask) -> User:
    return make_user(Role.ADMIN, locale="en")


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- the service ------------------------------------------------------------------------


def test_a_year_the_package_does_not_know_is_flagged_until_marked_complete(
    app: Flask, admin: User
) -> None:
    assert service.calendar_warning(2026) is None
    assert UNKNOWN_YEAR not in service.package_years()
    warning = service.calendar_warning(UNKNOWN_YEAR)
    assert warning is not None
    with app.test_request_context(), force_locale("en"):
        assert f"holidays of {UNKNOWN_YEAR} are not" in str(warning)
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert f"节假日数据包中尚无 {UNKNOWN_YEAR} 年的法定节假日" in str(warning)

    service.mark_year_complete(admin, UNKNOWN_YEAR)

    assert service.calendar_warning(UNKNOWN_YEAR) is None
    assert service.legal_calendar().knows_year(UNKNOWN_YEAR)
    assert _actions()[-1] == "calendar:year:complete"


def test_an_override_moves_the_deadline_of_a_case_in_force(admin: User) -> None:
    # In force on 20 Dec 2026: day 30 is Tuesday 19 Jan 2027, in a year the package lacks.
    effective = datetime(2026, 12, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
    _, case, _ = in_force_case(effective_at=effective)
    deadline = confirmation_deadline_for(case)
    assert deadline is not None and deadline.end == date(2027, 1, 19)
    assert not deadline.calendar_certain

    service.set_override(admin, date(2027, 1, 19), False, "国办发明电〔2026〕X号")
    assert case.next_deadline == date(2027, 1, 20)
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event is not None and event.action == "calendar:override:set"
    assert event.data["moved"] == [case.id]

    service.remove_override(admin, date(2027, 1, 19))
    assert case.next_deadline == date(2027, 1, 19)
    assert _actions()[-1] == "calendar:override:remove"


def test_an_adjusted_working_day_counts_as_working(admin: User) -> None:
    saturday = date(2027, 2, 20)
    assert not service.legal_calendar().is_working_day(saturday)
    service.set_override(admin, saturday, True, "调休上班")
    assert service.legal_calendar().is_working_day(saturday)


@pytest.mark.parametrize(
    ("day", "note", "code"),
    [
        (date(2027, 2, 9), "again", "duplicate"),
        (date(2027, 2, 10), "   ", "note_required"),
        (date(2027, 2, 10), "通" * 101, "note_too_long"),
        (date(1999, 2, 10), "old", "out_of_range"),
    ],
)
def test_an_override_is_refused(admin: User, day: date, note: str, code: str) -> None:
    service.set_override(admin, date(2027, 2, 9), False, "春节")
    with pytest.raises(CalendarError) as refused:
        service.set_override(admin, day, False, note)
    assert refused.value.code == code
    assert len(db.session.scalars(select(HolidayOverride)).all()) == 1


@pytest.mark.parametrize(
    ("year", "code"),
    [(2026, "year_known"), (UNKNOWN_YEAR, "already_complete"), (1900, "out_of_range")],
)
def test_marking_a_year_is_refused(admin: User, year: int, code: str) -> None:
    service.mark_year_complete(admin, UNKNOWN_YEAR)
    with pytest.raises(CalendarError) as refused:
        service.mark_year_complete(admin, year)
    assert refused.value.code == code


def test_removing_a_day_without_an_entry_is_refused(admin: User) -> None:
    with pytest.raises(CalendarError) as refused:
        service.remove_override(admin, date(2027, 2, 9))
    assert refused.value.code == "not_found"


# --- who is told of a change -------------------------------------------------------------


@pytest.fixture
def listeners(monkeypatch: pytest.MonkeyPatch) -> list[service.CalendarListener]:
    """The registered listeners, restored after the test."""
    registered = list(service._listeners)
    monkeypatch.setattr(service, "_listeners", registered)
    return registered


def test_the_confirmation_deadlines_listen_to_the_calendar(app: Flask) -> None:
    """The wiring in app.features: the calendar names no later feature itself."""
    assert refresh_confirmation_deadlines in service._listeners


def test_a_listener_sees_the_new_calendar_inside_the_change(
    admin: User, listeners: list[service.CalendarListener]
) -> None:
    seen: list[bool] = []

    def listener(calendar: LegalCalendar) -> list[int]:
        seen.append(calendar.is_working_day(date(2027, 2, 20)))
        admin.name = "listener wrote this"  # committed with the change
        return [42]

    assert service.on_calendar_change(listener) is listener
    service.on_calendar_change(listener)  # a second registration changes nothing
    service.set_override(admin, date(2027, 2, 20), True, "调休上班")
    db.session.rollback()  # only what was committed remains
    assert seen == [True]
    assert db.session.get(User, admin.id).name == "listener wrote this"
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event is not None and event.data["moved"] == [42]


def test_a_failing_listener_takes_the_change_back_with_it(
    admin: User, listeners: list[service.CalendarListener]
) -> None:
    def listener(calendar: LegalCalendar) -> None:
        raise RuntimeError("deadline store down")

    service.on_calendar_change(listener)
    with pytest.raises(RuntimeError):
        service.set_override(admin, date(2027, 2, 20), True, "调休上班")
    assert db.session.scalar(select(HolidayOverride)) is None
    assert "calendar:override:set" not in _actions()


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def signed_in(browser: Browser, admin: User) -> Browser:
    assert browser.login(admin.email, PASSWORD).status_code == 302
    return browser


def test_the_page_shows_the_package_years_and_the_warning(signed_in: Browser) -> None:
    page = signed_in.get(PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "from 2004 to 2026" in html
    assert f"The public holidays of {UNKNOWN_YEAR} are not in the holiday package" in html


def test_an_admin_enters_a_day_marks_the_year_and_removes_the_day(signed_in: Browser) -> None:
    added = signed_in.submit(
        f"{PAGE}overrides",
        {"day-day": "2027-02-09", "day-is_working": "holiday", "day-note": "春节放假"},
        page=PAGE,
    )
    assert added.status_code == 302
    row = db.session.scalar(select(HolidayOverride))
    assert row is not None and (row.day, row.is_working) == (date(2027, 2, 9), False)
    assert "春节放假" in signed_in.get(PAGE).get_data(as_text=True)

    marked = signed_in.submit(f"{PAGE}years", {"year-year": str(UNKNOWN_YEAR)}, page=PAGE)
    assert marked.status_code == 302
    assert db.session.get(HolidayYear, UNKNOWN_YEAR) is not None
    html = signed_in.get(PAGE).get_data(as_text=True)
    assert f"The public holidays of {UNKNOWN_YEAR} are not" not in html

    removed = signed_in.submit(f"{PAGE}overrides/2027-02-09/remove", {}, page=PAGE)
    assert removed.status_code == 302
    assert db.session.scalar(select(HolidayOverride)) is None
    assert signed_in.submit(f"{PAGE}overrides/2027-02-31/remove", {}, page=PAGE).status_code == 404
    gone = signed_in.submit(f"{PAGE}overrides/2027-02-09/remove", {}, page=PAGE)
    assert gone.status_code == 404
    assert "This day has no entry in the calendar." in gone.get_data(as_text=True)


@pytest.mark.parametrize(
    ("day", "note", "message", "kept"),
    [
        ("2027-02-30", "春节", "Enter a date as YYYY-MM-DD", "2027-02-30"),
        ("2027-02-10", "通" * 101, "Use at most 100 characters.", "通" * 101),
        ("2027-02-10", "", "Say where the entry comes from", "2027-02-10"),
        ("2027-02-09", "再次", "This day already has an entry.", "再次"),
        ("1999-02-09", "old", "Enter a date between 2000 and 2100.", "1999-02-09"),
    ],
)
def test_bad_input_is_shown_with_what_was_typed(
    signed_in: Browser, admin: User, day: str, note: str, message: str, kept: str
) -> None:
    service.set_override(admin, date(2027, 2, 9), False, "春节")
    page = signed_in.submit(
        f"{PAGE}overrides",
        {"day-day": day, "day-is_working": "working", "day-note": note},
        page=PAGE,
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert message in html and f'value="{kept}"' in html
    assert len(db.session.scalars(select(HolidayOverride)).all()) == 1


@pytest.mark.parametrize(
    ("year", "message"), [("20x7", "Enter a year between"), ("2026", "already covers")]
)
def test_a_bad_year_is_shown_with_what_was_typed(
    signed_in: Browser, year: str, message: str
) -> None:
    page = signed_in.submit(f"{PAGE}years", {"year-year": year}, page=PAGE)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert message in html and f'value="{year}"' in html


def test_any_administrator_keeps_the_calendar(browser: Browser, app: Flask) -> None:
    """The calendar is platform-wide: an admin of any organisation may keep it."""
    for _ in range(2):
        other = make_user(Role.ADMIN)
        assert browser.login(other.email, PASSWORD).status_code == 302
        assert browser.get(PAGE).status_code == 200
        browser.logout()


@pytest.mark.parametrize("role", [Role.CREDITOR, Role.DEBTOR, Role.MEDIATOR])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", PAGE),
        ("POST", f"{PAGE}overrides"),
        ("POST", f"{PAGE}years"),
        ("POST", f"{PAGE}overrides/2027-02-09/remove"),
    ],
)
def test_other_roles_are_refused(browser: Browser, role: Role, method: str, url: str) -> None:
    user = make_user(role)
    assert browser.login(user.email, PASSWORD).status_code == 302
    data = {
        "day-day": "2027-02-09",
        "day-is_working": "holiday",
        "day-note": "x",
        "year-year": "2027",
    }
    response = browser.get(url) if method == "GET" else browser.submit(url, data, page="/account/")
    assert response.status_code == 403
    assert db.session.scalar(select(HolidayOverride)) is None
    assert db.session.scalar(select(HolidayYear)) is None


def test_anonymous_visitors_are_sent_to_sign_in(browser: Browser) -> None:
    response = browser.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
