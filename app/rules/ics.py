"""iCalendar (RFC 5545) invitations for mediation sessions, in plain Python.

One VEVENT in a VCALENDAR whose METHOD is REQUEST (a new or moved session) or CANCEL
(RFC 5546 §3.2.2, §3.2.5). The start is given in the legal clock's zone with its
VTIMEZONE (RFC 5545 §3.6.5), the length as a DURATION; SEQUENCE grows with every
reschedule so calendars replace the earlier version (§3.8.7.4). TEXT values are escaped
(§3.3.11: backslash, semicolon, comma, newline), parameter values quoted (§3.2), and
content lines folded at 75 octets with CRLF line breaks (§3.1), never inside a UTF-8
character.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//Concord//Mediation sessions//ZH"


@dataclass(frozen=True)
class Event:
    uid: str
    sequence: int
    stamp: datetime
    starts_at: datetime
    minutes: int
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    organizer_name: str = ""
    organizer_email: str = ""
    cancelled: bool = False


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, every line
    break (CRLF, CR or LF) written as ``\\n``; other control characters dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\n", "\\n")
    return "".join(ch for ch in value if ch == "\t" or ord(ch) >= 0x20 and ord(ch) != 0x7F)


def param_value(value: str) -> str:
    """A parameter value (RFC 5545 §3.2): quoted, without the characters a quoted value
    cannot hold (DQUOTE and controls)."""
    clean = "".join(ch for ch in value if ch != '"' and ord(ch) >= 0x20 and ord(ch) != 0x7F)
    return f'"{clean}"'


def fold(line: str) -> str:
    """One content line folded (RFC 5545 §3.1): at most 75 octets a line, each
    continuation starting with a space, never splitting a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, MAX_OCTETS
        current += ch
        size += width
    out.append(current)
    return CRLF.join(out)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")


def _offset(moment: datetime, tz: ZoneInfo) -> str:
    delta = moment.astimezone(tz).utcoffset() or timedelta(0)
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _vtimezone(tz: ZoneInfo, moment: datetime) -> list[str]:
    """The zone as one STANDARD rule at the event's offset: right for zones without
    daylight saving (Asia/Shanghai, UTC+8 since 1991)."""
    offset = _offset(moment, tz)
    name = moment.astimezone(tz).tzname() or tz.key
    return [
        "BEGIN:VTIMEZONE",
        f"TZID:{tz.key}",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        f"TZOFFSETFROM:{offset}",
        f"TZOFFSETTO:{offset}",
        f"TZNAME:{escape_text(name)}",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def calendar(event: Event, tz: ZoneInfo) -> str:
    """The .ics text of ``event`` (CRLF line breaks, folded lines)."""
    if event.starts_at.tzinfo is None or event.stamp.tzinfo is None:
        raise ValueError("naive datetime: calendar times must be timezone-aware")
    method = "CANCEL" if event.cancelled else "REQUEST"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *_vtimezone(tz, event.starts_at),
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{_utc(event.stamp)}",
        f"DTSTART;TZID={tz.key}:{_local(event.starts_at, tz)}",
        f"DURATION:{_duration(event.minutes)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.organizer_email:
        cn = f";CN={param_value(event.organizer_name)}" if event.organizer_name else ""
        lines.append(f"ORGANIZER{cn}:mailto:{event.organizer_email}")
    lines.append("STATUS:" + ("CANCELLED" if event.cancelled else "CONFIRMED"))
    lines += ["TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + CRLF for line in lines)
