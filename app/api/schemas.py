"""The API's bodies as marshmallow schemas: what flask-smorest validates and what the
OpenAPI document describes. Amounts are strings (``"12000.00"``), never JSON numbers:
they are read by the same strict grammar as the form (:mod:`app.rules.money`) and a
binary float could not carry the fen exactly. Dates are ``YYYY-MM-DD`` strings, read by
the intake's own parser (:mod:`app.cases.intake`)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.cases.intake import ID_TYPES
from app.models.evidence import PARTY_ID_CATEGORIES, EvidenceCategory
from app.models.webhooks import DeliveryStatus
from app.rules import webhooks as webhook_rules
from app.rules.cases import CaseState


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def _text(description: str, length: int = 300) -> fields.String:
    return fields.String(
        validate=validate.Length(max=length), metadata={"description": description}
    )


class CaseDraftIn(StrictSchema):
    """A new draft: every field optional except the debtor's name (as the form's "Save
    draft"); what is given must be valid. Submission demands all the claim."""

    mediation_org_id = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "The mediation organisation (GET /mediation-organisations); "
            "the first one when omitted, as the form preselects it."
        },
    )
    debtor_name = _text("The debtor's full name.", 100)
    debtor_id_type = fields.String(validate=validate.OneOf(ID_TYPES))
    debtor_id_number = _text("Resident ID (18 characters, GB 11643 check) or document number.", 64)
    debtor_phone = _text("Mainland mobile number, 11 digits.", 32)
    debtor_email = _text("Email address.", 254)
    debtor_address = _text("Postal address.")
    contract_number = _text("The loan contract's number.", 64)
    contract_date = _text("YYYY-MM-DD, not in the future.", 10)
    principal_lent = _text('Amount in yuan as a string, e.g. "50000.00".', 32)
    annual_rate = _text('Annual rate in percent as a string, e.g. "12".', 16)
    term_months = fields.Integer(strict=True, validate=validate.Range(min=1, max=600))
    outstanding_principal = _text("Amount in yuan as a string.", 32)
    interest = _text('Amount in yuan as a string (may be "0").', 32)
    penalty = _text('Amount in yuan as a string (may be "0").', 32)
    fees = _text('Amount in yuan as a string (may be "0").', 32)
    overdue_since = _text("YYYY-MM-DD, after the contract date.", 10)
    is_assignee = fields.Boolean(metadata={"description": "The creditor bought the debt."})
    original_lender = _text("The original lender (assignees only).", 200)
    assignment_date = _text("YYYY-MM-DD (assignees only).", 10)
    debtor_notified = fields.Boolean(
        metadata={"description": "The debtor was notified of the assignment."}
    )
    receiving_account_name = _text("The account the debtor pays into: its holder.", 200)
    receiving_bank = _text("... its bank and branch.", 200)
    receiving_account_number = _text("... its number (8 to 32 digits).", 64)


class FindingOut(Schema):
    code = fields.String(required=True)
    severity = fields.String(required=True)
    source = fields.String(required=True)
    message = fields.String(required=True)


class TimelineOut(Schema):
    at = fields.DateTime(required=True)
    action = fields.String(required=True)
    actor_role = fields.String(allow_none=True)


class ClaimOut(Schema):
    contract_number = fields.String(allow_none=True)
    contract_date = fields.Date(allow_none=True)
    principal_lent = fields.String(allow_none=True)
    annual_rate = fields.String(allow_none=True)
    term_months = fields.Integer(allow_none=True)
    outstanding_principal = fields.String(allow_none=True)
    interest = fields.String(allow_none=True)
    penalty = fields.String(allow_none=True)
    fees = fields.String(allow_none=True)
    total = fields.String(required=True)
    overdue_since = fields.Date(allow_none=True)
    is_assignee = fields.Boolean(required=True)
    original_lender = fields.String(allow_none=True)
    assignment_date = fields.Date(allow_none=True)
    debtor_notified = fields.Boolean(allow_none=True)


