"""What ``/verify`` must refuse: every alteration of a signed agreement, files we never
signed, and things that are not PDFs at all. ``verify_pdf`` never raises."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

from app.documents import pki
from app.documents.signing import certify, timestamper_for
from app.documents.verification import PROBLEMS, verify_pdf
from tests.documents.signing_support import (
    DEBTOR,
    ORGANISATION,
    add_page_content,
    make_pdf,
    sign_all,
)
from tests.documents.tsa import LocalTsa
from tests.documents.tsa import tsa as tsa  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def pki_paths(tmp_path_factory: pytest.TempPathFactory) -> pki.PkiPaths:
    return pki.create_development_pki(tmp_path_factory.mktemp("pki"), ORGANISATION)


@pytest.fixture(scope="module")
def signer(pki_paths: pki.PkiPaths) -> signers.SimpleSigner:
    return pki.load_signer(pki_paths.p12, None)  # the passphrase file next to the p12


@pytest.fixture(scope="module")
def roots(pki_paths: pki.PkiPaths) -> list:
    return pki.load_trust_roots(pki_paths.ca_pem)


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return make_pdf()


@pytest.fixture(scope="module")
def final(unsigned: bytes, signer: signers.SimpleSigner) -> bytes:
    return sign_all(unsigned, signer)[-1]


@pytest.fixture(scope="module")
def foreign(unsigned: bytes, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The same agreement, signed in our organisation's name by a CA we never trusted."""
    other = pki.create_development_pki(tmp_path_factory.mktemp("other"), ORGANISATION)
    return sign_all(unsigned, pki.load_signer(other.p12, None))[-1]


def test_the_genuine_document_is_accepted(final: bytes, roots: list) -> None:
    report = verify_pdf(final, roots)
    assert (report.accepted, report.problem) == (True, None)
    assert len(report.signatures) == 4
    assert all(s.bottom_line and s.intact and s.valid and s.trusted for s in report.signatures)
    assert [s.timestamp_time for s in report.signatures] == [None] * 4  # no TSA configured


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _flip_in_page_content(data: bytes) -> bytes:
    # Inside the first content stream: the agreement's own text, covered by every signature.
    start = data.index(b"stream", data.index(b"/Filter /FlateDecode")) + 20
    return _flip(data, start)


def _flip_in_signature_padding(data: bytes) -> bytes:
    # In the zero padding of the last /Contents: the one stretch no signature covers.
    return _flip(data, data.rindex(b"/ByteRange") - 40)


def _flip_in_last_reason(data: bytes) -> bytes:
    # The mediator's /Reason text: covered by the mediator's own signature.
    return _flip(data, data.rindex(b"/Reason") + 12)


def _flip_in_last_revision(data: bytes) -> bytes:
    # Inside the mediator's signature dictionary, after its /Contents.
    return _flip(data, data.rindex(b"/Type /Sig") + 8)


