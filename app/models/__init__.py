"""All models, imported here so the metadata (and Alembic) sees every table."""

from app.models.audit import AuditEvent
from app.models.auth import LoginAttempt, UserSession
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User

__all__ = [
    "AuditEvent",
    "CreditorOrganisation",
    "LicenceType",
    "LoginAttempt",
    "MediationOrganisation",
    "Role",
    "User",
    "UserSession",
]
