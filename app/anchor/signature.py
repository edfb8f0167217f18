"""Detached signatures over a checkpoint's bytes, with the organisation's key.

The key and certificate are the ones every PDF is signed with (``SIGNING_P12_PATH``; in
development the PKCS#12 ``flask pki init`` wrote, its passphrase beside it). A signature is
accepted only with a certificate issued by one of the trust roots (``SIGNING_CA_PATH``) and
valid at the checkpoint's time: a key of one's own, with a certificate of one's own, proves
nothing.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from flask import current_app

# Beside the development PKCS#12 (``app.documents.pki``).
PASSPHRASE_FILE = "passphrase"  # noqa: S105  (a file name, not a secret)


class CheckpointKeyError(RuntimeError):
    """The organisation's key or the trust roots cannot be loaded."""


@dataclass(frozen=True)
class CheckpointKey:
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def certificate_b64(self) -> str:
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return base64.b64encode(der).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    def sign(self, data: bytes) -> str:
        key = self.private_key
        if isinstance(key, rsa.RSAPrivateKey):
            raw = key.sign(data, PKCS1v15(), hashes.SHA256())
        else:
            raw = key.sign(data, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(raw).decode("ascii")


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def organisation_key() -> CheckpointKey:
    settings = current_app.config["SETTINGS"]
    return _load_key(str(settings.signing_p12_path), settings.signing_p12_password)


@cache
def _load_key(p12_path: str, password: str | None) -> CheckpointKey:
    path = Path(p12_path)
    try:
        if password is None:
            password = (path.parent / PASSPHRASE_FILE).read_text().strip()
        key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), password.encode())
    except (OSError, ValueError) as exc:
        raise CheckpointKeyError(f"cannot load the signing key from {path}: {exc}") from exc
    if cert is None or not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CheckpointKeyError(f"{path} holds no RSA or EC key with its certificate")
    return CheckpointKey(key, cert)


def trust_roots() -> list[x509.Certificate]:
    path = Path(current_app.config["SETTINGS"].signing_ca_path)
    try:
        data = path.read_bytes()
        return x509.load_pem_x509_certificates(data)
    except (OSError, ValueError) as exc:
        raise CheckpointKeyError(f"cannot read the trust roots in {path}: {exc}") from exc


def check(
    data: bytes,
    signature_b64: str,
    certificate_b64: str,
    *,
    signed_at: datetime,
    roots: list[x509.Certificate],
) -> str | None:
    """Why the signature over ``data`` is not the organisation's, or ``None`` if it is."""
    try:
        cert = _certificate(certificate_b64)
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return "the signature or certificate is not readable"
    if not any(_issued_by(cert, root) for root in roots):
        return "the certificate is not issued by a trusted root"
    if not cert.not_valid_before_utc <= signed_at <= cert.not_valid_after_utc:
        return "the certificate was not valid at the checkpoint's time"
    public = cert.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return "the certificate's key type is not supported"
    except InvalidSignature:
        return "the signature does not match the checkpoint"
    return None


@cache
def _certificate(certificate_b64: str) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode(certificate_b64, validate=True))


def certificate_fingerprint(certificate_b64: str) -> str | None:
    try:
        return fingerprint(_certificate(certificate_b64))
    except ValueError:
        return None


def _issued_by(cert: x509.Certificate, root: x509.Certificate) -> bool:
    if cert == root:
        return True
    try:
        cert.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
