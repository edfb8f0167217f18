"""The organisation's signing key and the trust roots documents are verified against.

Production uses a PKCS#12 file issued by a licensed CA (configuration: ``SIGNING_P12_PATH``,
``SIGNING_P12_PASSWORD``, ``SIGNING_CA_PATH``). For development and tests,
``create_development_pki`` makes a self-signed CA and an organisation certificate signed by
it; the development CA's private key is never written anywhere, so nothing else can ever
be issued under it. Keys are RSA: pyHanko marks ECDSA-signed files PDF 2.0, which breaks
PDF/A-3b.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.sign import signers
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

DEV_CA_NAME = "Concord Development CA — not for production"
CA_YEARS = 10
ORGANISATION_YEARS = 3
KEY_BITS = 3072
CA_FILE = "ca.pem"
P12_FILE = "organisation.p12"
PASSPHRASE_FILE = "passphrase"  # noqa: S105  (a file name, not a secret)


class PkiError(RuntimeError):
    """The signing key or the trust roots cannot be loaded."""


@dataclass(frozen=True)
class PkiPaths:
    directory: Path
    ca_pem: Path
    p12: Path
    passphrase: Path

    @classmethod
    def in_directory(cls, directory: Path) -> PkiPaths:
        return cls(
            directory=directory,
            ca_pem=directory / CA_FILE,
            p12=directory / P12_FILE,
            passphrase=directory / PASSPHRASE_FILE,
        )

    def complete(self) -> bool:
        return self.ca_pem.is_file() and self.p12.is_file() and self.passphrase.is_file()


def create_development_pki(
    directory: Path, organisation_name: str, *, force: bool = False
) -> PkiPaths:
    """Write a development CA (``ca.pem``), the organisation's key and certificate with the
    CA chain (``organisation.p12``) and the p12's random passphrase (``passphrase``).

    Does nothing when all three files exist, unless ``force``. The CA's name says it is not
    for production: documents signed with it are trusted only by this installation.
    """
    paths = PkiPaths.in_directory(directory)
    if paths.complete() and not force:
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    ca_cert = _ca_certificate(ca_key, now)
    org_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    org_cert = _organisation_certificate(org_key, organisation_name, ca_cert, ca_key, now)
    passphrase = secrets.token_urlsafe(32)
    p12 = pkcs12.serialize_key_and_certificates(
        name=organisation_name.encode(),
        key=org_key,
        cert=org_cert,
        cas=[ca_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )
    _write(paths.passphrase, passphrase.encode(), 0o600)
    _write(paths.p12, p12, 0o600)
    _write(paths.ca_pem, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return paths


def _ca_certificate(key: rsa.RSAPrivateKey, now: dt.datetime) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEV_CA_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Concord (development)"),
        ]
    )
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _organisation_certificate(
    key: rsa.RSAPrivateKey,
    organisation_name: str,
    ca_cert: x509.Certificate,
    ca_key: rsa.RSAPrivateKey,
    now: dt.datetime,
) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name),
            x509.NameAttribute(NameOID.COMMON_NAME, organisation_name),
        ]
    )
    public = key.public_key()
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * ORGANISATION_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write via a temporary file created with ``mode`` and rename it into place, so a key
    is never readable by others, not even for a moment, and never half-written."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_passphrase(p12_path: Path, configured: str | None) -> str:
    """The configured passphrase, else the one ``pki init`` wrote next to the p12 file."""
    if configured:
        return configured
    sidecar = p12_path.parent / PASSPHRASE_FILE
    try:
        return sidecar.read_text().strip()
    except OSError as exc:
        raise PkiError(
            f"no passphrase for {p12_path}: set SIGNING_P12_PASSWORD "
            f"(or run `flask pki init` in development)"
        ) from exc


def load_signer(p12_path: Path, passphrase: str | bytes | None) -> signers.SimpleSigner:
    """The organisation's signer (key, certificate and CA chain) from a PKCS#12 file.

    A None passphrase means the development one ``pki init`` wrote next to the file (read
    now, so a PKI created after the settings were read still works)."""
    if passphrase is None:
        passphrase = read_passphrase(Path(p12_path), None)
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    try:
        data = Path(p12_path).read_bytes()
        loaded = signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=secret)
    except (OSError, ValueError) as exc:
        raise PkiError(f"cannot load the signing key from {p12_path}: {exc}") from exc
    return _ParsedKeySigner(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
    )


class _ParsedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses the private key again for every raw signature (twice
    per PDF signature, ~85 ms each for RSA-3072); this one parses it once."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = serialization.load_der_private_key(
            self.signing_key.dump(), password=None
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        key = self._private_key
        if mechanism["algorithm"].native in _PKCS1_V15 and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


_PKCS1_V15 = {"rsassa_pkcs1v15", "sha256_rsa", "sha384_rsa", "sha512_rsa"}


def load_trust_roots(ca_path: Path) -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM (or single DER) file, as pyHanko's validator wants them."""
    try:
        data = Path(ca_path).read_bytes()
    except OSError as exc:
        raise PkiError(f"cannot read the trust roots in {ca_path}: {exc}") from exc
    try:
        blobs = [der for _, _, der in pem.unarmor(data, True)] if pem.detect(data) else [data]
        roots = [asn1_x509.Certificate.load(der) for der in blobs]
        for root in roots:
            root.subject.native  # noqa: B018  (asn1crypto parses lazily: fail here, not later)
        return roots
    except ValueError as exc:
        raise PkiError(f"{ca_path} holds no readable certificate: {exc}") from exc
