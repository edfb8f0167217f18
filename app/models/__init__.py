"""All models, imported here so the metadata (and Alembic) sees every table."""

from app.models.agreements import (
    Agreement,
    AgreementSignature,
    AgreementStatus,
    DocumentKind,
    IssuedDocument,
    SignatureMethod,
)
from app.models.audit import AuditEvent
from app.models.auth import LoginAttempt, UserSession
from app.models.cases import Case, LprRate, MediatorConflict
from app.models.checkpoints import AuditCheckpoint
from app.models.confirmation import (
    ConfirmationPackage,
    DeadlineReminder,
    HolidayOverride,
    HolidayYear,
    PackageSignature,
    PackageStatus,
    Ruling,
)
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.invitations import Consent, Invitation, OneTimeCode
from app.models.negotiation import (
    FinancialStatement,
    Message,
    Objection,
    ObjectionStatus,
    Proposal,
    ProposalInstalment,
    Thread,
)
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.repayments import (
    PaymentChannel,
    PaymentSource,
    PaymentStatus,
    RepaymentPayment,
)
from app.models.users import Role, User

__all__ = [
    "Agreement",
    "AgreementSignature",
    "AgreementStatus",
    "DocumentKind",
    "IssuedDocument",
    "SignatureMethod",
    "AuditCheckpoint",
    "AuditEvent",
    "Case",
    "Channel",
    "ConfirmationPackage",
    "DeadlineReminder",
    "HolidayOverride",
    "HolidayYear",
    "PackageSignature",
    "PackageStatus",
    "Ruling",
    "Consent",
    "CreditorOrganisation",
    "EvidenceCategory",
    "EvidenceFile",
    "FinancialStatement",
    "Message",
    "Objection",
    "ObjectionStatus",
    "Proposal",
    "ProposalInstalment",
    "Thread",
    "Invitation",
    "LicenceType",
    "LoginAttempt",
    "LprRate",
    "MediationOrganisation",
    "MediatorConflict",
    "OneTimeCode",
    "OutboundMessage",
    "OutboxStatus",
    "PaymentChannel",
    "PaymentSource",
    "PaymentStatus",
    "RepaymentPayment",
    "Role",
    "User",
    "UserSession",
]
