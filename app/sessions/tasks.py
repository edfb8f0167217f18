"""The sessions' background work: the reminders before each session."""

from __future__ import annotations

from huey import crontab

from app.queue import periodic_task
from app.sessions.reminders import send_session_reminders


@periodic_task(crontab(minute="*/5"))
def send_session_reminders_every_five_minutes() -> int:
    """The day-before and hour-before reminders of scheduled sessions (case notices)."""
    return send_session_reminders()