class DebtorOut(Schema):
    name = fields.String(allow_none=True)
    id_type = fields.String(allow_none=True)
    id_masked = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    address = fields.String(allow_none=True)


class CaseSummaryOut(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in CaseState]))
    mediation_org_id = fields.Integer(required=True)
    debtor_name = fields.String(allow_none=True)
    claim_total = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    last_activity_at = fields.DateTime(required=True)


class CaseOut(CaseSummaryOut):
    debtor = fields.Nested(DebtorOut, required=True)
    claim = fields.Nested(ClaimOut, required=True)
    claim_check = fields.List(
        fields.Nested(FindingOut),
        required=True,
        metadata={"description": "The claim check's findings (empty while incomplete)."},
    )
    timeline = fields.List(fields.Nested(TimelineOut), required=True)


class CaseListQuery(StrictSchema):
    state = fields.String(validate=validate.OneOf([s.value for s in CaseState]))
    reference = fields.String(
        validate=validate.Regexp(r"^HZ-\d{4}-\d{6,10}$"),
        metadata={"description": "A case reference, e.g. HZ-2026-000123."},
    )
    cursor = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "next_cursor of the previous page."},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class CasePageOut(Schema):
    items = fields.List(fields.Nested(CaseSummaryOut), required=True)
    next_cursor = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as cursor for the next page; null on the last page."},
    )


class MediationOrgOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MediationOrgListOut(Schema):
    items = fields.List(fields.Nested(MediationOrgOut), required=True)


