"""A mediator's appointment record: mediators are appointed (聘任) or engaged by the
mediation committee (人民调解法 Arts. 13-14), so the court package's proof that the
organisation presided names the appointment — the certificate or letter number, the day
and the appointing body — next to the mediator. The organisation's administrator keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app import audit
from app.accounts.errors import AccountInvalid
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import use_case
from app.models.users import Role, User


@dataclass(frozen=True)
class Appointment:
    number: str
    appointed_on: date
    appointed_by: str


def read_appointment(number: str, appointed_on: str, appointed_by: str) -> Appointment:
    """The record as typed, or ``appointment_invalid``: all three given, the day a real
    date not after today (on the legal clock)."""
    number, appointed_by = (number or "").strip(), (appointed_by or "").strip()
    try:
        day = date.fromisoformat((appointed_on or "").strip())
    except ValueError:
        raise AccountInvalid("appointment_invalid", "appointed_on") from None
    if not number or len(number) > 64:
        raise AccountInvalid("appointment_invalid", "appointment_number")
    if not appointed_by or len(appointed_by) > 200:
        raise AccountInvalid("appointment_invalid", "appointed_by")
    if day > clock.today():
        raise AccountInvalid("appointment_invalid", "appointed_on")
    return Appointment(number, day, appointed_by)


@use_case
def set_appointment(admin: User, mediator: User, appointment: Appointment) -> None:
    """Record (or correct) ``mediator``'s appointment. The caller has checked that the
    administrator manages the mediator (``Permission.USER_MANAGE`` on the user)."""
    if mediator.role != Role.MEDIATOR:
        raise AccountInvalid("not_a_mediator")
    before = mediator.appointment_number
    mediator.appointment_number = appointment.number
    mediator.appointed_on = appointment.appointed_on
    mediator.appointed_by = appointment.appointed_by
    audit.record(
        AuditAction.MEDIATOR_APPOINTMENT_SET,
        actor=admin,
        object_type="user",
        object_id=mediator.id,
        data={
            "number": appointment.number,
            "appointed_on": appointment.appointed_on.isoformat(),
            "appointed_by": appointment.appointed_by,
            "before": before,
        },
    )
