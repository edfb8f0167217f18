"""What the agreement's and the package's signing pages share: reading the signer's form,
the code buttons and their notice, the signatures table and serving a stored PDF.

The signer's mark is judged in one place, the service (``app.signing.flow.check_mark``):
this module only reads the form, so an unusable drawing reaches the service as empty
bytes and is refused there with the same words on both pages."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

from flask import Response, abort, flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from app.core import prg
from app.core.errors import DomainError
from app.documents import issued as documents
from app.documents import pages
from app.models.agreements import SignatureMethod
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.users import User
from app.rules.contacts import mask_email, mask_phone
from app.signing.flow import SignatureInput, signer_label
from app.signing.reauth import channels_of

ROLE_LABELS = {"debtor": _l("Debtor"), "creditor": _l("Creditor"), "mediator": _l("Mediator")}
_PNG_DATA_URL = "data:image/png;base64,"
_MAX_DATA_URL = 400_000


def signature_rows(
    signed: dict[str, Any], roles: Sequence[str], labels: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per signer role: who signed and when, or nobody yet. ``labels`` names the
    roles beyond the three (a guarantor's ``party-<id>``: "保证人 赵某")."""
    labels = labels or {}
    return [
        {
            "role": str(labels.get(role) or ROLE_LABELS[role]),
            "name": signed[role].user.name if role in signed else None,
            "at": signed[role].signed_at if role in signed else None,
        }
        for role in roles
    ]


def party_signature_rows(
    case: Case, signed: dict[str, Any], roles: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """:func:`signature_rows` of a document the parties to the agreement sign, each
    guarantor or co-borrower named by role and name. ``roles``: who signs it, by default
    the agreement's signers (the debtor, the creditor, each additional party, the mediator
    last), as a supplementary agreement has them too."""
    extras = case.extra_parties
    if roles is None:
        roles = ("debtor", "creditor", *(p.signer_role for p in extras), "mediator")
    return signature_rows(
        signed,
        roles,
        {p.signer_role: f"{signer_label(case, p.signer_role)} {p.name}" for p in extras},
    )


def pdf_response(data: bytes, sha256: str, filename: str) -> Response:
    """The exact stored bytes (refused if they no longer match their hash), inline or as
    a download (``?download=1``), framable only by our own signing pages."""
    if documents.sha256_of(data) != sha256:
        abort(500)  # the stored file no longer matches its record: never serve it
    disposition = "attachment" if request.args.get("download") else "inline"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["ETag"] = sha256
    response.headers["X-Content-SHA256"] = sha256
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def page_images(sha256: str, url_of: Callable[[int], str]) -> list[dict[str, Any]]:
    """The file's pages as images for the signing page: each with its URL (``url_of``
    page number), size (so the page does not jump as images arrive) and alt text."""
    sizes = pages.page_sizes(sha256)
    return [
        {
            "url": url_of(n),
            "width": size.width,
            "height": size.height,
            "alt": _("Page %(n)s of %(total)s", n=n, total=len(sizes)),
        }
        for n, size in enumerate(sizes, start=1)
    ]


def page_response(sha256: str, number: int) -> Response:
    """One page of the stored file as a PNG (404 when there is no such page). Like the PDF
    it is not kept by the browser (the app's ``no-store`` for signed-in pages): a phone
    may be shared, and the server keeps the rendered image anyway."""
    try:
        data = pages.page_png(sha256, number)
    except pages.PageNotFound:
        abort(404)
    response = Response(data, mimetype="image/png")
    response.headers["ETag"] = f"{sha256}-{number}"
    return response


def channel_choices(user: User) -> list[tuple[str, str]]:
    """Where the signer's one-time code can go, masked, for the buttons."""
    return [(c.value, _channel_label(c, user)) for c in channels_of(user)]


def _channel_label(channel: Channel, user: User) -> str:
    if channel == Channel.SMS:
        return _("SMS to %(to)s", to=mask_phone(user.phone or ""))
    return _("Email to %(to)s", to=mask_email(user.email or ""))


def requested_channel() -> Channel | None:
    value = request.form.get("channel")
    return Channel(value) if value in {c.value for c in Channel} else None


def announce_code(sent: Channel) -> None:
    """Say where the code went (the outbox sends it as soon as the request is stored)."""
    label = _("text message") if sent == Channel.SMS else _("email")
    # reauth.CODE_MINUTES is 10: the sentence says so.
    flash(
        _("A one-time code was sent by %(channel)s. It is valid for 10 minutes.", channel=label),
        "success",
    )


def typed_form(user: User, stash: prg.Stash | None = None) -> dict[str, str]:
    """The mark fields to show again: what a refused form posted (``stash``), or the
    signer's name at first."""
    if not stash:
        return {"method": "typed", "typed_name": user.name}
    return {"method": stash.value("method", "typed"), "typed_name": stash.value("typed_name")}


def refused_signing(target: str, err: DomainError) -> BaseResponse:
    """Back to the signing page (post/redirect/get) with the mark chosen and the refusal;
    never the password or the code, nor the drawing (too large for the session: drawn
    again)."""
    return prg.redirect_with(
        target, err.message, drop={"drawing", "seen_sha256"}, status=err.status
    )


def signature_form_input(version: int) -> SignatureInput:
    """The posted signing form, as the service takes it (never refused here)."""
    drawn = request.form.get("method") == SignatureMethod.DRAWN.value
    return SignatureInput(
        version=version,
        seen_sha256=request.form.get("seen_sha256", ""),
        password=request.form.get("password", ""),
        code=request.form.get("code", ""),
        method=SignatureMethod.DRAWN if drawn else SignatureMethod.TYPED,
        typed_name=None if drawn else request.form.get("typed_name", "").strip() or None,
        drawn_png=_png(request.form.get("drawing", "")) if drawn else None,
        ip=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )


def _png(value: str) -> bytes:
    """The canvas's PNG, or empty bytes when the data URL is not one."""
    if not value.startswith(_PNG_DATA_URL) or len(value) > _MAX_DATA_URL:
        return b""
    try:
        return base64.b64decode(value[len(_PNG_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError):
        return b""