class EvidenceIn(StrictSchema):
    """The multipart form of an evidence upload, besides its ``file`` part."""

    category = fields.String(
        required=True,
        validate=validate.OneOf(
            [c.value for c in EvidenceCategory if c not in PARTY_ID_CATEGORIES]
        ),
    )
    description = fields.String(validate=validate.Length(max=300))
    supersedes_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class EvidenceOut(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    category = fields.String(required=True)
    description = fields.String(required=True)
    original_name = fields.String(required=True)
    media_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    supersedes_id = fields.Integer(allow_none=True)
    uploaded_at = fields.DateTime(required=True)


class ProblemOut(Schema):
    """RFC 9457 problem details, with Concord's extension members."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "The stable refusal code."})
    field = fields.String(metadata={"description": "The input at fault, when one is."})
    findings = fields.List(fields.Raw(), required=True)
    error = fields.String(metadata={"description": "Same as code (older clients)."})
    message = fields.String(metadata={"description": "Same as detail (older clients)."})
    retry_after = fields.Integer()


class InstalmentOut(Schema):
    number = fields.Integer(required=True)
    due = fields.Date(required=True)
    amount = fields.String(required=True)
    kind = fields.String(required=True)


class ProposalOut(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True, metadata={"description": "Its number in the case."})
    side = fields.String(required=True)
    state = fields.String(required=True)
    kind = fields.String(required=True)
    total = fields.String(required=True)
    principal = fields.String(required=True)
    interest = fields.String(required=True)
    fees = fields.String(required=True)
    discount = fields.String(required=True)
    down_payment = fields.String(required=True)
    frequency = fields.String(allow_none=True)
    instalment_count = fields.Integer(allow_none=True)
    first_due = fields.Date(required=True)
    replies_to_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True)
    instalments = fields.List(fields.Nested(InstalmentOut), required=True)


class ProposalListOut(Schema):
    items = fields.List(fields.Nested(ProposalOut), required=True)


class SignatureOut(Schema):
    role = fields.String(required=True)
    signed_at = fields.DateTime(allow_none=True)


class AgreementOut(Schema):
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    drafted_at = fields.DateTime(required=True)
    effective_at = fields.DateTime(allow_none=True)
    sha256 = fields.String(
        allow_none=True,
        metadata={"description": "SHA-256 of the current PDF (null until rendered)."},
    )
    pdf_url = fields.String(allow_none=True)
    signatures = fields.List(fields.Nested(SignatureOut), required=True)


class PlannedInstalmentOut(Schema):
    number = fields.Integer(required=True)
    due = fields.Date(required=True)
    amount = fields.String(required=True)
    state = fields.String(required=True)
    paid = fields.String(required=True)
    outstanding = fields.String(required=True)
    settled_on = fields.Date(allow_none=True)
    days_late = fields.Integer(required=True)


class PaymentOut(Schema):
    id = fields.Integer(required=True)
    amount = fields.String(required=True)
    paid_on = fields.Date(required=True)
    channel = fields.String(required=True)
    reference = fields.String(required=True)
    source = fields.String(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class RepaymentsOut(Schema):
    state = fields.String(
        required=True, metadata={"description": "on_track, late, in_breach, completed"}
    )
    on = fields.Date(required=True)
    total = fields.String(required=True)
    paid = fields.String(required=True)
    balance = fields.String(required=True)
    overdue = fields.String(required=True)
    payable_now = fields.String(required=True)
    instalments = fields.List(fields.Nested(PlannedInstalmentOut), required=True)
    payments = fields.List(fields.Nested(PaymentOut), required=True)


class PaymentIn(StrictSchema):
    amount = fields.String(
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": 'In yuan, as a string: "1000.00".'},
    )
    paid_on = fields.String(
        required=True, validate=validate.Length(max=10), metadata={"description": "YYYY-MM-DD"}
    )
    channel = fields.String(
        required=True,
        validate=validate.OneOf(["bank_transfer", "cash", "alipay", "wechat_pay", "other"]),
    )
    reference = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The transaction's reference in your books (unique per case)."},
    )


class PaymentRecordedOut(Schema):
    payment = fields.Nested(PaymentOut, required=True)
    duplicate = fields.Boolean(
        required=True, metadata={"description": "The same payment was already on record."}
    )
    performed = fields.Boolean(
        required=True, metadata={"description": "This payment completed the agreement."}
    )


class WebhookEndpointIn(StrictSchema):
    """An endpoint to register: checked by the webhooks page's own use case (HTTPS, no
    internal address; plain HTTP to this machine only where the setting allows it)."""

    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=webhook_rules.MAX_URL),
        metadata={"description": "The HTTPS address of your system that receives the events."},
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(webhook_rules.EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=len(webhook_rules.EVENT_TYPES)),
        metadata={"description": "The events it wants (at least one)."},
    )


class WebhookEndpointOut(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    created_at = fields.DateTime(required=True)


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    secret = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The signing secret (whsec_…), in this answer only: keep it. A "
            "retry with the same Idempotency-Key answers null here (the secret is never "
            "stored in plain); if it was lost, delete the endpoint and register another."
        },
    )


class WebhookEndpointListOut(Schema):
    items = fields.List(fields.Nested(WebhookEndpointOut), required=True)


class WebhookDeliveryQuery(StrictSchema):
    cursor = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "next_cursor of the previous page."},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class WebhookAttemptOut(Schema):
    attempted_at = fields.DateTime(required=True)
    status_code = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: no answer."}
    )
    duration_ms = fields.Integer(required=True)
    error = fields.String(required=True)
    response_excerpt = fields.String(
        required=True, metadata={"description": "The first characters of your answer."}
    )


class WebhookDeliveryOut(Schema):
    id = fields.Integer(required=True)
    endpoint_id = fields.Integer(required=True)
    message_id = fields.String(
        required=True, metadata={"description": "The webhook-id header (new on a replay)."}
    )
    event_type = fields.String(required=True)
    case_id = fields.Integer(required=True, allow_none=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf([s.value for s in DeliveryStatus]),
        metadata={"description": "pending (another attempt is due), delivered or failed."},
    )
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    replay_of_id = fields.Integer(required=True, allow_none=True)
    attempt_log = fields.List(fields.Nested(WebhookAttemptOut), required=True)


class WebhookDeliveryPageOut(Schema):
    items = fields.List(fields.Nested(WebhookDeliveryOut), required=True)
    next_cursor = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as cursor for the next page; null on the last page."},
    )
