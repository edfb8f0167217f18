"""People who sign in: creditor users, debtors, mediators and organisation admins."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db
from app.models.organisations import CreditorOrganisation, MediationOrganisation


class Role(StrEnum):
    CREDITOR = "creditor"
    DEBTOR = "debtor"
    MEDIATOR = "mediator"
    ADMIN = "admin"


class User(db.Model):
    """An account. Creditor users belong to a creditor organisation; mediators and admins
    to a mediation organisation; debtors to neither."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="has_login"),
        CheckConstraint(
            "(role = 'creditor') = (creditor_org_id IS NOT NULL)", name="creditor_has_org"
        ),
        CheckConstraint(
            "(role IN ('mediator', 'admin')) = (mediation_org_id IS NOT NULL)",
            name="mediation_staff_has_org",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, 16))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(16))
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # A creditor user who keeps the creditor organisation's profile: its licences and seal.
    is_creditor_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    creditor_org_id: Mapped[int | None] = mapped_column(ForeignKey("creditor_organisations.id"))
    mediation_org_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_organisations.id"))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Password tries since the last successful sign-in, counted before each check
    # (app.core.counters): past the limit the account asks for a second factor.
    sign_in_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Current-password tries on the password change form, in a window that starts with
    # the first of them; past the limit further tries wait for the window to end.
    password_check_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    password_check_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # A mediator's appointment record (人民调解法 Arts. 13-14: the committee appoints or
    # engages its mediators): the certificate or letter number, the day, and who appointed.
    appointment_number: Mapped[str | None] = mapped_column(String(64))
    appointed_on: Mapped[date | None] = mapped_column(Date)
    appointed_by: Mapped[str | None] = mapped_column(String(200))

    creditor_org: Mapped[CreditorOrganisation | None] = relationship()
    mediation_org: Mapped[MediationOrganisation | None] = relationship()

    # Flask-Login protocol. ``session_token`` is set by the user loader to the server-side
    # session this request was authenticated with; it is what ``get_id`` hands back.
    session_token = None  # str | None, per request; not a column
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.is_locked

    def get_id(self) -> str | None:
        return self.session_token
