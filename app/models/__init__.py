"""All models, imported here so the metadata (and Alembic) sees every table."""

from app.models.agreements import (
    Agreement,
    AgreementSignature,
    AgreementStatus,
    DocumentKind,
    IssuedDocument,
    SignatureMethod,
)
from app.models.api_tokens import ApiToken, IdempotentRequest
from app.models.audit import AuditEvent
from app.models.auth import LoginAttempt, PasswordReset, UserSession
from app.models.case_imports import (
    CaseImport,
    CaseImportKey,
    CaseImportOutcome,
    CaseImportRow,
    CaseImportStatus,
)
from app.models.cases import Case, CaseParty, DocketCount, LprRate, MediatorConflict
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
from app.models.contacts import Complaint, ComplaintStatus, ContactRecord
from app.models.court_levels import CourtLevelThreshold
from app.models.evidence import EvidenceCategory, EvidenceFile, PowerOfAttorneyRecord
from app.models.inbox import Notification
from app.models.invitations import Consent, Invitation, OneTimeCode
from app.models.message_templates import OrgMessageTemplate
from app.models.minutes import MediationRecord, MediationRecordSignature, RecordStatus
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
from app.models.organisations import (
    CreditorOrganisation,
    CreditorPaper,
    CreditorPaperKind,
    LicenceType,
    MediationOrganisation,
)
from app.models.payment_imports import (
    ImportStatus,
    PaymentImport,
    PaymentImportRow,
    RowOutcome,
)
from app.models.repayments import (
    PaymentChannel,
    PaymentSource,
    PaymentStatus,
    RepaymentPayment,
)
from app.models.restructuring import (
    RequestStatus,
    RestructuringRequest,
    SupplementaryAgreement,
    SupplementarySignature,
    SupplementaryStatus,
)
from app.models.sessions import MediationSession, SessionChange, SessionResponse
from app.models.step_drafts import StepDraft
from app.models.users import Role, User
from app.models.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

__all__ = [
    "MediationSession",
    "SessionChange",
    "SessionResponse",
    "ApiToken",
    "IdempotentRequest",
    "CaseImport",
    "CaseImportKey",
    "CaseImportOutcome",
    "CaseImportRow",
    "CaseImportStatus",
    "Complaint",
    "ComplaintStatus",
    "ContactRecord",
    "RequestStatus",
    "RestructuringRequest",
    "SupplementaryAgreement",
    "SupplementarySignature",
    "SupplementaryStatus",
    "ImportStatus",
    "PaymentImport",
    "PaymentImportRow",
    "RowOutcome",
    "Agreement",
    "AgreementSignature",
    "AgreementStatus",
    "DocumentKind",
    "IssuedDocument",
    "SignatureMethod",
    "AuditCheckpoint",
    "AuditEvent",
    "Case",
    "DocketCount",
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
    "CreditorPaper",
    "CreditorPaperKind",
    "EvidenceCategory",
    "EvidenceFile",
    "PowerOfAttorneyRecord",
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
    "PasswordReset",
    "CourtLevelThreshold",
    "LprRate",
    "MediationOrganisation",
    "MediatorConflict",
    "MediationRecord",
    "MediationRecordSignature",
    "RecordStatus",
    "CaseParty",
    "OneTimeCode",
    "Notification",
    "OrgMessageTemplate",
    "OutboundMessage",
    "OutboxStatus",
    "PaymentChannel",
    "PaymentSource",
    "PaymentStatus",
    "RepaymentPayment",
    "Role",
    "StepDraft",
    "User",
    "UserSession",
    "DeliveryStatus",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
