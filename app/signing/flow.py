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
from app.documents.fonts import missing_glyphs
from app.documents.signing import sign_field
from app.models.agreements import SignatureMethod
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.users import User
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
    carries the organisation's seal, a party's drawn mark is shown in theirs."""
    local = clock.local(now)
    when = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    name = (given.typed_name or signer_name).strip()
    lines = [f"{ROLE_ZH[role]} {name}"]
    if role == "creditor":
        lines = [f"债权人 {case.creditor_org.name}", f"经办人 {name}"]
    if role == "mediator":
        lines.append(f"{case.mediation_org.name}（印章）")
    lines += [f"签署时间 {when}", "核验 密码+一次性验证码", f"文件 {given.seen_sha256[:16]}…"]
    seal = case.mediation_org.seal_image if role == "mediator" else given.drawn_png
    return sign_field(
        pdf,
        field_name=f"sig-{role}",
        signer=documents.organisation_signer(),
        signer_name=f"{ROLE_ZH[role]} {name}",
        reason=reason,
        stamp_lines=[printable(line) for line in lines],
        seal_png=seal,
        timestamper=documents.timestamper(),
    )


def printable(text: str) -> str:
    """The stamp's font lacks a few rare characters (e.g. 𠮷, CJK Ext-B): print □ there;
    the signature's own name field keeps the exact name."""
    missing = missing_glyphs(text)
    return "".join("□" if ch in missing else ch for ch in text)