ATTACKS: list[tuple[str, Callable[[bytes], bytes], set[str]]] = [
    ("byte flipped in page content", _flip_in_page_content, {"signature_invalid", "malformed"}),
    (
        "byte flipped in last revision",
        _flip_in_last_revision,  # /Sig becomes /Sih: no longer a signature, so uncovered
        {"signature_invalid", "malformed", "not_covering_whole_file"},
    ),
    ("byte flipped in last reason", _flip_in_last_reason, {"signature_invalid"}),
    ("byte flipped in signature padding", _flip_in_signature_padding, {"signature_invalid"}),
    ("truncated by 1 KB", lambda d: d[:-1024], {"malformed", "signature_invalid"}),
    ("truncated to half", lambda d: d[: len(d) // 2], {"malformed", "unsigned"}),
    ("update adds page content", add_page_content, {"modified_after_signing"}),
    ("bytes after %%EOF", lambda d: d + b"\n% appended\n", {"not_covering_whole_file"}),
    (
        "a whole PDF after %%EOF",
        lambda d: d + make_pdf(attach=False),
        {"not_covering_whole_file", "malformed"},
    ),
]


@pytest.mark.parametrize(("attack", "alter", "problems"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_an_altered_document_is_refused(
    final: bytes, roots: list, attack: str, alter: Callable[[bytes], bytes], problems: set[str]
) -> None:
    report = verify_pdf(alter(final), roots)
    assert not report.accepted
    assert report.problem in problems


def test_an_incremental_update_keeps_old_signatures_intact_but_flags_the_change(
    final: bytes, roots: list
) -> None:
    report = verify_pdf(add_page_content(final), roots)
    assert all(s.intact and s.valid and s.trusted for s in report.signatures)
    assert report.signatures[-1].modification_level == "OTHER"
    assert report.signatures[-1].coverage == "ENTIRE_REVISION"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "not_pdf"),
        (b"\x00" * 4096, "not_pdf"),
        (bytes(random.Random(5).randrange(256) for _ in range(20000)), "not_pdf"),
        ("<!doctype html><html><body>调解协议书.pdf</body></html>".encode(), "not_pdf"),
        (b"%PDF-1.7\n" + b"garbage " * 500, "malformed"),
        (b"%PDF-1.7\n%%EOF\n", "malformed"),
    ],
    ids=["empty", "zeros", "random", "html", "pdf-header-garbage", "header-and-eof"],
)
def test_things_that_are_not_pdfs_are_refused(data: bytes, problem: str, roots: list) -> None:
    report = verify_pdf(data, roots)
    assert (report.accepted, report.problem) == (False, problem)


def test_an_unsigned_pdf_is_refused(unsigned: bytes, roots: list) -> None:
    assert verify_pdf(unsigned, roots).problem == "unsigned"


def test_a_pdf_signed_by_another_ca_is_untrusted_even_with_our_name(
    foreign: bytes, roots: list
) -> None:
    report = verify_pdf(foreign, roots)
    assert (report.accepted, report.problem) == (False, "untrusted")
    assert report.signatures[0].signer_name == ORGANISATION
    assert all(s.intact and s.valid and not s.trusted for s in report.signatures)


def test_our_document_with_a_forged_extra_signature_is_untrusted(
    final: bytes, roots: list, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = pki.create_development_pki(tmp_path_factory.mktemp("forger"), ORGANISATION)
    writer = IncrementalPdfFileWriter(io.BytesIO(final))
    meta = signers.PdfSignatureMetadata(
        field_name="extra", subfilter=SigSeedSubFilter.PADES, name="调解员 李四"
    )
    forged = signers.sign_pdf(writer, meta, signer=pki.load_signer(other.p12, None)).getvalue()
    report = verify_pdf(forged, roots)
    assert (report.accepted, report.problem) == (False, "untrusted")
    assert len(report.signatures) == 5


def test_no_trust_roots_means_nothing_is_trusted(final: bytes) -> None:
    assert verify_pdf(final, []).problem == "untrusted"  # never the system's TLS roots


def test_the_signer_name_falls_back_to_the_certificate(
    unsigned: bytes, signer: signers.SimpleSigner, roots: list
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned))
    meta = signers.PdfSignatureMetadata(field_name="plain", subfilter=SigSeedSubFilter.PADES)
    data = signers.sign_pdf(writer, meta, signer=signer).getvalue()
    report = verify_pdf(data, roots)
    assert report.accepted
    assert report.signatures[0].signer_name == ORGANISATION
    assert report.signatures[0].is_certification is False


def test_a_file_over_the_limit_is_refused_quickly_without_parsing(roots: list) -> None:
    data = b"%PDF-1.7\n" + b"\x00" * (50 * 1024 * 1024 + 1 - 9)
    started = time.perf_counter()
    report = verify_pdf(data, roots)
    assert (report.accepted, report.problem) == (False, "too_large")
    assert time.perf_counter() - started < 1.0
    assert verify_pdf(b"%PDF-1.7\n", roots, max_bytes=8).problem == "too_large"


def test_the_report_hashes_the_exact_bytes(final: bytes, roots: list) -> None:
    assert verify_pdf(final, roots).sha256 == hashlib.sha256(final).hexdigest()
    assert verify_pdf(b"", roots).sha256 == hashlib.sha256(b"").hexdigest()


def test_random_damage_never_raises_and_is_never_accepted(final: bytes, roots: list) -> None:
    rng = random.Random(20261128)
    # Positions inside the signed byte ranges of the first signature.
    for _ in range(25):
        at = rng.randrange(200, len(final) // 3)
        report = verify_pdf(_flip(final, at), roots)
        assert report.problem in PROBLEMS
        assert not report.accepted, at


def test_timestamped_document_verifies_against_the_tsa_roots(
    unsigned: bytes, signer: signers.SimpleSigner, roots: list, tsa: LocalTsa
) -> None:
    certified = certify(
        unsigned, signer=signer, fields=[], title="t", timestamper=timestamper_for(tsa.url)
    )
    report = verify_pdf(certified, roots, tsa_trust_roots=tsa.trust_roots)
    assert report.accepted
    assert report.signatures[0].timestamp_time is not None
    assert verify_pdf(certified, roots, tsa_trust_roots=[]).problem == "untrusted"


def test_names_with_rare_characters_are_read_back(final: bytes, roots: list) -> None:
    names = [s.signer_name for s in verify_pdf(final, roots).signatures]
    assert f"债务人 {DEBTOR}" in names


def _customer_of(ca: tuple, name: str, directory: Path) -> tuple[signers.SimpleSigner, object]:
    """A certificate for ``name`` issued by the given CA, as a loaded signer."""
    ca_cert, ca_key = ca
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = pki._organisation_certificate(key, name, ca_cert, ca_key, now)
    path = directory / f"{len(list(directory.iterdir()))}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            None, key, cert, [ca_cert], serialization.BestAvailableEncryption(b"pw")
        )
    )
    signer = pki.load_signer(path, "pw")
    return signer, signer.signing_cert


