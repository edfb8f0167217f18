"""The iCalendar text of a session invitation (RFC 5545): escaping, folding, the zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.rules.ics import Event, calendar, escape_text, fold, param_value

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)
STAMP = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)


def _event(**kw: object) -> Event:
    values: dict[str, object] = {
        "uid": "session-7@concord.invalid",
        "sequence": 0,
        "stamp": STAMP,
        "starts_at": START,
        "minutes": 90,
        "summary": "和衷调解中心 调解会议（案件 MED-2026-0001）",
        "location": "北京市朝阳区某街 1 号",
    }
    values.update(kw)
    return Event(**values)  # type: ignore[arg-type]


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain", "plain"),
        ("a;b", "a\\;b"),
        ("a,b", "a\\,b"),
        ("a\\b", "a\\\\b"),
        ("line1\nline2", "line1\\nline2"),
        ("line1\r\nline2\rline3", "line1\\nline2\\nline3"),
        ("bell\x07gone", "bellgone"),
        ("张三;\n李四,王五", "张三\\;\\n李四\\,王五"),
    ],
)
def test_text_values_are_escaped(raw: str, escaped: str) -> None:
    assert escape_text(raw) == escaped


def test_a_backslash_is_escaped_before_what_escaping_adds() -> None:
    # "\;" typed by a person is a backslash and a semicolon, both escaped: never "\\;".
    assert escape_text("\\;") == "\\\\\\;"


def test_a_parameter_value_is_quoted_without_quotes_or_controls() -> None:
    assert param_value('Org "A";\nB') == '"Org A;B"'


def test_long_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    line = "SUMMARY:" + "调解" * 60
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line  # decodes whole


def test_a_short_line_is_not_folded() -> None:
    assert fold("UID:x") == "UID:x"


def test_the_calendar_is_a_request_with_zone_duration_and_crlf() -> None:
    text = calendar(_event(url="https://meet.example.org/r/abc"), SHANGHAI)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    assert "METHOD:REQUEST" in lines and "STATUS:CONFIRMED" in lines
    assert "DTSTART;TZID=Asia/Shanghai:20261203T100000" in lines
    assert "DURATION:PT1H30M" in lines
    assert "DTSTAMP:20261201T023000Z" in lines
    assert "UID:session-7@concord.invalid" in lines and "SEQUENCE:0" in lines
    assert "TZID:Asia/Shanghai" in lines and "TZOFFSETTO:+0800" in lines
    assert "URL:https://meet.example.org/r/abc" in lines
    assert lines.index("BEGIN:VTIMEZONE") < lines.index("BEGIN:VEVENT")
    assert all(len(raw.encode()) <= 75 for raw in text.split("\r\n"))


def test_a_cancelled_session_is_a_cancel_with_its_sequence() -> None:
    lines = _unfold(calendar(_event(cancelled=True, sequence=2), SHANGHAI))
    assert "METHOD:CANCEL" in lines and "STATUS:CANCELLED" in lines and "SEQUENCE:2" in lines


def test_a_party_name_with_newlines_and_semicolons_cannot_add_properties() -> None:
    hostile = "刘强;\r\nATTENDEE:mailto:x@evil.example\nLOCATION:elsewhere,"
    text = calendar(_event(summary=f"调解会议 {hostile}", description=hostile), SHANGHAI)
    lines = _unfold(text)
    assert not [line for line in lines if line.startswith(("ATTENDEE", "LOCATION:elsewhere"))]
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == (
        "SUMMARY:调解会议 刘强\\;\\nATTENDEE:mailto:x@evil.example\\nLOCATION:elsewhere\\,"
    )
    assert sum(line.startswith("LOCATION:") for line in lines) == 1


def test_the_organiser_is_named_in_a_quoted_parameter() -> None:
    lines = _unfold(
        calendar(_event(organizer_name="和衷;调解", organizer_email="noreply@x.invalid"), SHANGHAI)
    )
    assert 'ORGANIZER;CN="和衷;调解":mailto:noreply@x.invalid' in lines


@pytest.mark.parametrize(("minutes", "text"), [(15, "PT15M"), (60, "PT1H"), (135, "PT2H15M")])
def test_durations(minutes: int, text: str) -> None:
    assert f"DURATION:{text}" in _unfold(calendar(_event(minutes=minutes), SHANGHAI))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        calendar(_event(starts_at=datetime(2026, 12, 3, 10, 0)), SHANGHAI)
