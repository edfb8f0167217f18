"""Is this PDF a genuine, unaltered document signed by us? For ``/verify`` and the CLI.

Accept rule (TECH_NOTES "Signing with pyHanko"): at least one signature, every signature's
``bottom_line`` true (intact, valid, trusted by *our* roots, timestamp good, no disallowed
modification after it) **and** the last signature covers the entire file. pyHanko reports
bytes appended after ``%%EOF`` as "valid" with coverage ENTIRE_REVISION, and an appended
incremental update that changes page content as intact and valid with modification level
OTHER: the two extra checks are what catch them. One more: the bytes of each signature's
``/Contents`` (the only bytes no signature covers) must be exactly the hex of the CMS
object plus zero padding, so not a single byte of an accepted file can differ from what
we issued.

Validation is offline: only the given trust roots, no fetching of certificates, CRLs or
OCSP responses (``allow_fetching=False``), revocation mode "soft-fail" (no revocation
information is available offline; "hard-fail" would reject every document). Signature
timestamps are checked against ``tsa_trust_roots`` (default: the same roots).

Document timestamps (/DocTimeStamp, PAdES B-LTA) are not signatures we make; one appended
to a file leaves the last signature short of the end, so such a file is refused.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from asn1crypto import parser as asn1_parser
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from app.documents.sync import outside_event_loop

T = TypeVar("T")

MAX_BYTES = 50 * 1024 * 1024
# A PDF header may start anywhere in the first 1024 bytes (ISO 32000-1, Annex H.3).
HEADER_WINDOW = 1024
# The end-of-file marker closes the last revision (ISO 32000-1, 7.5.5). pyHanko looks for it
# byte by byte from the end (about 2 µs a byte: 30 s for 15 MB without one), so a file with
# no marker near its end is refused before the parser sees it.
EOF_WINDOW = 4096
# Our documents carry a handful; each costs a diff analysis, so a crafted file with
# thousands would tie up the /verify worker.
MAX_SIGNATURES = 32

PROBLEMS = (
    "too_large",
    "not_pdf",
    "malformed",
    "unsigned",
    "signature_invalid",
    "untrusted",
    "modified_after_signing",
    "not_covering_whole_file",
)


@dataclass(frozen=True)
class SignatureInfo:
    """One signature as a verifier reads it. ``signing_time`` is the signer's claimed time
    (None only when the signature could not be read); ``timestamp_time`` is the trusted
    time from an RFC 3161 token, when there is one."""

    field_name: str
    signer_name: str
    certificate_subject: str
    reason: str | None
    signing_time: datetime | None
    timestamp_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    bottom_line: bool
    coverage: str
    modification_level: str
    is_certification: bool
    timestamp_ok: bool = True
    contents_canonical: bool = True
    certificate_sha256: str = ""


@dataclass(frozen=True)
class VerificationReport:
    accepted: bool
    problem: str | None
    sha256: str
    signatures: list[SignatureInfo] = field(default_factory=list)


def verify_pdf(
    data: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    tsa_trust_roots: Sequence[x509.Certificate] | None = None,
    signer_certificates: Sequence[x509.Certificate] | None = None,
    max_bytes: int = MAX_BYTES,
) -> VerificationReport:
    """Check every signature in ``data``; never raises for bad input (the problem code says
    what is wrong).

    ``signer_certificates`` pins the signing certificates: with a licensed CA as trust root,
    every other customer of that CA chains to it too, so pass the organisation's
    certificates (current and past) to accept only signatures made with them."""
    sha256 = hashlib.sha256(data).hexdigest()
    if len(data) > max_bytes:
        return VerificationReport(False, "too_large", sha256)
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        return VerificationReport(False, "not_pdf", sha256)
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        return VerificationReport(False, "malformed", sha256)
    try:
        reader = PdfFileReader(io.BytesIO(data))
        embedded = list(reader.embedded_regular_signatures)
    except Exception:  # noqa: BLE001  (any parser failure on untrusted bytes is "malformed")
        return VerificationReport(False, "malformed", sha256)
    if not embedded:
        return VerificationReport(False, "unsigned", sha256)
    if len(embedded) > MAX_SIGNATURES:
        return VerificationReport(False, "malformed", sha256)
    roots = list(trust_roots)
    tsa_roots = roots if tsa_trust_roots is None else list(tsa_trust_roots)
    signatures = [_check(data, sig, roots, tsa_roots) for sig in embedded]
    pinned = None if signer_certificates is None else {_fingerprint(c) for c in signer_certificates}
    problem = _problem(signatures, pinned)
    return VerificationReport(problem is None, problem, sha256, signatures)


def _context(roots: list[x509.Certificate]) -> ValidationContext:
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _check(
    data: bytes,
    sig: EmbeddedPdfSignature,
    roots: list[x509.Certificate],
    tsa_roots: list[x509.Certificate],
) -> SignatureInfo:
    try:
        status = outside_event_loop(
            validate_pdf_signature,
            sig,
            signer_validation_context=_context(roots),
            ts_validation_context=_context(tsa_roots),
        )
        canonical = bool(_safe(lambda: _canonical(data, sig)))
        return _info(sig, status, contents_canonical=canonical)
    except Exception:  # noqa: BLE001  (a broken CMS blob or signature dictionary)
        return _unreadable(sig)


def _canonical(data: bytes, sig: EmbeddedPdfSignature) -> bool:
    """The unsigned gap holds ``<hex of the DER CMS object, then zeros>`` and nothing else."""
    _, end_first, start_second, _ = (int(n) for n in sig.byte_range)
    contents = sig.pkcs7_content
    _, _, _, header, body, trailer = asn1_parser.parse(contents, strict=False)
    if any(contents[len(header) + len(body) + len(trailer) :]):
        return False
    hexed = contents.hex().encode()
    return data[end_first:start_second] in (b"<" + hexed + b">", b"<" + hexed.upper() + b">")


def _info(
    sig: EmbeddedPdfSignature, status: PdfSignatureStatus, *, contents_canonical: bool
) -> SignatureInfo:
    ts = status.timestamp_validity
    cert = status.signing_cert
    return SignatureInfo(
        field_name=_safe(lambda: str(sig.field_name)) or "",
        signer_name=_pdf_name(sig) or _common_name(cert),
        certificate_subject=cert.subject.human_friendly,
        reason=_text(sig.sig_object.get("/Reason")),
        signing_time=status.signer_reported_dt,
        timestamp_time=ts.timestamp if ts is not None else None,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        bottom_line=bool(status.bottom_line),
        coverage=status.coverage.name if status.coverage is not None else "UNCLEAR",
        modification_level=(
            status.modification_level.name if status.modification_level is not None else "NONE"
        ),
        is_certification=sig.docmdp_level is not None,
        timestamp_ok=ts is None or bool(ts.intact and ts.valid and ts.trusted),
        contents_canonical=contents_canonical,
        certificate_sha256=_fingerprint(cert),
    )


def _unreadable(sig: EmbeddedPdfSignature) -> SignatureInfo:
    return SignatureInfo(
        field_name=_safe(lambda: str(sig.field_name)) or "",
        signer_name=_safe(lambda: _pdf_name(sig)) or "",
        certificate_subject="",
        reason=_safe(lambda: _text(sig.sig_object.get("/Reason"))),
        signing_time=None,
        timestamp_time=None,
        intact=False,
        valid=False,
        trusted=False,
        bottom_line=False,
        coverage=SignatureCoverageLevel.UNCLEAR.name,
        modification_level="UNKNOWN",
        is_certification=bool(_safe(lambda: sig.docmdp_level is not None)),
        timestamp_ok=False,
        contents_canonical=False,
    )


def _problem(signatures: list[SignatureInfo], pinned: set[str] | None) -> str | None:
    """The first thing wrong, most serious first; None when the document is accepted."""
    if any(not (s.intact and s.valid and s.contents_canonical) for s in signatures):
        return "signature_invalid"
    if any(not (s.trusted and s.timestamp_ok) for s in signatures):
        return "untrusted"
    if pinned is not None and any(s.certificate_sha256 not in pinned for s in signatures):
        return "untrusted"
    if any(not s.bottom_line and s.modification_level not in _ALLOWED for s in signatures):
        return "modified_after_signing"
    if signatures[-1].coverage != SignatureCoverageLevel.ENTIRE_FILE.name:
        return "not_covering_whole_file"
    if any(not s.bottom_line for s in signatures):
        return "signature_invalid"
    return None


# What may follow a signature in our flow: nothing, or the next signer filling their field.
_ALLOWED = {m.name for m in (ModificationLevel.NONE, ModificationLevel.FORM_FILLING)}


def _fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def _pdf_name(sig: EmbeddedPdfSignature) -> str:
    return _text(sig.sig_object.get("/Name")) or ""


def _common_name(cert: x509.Certificate) -> str:
    return str(cert.subject.native.get("common_name", ""))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _safe(read: Callable[[], T]) -> T | None:
    try:
        return read()
    except Exception:  # noqa: BLE001
        return None