def test_pinning_refuses_another_customer_of_the_same_ca(unsigned: bytes, tmp_path: Path) -> None:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_cert = pki._ca_certificate(ca_key, dt.datetime.now(dt.UTC))
    roots = [asn1_x509.Certificate.load(ca_cert.public_bytes(serialization.Encoding.DER))]
    ours, our_cert = _customer_of((ca_cert, ca_key), ORGANISATION, tmp_path)
    theirs, _ = _customer_of((ca_cert, ca_key), "别的调解中心", tmp_path)
    by_them = certify(unsigned, signer=theirs, fields=[], title="t")
    by_us = certify(unsigned, signer=ours, fields=[], title="t")
    assert verify_pdf(by_them, roots).accepted  # it does chain to the shared CA
    report = verify_pdf(by_them, roots, signer_certificates=[our_cert])
    assert (report.accepted, report.problem) == (False, "untrusted")
    report = verify_pdf(by_us, roots, signer_certificates=[our_cert])
    assert report.accepted
    assert report.signatures[0].certificate_sha256 == hashlib.sha256(our_cert.dump()).hexdigest()


def test_a_file_with_too_many_signatures_is_refused_before_checking_them(
    final: bytes, roots: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.documents import verification

    monkeypatch.setattr(verification, "MAX_SIGNATURES", 3)
    report = verify_pdf(final, roots)
    assert (report.accepted, report.problem, report.signatures) == (False, "malformed", [])


def test_a_file_with_no_end_marker_is_refused_before_the_parser_sees_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pyHanko looks for %%EOF byte by byte from the end: seconds for a few MB of junk.
    def parser(*args: object, **kw: object) -> None:
        raise AssertionError("the parser was asked to read it")

    monkeypatch.setattr("app.documents.verification.PdfFileReader", parser)
    assert verify_pdf(b"%PDF-1.7\n" + b"\0" * (5 * 1024 * 1024), []).problem == "malformed"
