"""Reading the payment forms: each field parsed strictly, each refusal named by its field,
the values kept as typed so the form comes back with nothing lost."""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from app.core.errors import DomainError
from app.core.storage import StorageRefused
from app.models.repayments import PaymentChannel
from app.repayments.common import RepaymentInvalid
from app.repayments.payments import PaymentEntry, Proof
from app.rules.money import parse_money

FIELDS = ("amount", "paid_on", "channel", "reference")


def values_from(form: MultiDict[str, str]) -> dict[str, str]:
    return {name: form.get(name, "").strip() for name in FIELDS}


def parse_entry(values: dict[str, str]) -> PaymentEntry:
    """A :class:`PaymentEntry`, or the first refusal with its ``field`` set."""
    try:
        amount = parse_money(values["amount"])
    except DomainError as err:
        err.field = "amount"
        raise
    try:
        paid_on = date.fromisoformat(values["paid_on"])
    except ValueError:
        raise RepaymentInvalid("paid_on", "paid_on") from None
    try:
        channel = PaymentChannel(values["channel"])
    except ValueError:
        raise RepaymentInvalid("channel", "channel") from None
    return PaymentEntry(amount, paid_on, channel, values["reference"])


def proof_from(files: MultiDict[str, FileStorage]) -> Proof | None:
    upload = files.get("proof")
    if upload is None or not upload.filename:
        return None
    return Proof(upload.stream, upload.filename)


def errors_of(err: DomainError) -> dict[str, Any]:
    """The message next to the field at fault (a refused receipt: the file field)."""
    if isinstance(err, StorageRefused):
        return {"proof": err.message}
    known = (*FIELDS, "proof", "reason", "received", "note")
    return {err.field if err.field in known else "form": err.message}
