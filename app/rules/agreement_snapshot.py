"""The agreement's terms as stored on a version: a JSON snapshot that reads back exactly
(amounts as decimal strings, dates ISO), so the terms a version was drafted with are the
terms it prints, however often it is rendered. Import the public API from
``app.rules.agreements``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from app.rules.agreement_terms import AgreementTerms, DefaultRule, WaivedItem
from app.rules.proposals import TermsKind
from app.rules.schedules import Instalment

JSON_FORMAT = 1
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def terms_to_json(terms: AgreementTerms) -> dict[str, Any]:
    """The terms as JSON-safe data for the agreement's snapshot column: amounts as
    strings (``str(Decimal)``, so the round trip is exact), dates ISO."""
    return {
        "format": JSON_FORMAT,
        "kind": str(terms.kind),
        **{name: str(getattr(terms, name)) for name in _AMOUNT_FIELDS},
        "schedule": [
            {"number": r.number, "due": r.due.isoformat(), "amount": str(r.amount), "kind": r.kind}
            for r in terms.schedule
        ],
        "waived": [{"item": w.item, "amount": str(w.amount)} for w in terms.waived],
        "default_rule": {
            "grace_days": terms.default_rule.grace_days,
            "statement": terms.default_rule.statement,
        },
    }


_AMOUNT_FIELDS = ("principal", "interest", "penalty", "fees", "total")


def terms_from_json(data: Mapping[str, Any]) -> AgreementTerms:
    """Read a snapshot written by ``terms_to_json``; ``ValueError`` for anything else
    (unknown format, a missing key, an amount that is not a plain decimal string)."""
    try:
        if data["format"] != JSON_FORMAT:
            raise ValueError("unknown agreement terms format")
        rule = data["default_rule"]
        return AgreementTerms(
            kind=TermsKind(data["kind"]),
            **{name: _amount(data[name]) for name in _AMOUNT_FIELDS},
            schedule=tuple(_instalment(row) for row in data["schedule"]),
            waived=tuple(
                WaivedItem(_text(w["item"]), _amount(w["amount"])) for w in data["waived"]
            ),
            default_rule=DefaultRule(_int(rule["grace_days"]), _text(rule["statement"])),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError("malformed agreement terms") from exc


def _instalment(row: Mapping[str, Any]) -> Instalment:
    due = date.fromisoformat(_text(row["due"]))
    return Instalment(_int(row["number"]), due, _amount(row["amount"]), _text(row["kind"]))


def _amount(raw: object) -> Decimal:
    if not isinstance(raw, str) or not _AMOUNT.fullmatch(raw):
        raise ValueError("an amount must be a plain decimal string")
    return Decimal(raw)


def _int(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError("expected a whole number")
    return raw


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError("expected text")
    return raw
