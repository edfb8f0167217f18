"""A statement import's words: why a file or a row is refused (both languages, via lazy
gettext strings keyed by code) and the payment channels a statement may name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import COMMON_MESSAGES
from app.models.repayments import PaymentChannel
from app.repayments.common import RepaymentInvalid, RepaymentRefused
from app.rules.payment_statement import RowRefused, StatementRefused
from app.rules.repayments import PaymentRefused

StatementRefused.messages.update(
    {
        "statement_required": _l("Choose the CSV file to import."),
        "statement_not_text": _l(
            "This is not a CSV file in UTF-8. Save the statement as \u201cCSV UTF-8\u201d and "
            "upload it again."
        ),
        "statement_malformed": _l(
            "This file cannot be read as CSV (for example, a quotation mark is not closed)."
        ),
        "statement_header": _l(
            "The first line must name the five columns: case_reference, amount, paid_on, "
            "channel, reference (or their Chinese names). Download the template."
        ),
        "statement_empty": _l("The file has no payment lines below its header."),
        "statement_too_many_rows": _l(
            "The file has more than %(max)s payment lines: split it into smaller files."
        ),
    }
)
RowRefused.messages.update(
    {
        "row_malformed": _l(
            "This line does not have the five columns of the header (or a value is longer "
            "than 255 characters)."
        ),
        "no_such_case": _l("There is no case of your organisation with this reference."),
        "amount_negative": _l("The amount must be greater than zero."),
        "paid_on": _l("Enter the date of payment as YYYY-MM-DD."),
        "channel_unknown": _l(
            "Unknown channel: use bank_transfer, cash, alipay, wechat_pay or other "
            "(or leave it empty for a bank transfer)."
        ),
    }
)

# Each channel by its key, its English name and its Chinese name; empty: a bank transfer.
CHANNELS: dict[str, PaymentChannel] = {"": PaymentChannel.BANK_TRANSFER} | {
    alias: channel
    for channel, aliases in {
        PaymentChannel.BANK_TRANSFER: ("bank transfer", "银行转账", "转账"),
        PaymentChannel.CASH: ("现金",),
        PaymentChannel.ALIPAY: ("支付宝",),
        PaymentChannel.WECHAT_PAY: ("wechat pay", "微信支付", "微信"),
        PaymentChannel.OTHER: ("其他",),
    }.items()
    for alias in (channel.value, *aliases)
}


def refusal_message(code: str | None) -> str:
    """A row's refusal in the reader's language (codes of the statement, the payment rules
    and the repayment feature)."""
    for messages in (
        RowRefused.messages,
        PaymentRefused.messages,
        RepaymentRefused.messages,
        RepaymentInvalid.messages,
        COMMON_MESSAGES,
    ):
        if code in messages:
            return str(messages[code])
    return str(COMMON_MESSAGES["refused"])
