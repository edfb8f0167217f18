"""Signing a platform document, the same way for the agreement and the court package
(电子签名法 Arts. 13–14): what the signer submits, the check of their mark, the one-time
code they ask for and the visible stamp put into their signature field.

The use cases (``app.agreements.signing``, ``app.confirmation.signing``) keep their own
rules about who signs when; this module holds only what both do identically.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.errors import InvalidInput
from app.core.transaction import use_case
from app.documents import issued as documents
from app.documents.fonts import missing_stamp_glyphs
from app.documents.signing import sign_field
from app.models.agreements import SignatureMethod
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.users import User
from app.rules.case_parties import ROLE_ZH as CASE_PARTY_ROLE_ZH
from app.rules.case_parties import PartyRole
from app.signing import reauth

MAX_DRAWN_PNG = 200 * 1024
MAX_TYPED_NAME = 100
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROLE_ZH = {"debtor": "债务人", "creditor": "债权人", "mediator": "调解员"}


@dataclass(frozen=True)
class SignatureInput:
    """What a signer submits: the document revision they were shown (``version`` is the
    agreement version or the package number, ``seen_sha256`` the exact file), their
    password and one-time code, their mark (a typed name or a drawn PNG) and where they
    signed from."""

    version: int
    seen_sha256: str
    password: str
    code: str
    method: SignatureMethod
    typed_name: str | None
    drawn_png: bytes | None
    ip: str
    user_agent: str


class MarkInvalid(InvalidInput):
    """The signer's mark cannot be used; the signing form is shown again (422)."""

    status = 422
    messages = {
        "name_required": _l("Type your name as your signature."),
        "name_too_long": _l("The name is too long."),
        "drawing_invalid": _l("Draw your signature in the box, or type your name instead."),
    }


def check_mark(given: SignatureInput) -> None:
    """Refuse (:class:`MarkInvalid`) a mark that cannot be used."""
    problem = _mark_problem(given)
    if problem is not None:
        field = "drawing" if problem == "drawing_invalid" else "typed_name"
        raise MarkInvalid(problem, field)


def _mark_problem(given: SignatureInput) -> str | None:
    """Why the signer's mark cannot be used (``name_required``, ``name_too_long``,
    ``drawing_invalid``), or None when it can."""
    if given.method == SignatureMethod.TYPED:
        name = given.typed_name or ""
        if not name.strip():
            return "name_required"
        if len(name) > MAX_TYPED_NAME:
            return "name_too_long"
        return None
    png = given.drawn_png or b""
    if not png.startswith(PNG_MAGIC) or len(png) > MAX_DRAWN_PNG:
        return "drawing_invalid"
    return None


@use_case
def send_code(
    actor: User,
    case: Case,
    purpose: str,
    channel: Channel | None,
    *,
    audit_action: AuditAction,
    object_type: str,
    object_id: int,
    data: dict[str, Any],
) -> Channel:
    """A one-time code for signing a document sent to the signer's own phone or email, the
    request audited; the outbox delivers it once this commits. Callers check first that
    the actor may sign."""
    sent = reauth.send_code(actor, case, purpose, channel)
    audit.record(
        audit_action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        case_id=case.id,
        data={**data, "channel": sent.value},
    )
    return sent


def revisions(base_sha256: str | None, results: Iterable[str]) -> set[str]:
    """Every file of one document a signer may have been shown: the certified one and each
    one a signature produced (a signature never changes the content: DocMDP)."""
    shown = {base_sha256} if base_sha256 else set()
    return shown | set(results)


def apply_signature(
    pdf: bytes,
    *,
    case: Case,
    role: str,
    signer_name: str,
    given: SignatureInput,
    now: datetime,
    reason: str,
) -> bytes:
    """The signer's approval signature into field ``sig-<role>``, with a stamp naming them,
    the time, how they were re-authenticated and the file they saw; the mediator's stamp
    carries the organisation's seal, the creditor's its own seal when one is stored, a
    party's drawn mark is shown in theirs otherwise."""
    local = clock.local(now)
    when = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    name = (given.typed_name or signer_name).strip()
    label = signer_label(case, role)
    lines = [f"{label} {name}"]
    seal = case.mediation_org.seal_image if role == "mediator" else given.drawn_png
    if role == "creditor" and not case.creditor_org.is_natural_person:
        # An entity signs through a staff member (经办人); a natural person signs as
        # themself (人民调解法 Art. 29), so their stamp names only them. An institution
        # also seals (民诉法解释 Art. 354; 电子签名法 Art. 14): its seal, when stored, goes
        # into the stamp over its name, as on paper, in place of a drawn mark.
        lines = [f"债权人 {case.creditor_org.name}", f"经办人 {name}"]
        seal = case.creditor_org.seal_png or seal
    if role == "mediator":
        lines.append(f"{case.mediation_org.name}（印章）")
    lines += [f"签署时间 {when}", "核验 密码+一次性验证码", f"文件 {given.seen_sha256[:16]}…"]
    return sign_field(
        pdf,
        field_name=f"sig-{role}",
        signer=documents.organisation_signer(),
        signer_name=f"{label} {name}",
        reason=reason,
        stamp_lines=[printable(line) for line in lines],
        seal_png=seal,
        timestamper=documents.timestamper(),
    )


def signer_label(case: Case, role: str) -> str:
    """债务人 / 债权人 / 调解员, or an additional party's 保证人 / 共同借款人
    (``party-<id>``, :mod:`app.rules.case_parties`)."""
    if role in ROLE_ZH:
        return ROLE_ZH[role]
    for party in case.extra_parties:
        if party.signer_role == role:
            return CASE_PARTY_ROLE_ZH[PartyRole(party.role)]
    raise KeyError(role)


def printable(text: str) -> str:
    """A character the stamp cannot draw (in neither the sans nor the rare face: rare
    ones such as 𠮷, CJK Ext-B, come from the rare face, ``app.documents.signing``)
    prints as □; the signature's own name field and the document keep the exact name."""
    missing = missing_stamp_glyphs(text)
    return "".join("□" if ch in missing else ch for ch in text)
