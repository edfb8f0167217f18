"""The organisation certifies first, then debtor, creditor and mediator sign into their
fields with visible Chinese stamps; the file stays PDF/A-3b and every signature verifies."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.timestamps import HTTPTimeStamper
from pypdf import PdfReader
from pypdf.generic import ContentStream

from app.documents import pki
from app.documents.signing import (
    CERTIFICATION_REASON,
    ORGANISATION_FIELD,
    SigningError,
    certify,
    sign_field,
    timestamper_for,
)
from app.documents.verification import verify_pdf
from tests.documents.signing_support import (
    CREDITOR,
    DEBTOR,
    EVIDENCE,
    FIELDS,
    MEDIATOR,
    ORGANISATION,
    SIGNERS,
    make_pdf,
    sign_all,
    stamp_lines,
)
from tests.documents.tsa import LocalTsa
from tests.documents.tsa import tsa as tsa  # noqa: F401  (fixture)

SIGNED_NAMES = [ORGANISATION, f"债务人 {DEBTOR}", f"债权人 {CREDITOR}", f"调解员 {MEDIATOR}"]


@pytest.fixture(scope="module")
def pki_paths(tmp_path_factory: pytest.TempPathFactory) -> pki.PkiPaths:
    return pki.create_development_pki(tmp_path_factory.mktemp("pki"), ORGANISATION)


@pytest.fixture(scope="module")
def signer(pki_paths: pki.PkiPaths) -> signers.SimpleSigner:
    return pki.load_signer(pki_paths.p12, pki_paths.passphrase.read_text())


@pytest.fixture(scope="module")
def roots(pki_paths: pki.PkiPaths) -> list:
    return pki.load_trust_roots(pki_paths.ca_pem)


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return make_pdf()


@pytest.fixture(scope="module")
def revisions(unsigned: bytes, signer: signers.SimpleSigner, tsa: LocalTsa) -> list[bytes]:
    return sign_all(unsigned, signer, timestamper=timestamper_for(tsa.url))


@pytest.fixture(scope="module")
def final(revisions: list[bytes]) -> bytes:
    return revisions[-1]


def test_certified_then_signed_three_times_is_accepted_with_every_name(
    final: bytes, roots: list, tsa: LocalTsa
) -> None:
    report = verify_pdf(final, roots, tsa_trust_roots=tsa.trust_roots)
    assert (report.accepted, report.problem) == (True, None)
    assert [s.signer_name for s in report.signatures] == SIGNED_NAMES
    assert [s.field_name for s in report.signatures] == [ORGANISATION_FIELD] + [
        f.name for f in FIELDS
    ]
    assert [s.is_certification for s in report.signatures] == [True, False, False, False]
    assert report.signatures[0].reason.startswith(CERTIFICATION_REASON)
    assert all(s.signing_time.utcoffset() is not None for s in report.signatures)
    assert all(f"Common Name: {ORGANISATION}" in s.certificate_subject for s in report.signatures)
    assert report.signatures[-1].coverage == "ENTIRE_FILE"


def test_every_signature_carries_a_timestamp_from_the_loopback_tsa(
    final: bytes, roots: list, tsa: LocalTsa
) -> None:
    report = verify_pdf(final, roots, tsa_trust_roots=tsa.trust_roots)
    now = dt.datetime.now(dt.UTC)
    for sig in report.signatures:
        assert sig.timestamp_time is not None, sig.field_name
        assert abs(now - sig.timestamp_time) < dt.timedelta(minutes=10)
    assert len(tsa.requests) >= 4


def test_a_timestamp_from_a_tsa_we_do_not_trust_fails_verification(
    final: bytes, roots: list
) -> None:
    report = verify_pdf(final, roots)  # TSA roots default to the organisation's CA only
    assert (report.accepted, report.problem) == (False, "untrusted")


def test_each_revision_along_the_way_is_a_valid_document(
    revisions: list[bytes], roots: list, tsa: LocalTsa
) -> None:
    for count, revision in enumerate(revisions, start=1):
        report = verify_pdf(revision, roots, tsa_trust_roots=tsa.trust_roots)
        assert report.accepted, (count, report.problem)
        assert [s.signer_name for s in report.signatures] == SIGNED_NAMES[:count]


def test_signatures_are_pades_rsa_sha256_and_the_file_is_not_pdf_2(final: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(final))
    for sig in reader.embedded_regular_signatures:
        assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
        assert sig.signer_info["digest_algorithm"]["algorithm"].native == "sha256"
        assert sig.signer_cert.public_key.algorithm == "rsa"
    assert final.startswith(b"%PDF-1.7")
    assert b"/Version /2.0" not in final


def _widgets(pdf: bytes) -> dict[str, dict]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return {str(a.get_object()["/T"]): a.get_object() for a in page["/Annots"]}


def _lines(pdf: bytes, field_name: str) -> list[str]:
    """The stamp's text lines, as its appearance stream tags them (/ActualText)."""
    reader = PdfReader(io.BytesIO(pdf))
    appearance = _widgets(pdf)[field_name]["/AP"]["/N"].get_object()
    operations = ContentStream(appearance, reader).operations
    return [str(operands[1]["/ActualText"]) for operands, op in operations if op == b"BDC"]


def _stamp_cids(appearance: dict) -> dict[str, int]:
    """Each character of the stamp's ToUnicode CMap with the glyph (CID) drawing it."""
    font = appearance["/Resources"]["/Font"]["/F1"].get_object()
    cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
    found: dict[str, int] = {}
    block = ""
    for line in cmap.splitlines():
        tokens = re.findall(r"<([0-9a-fA-F]+)>", line)
        if line.endswith(("beginbfchar", "beginbfrange")):
            block = line.split()[-1]
        elif block == "beginbfchar" and len(tokens) == 2:
            found[bytes.fromhex(tokens[1]).decode("utf-16-be")] = int(tokens[0], 16)
        elif block == "beginbfrange" and "[" in line:
            low = int(tokens[0], 16)
            found.update(
                {bytes.fromhex(t).decode("utf-16-be"): low + i for i, t in enumerate(tokens[2:])}
            )
        elif block == "beginbfrange" and len(tokens) == 3:
            low, high, first = (int(t, 16) for t in tokens)
            found.update({chr(first + i): low + i for i in range(high - low + 1)})
    return found


def _stamp_text(appearance: dict) -> set[str]:
    """Every character the stamp's font maps back to (its ToUnicode CMap)."""
    return set(_stamp_cids(appearance))


def test_visible_stamps_have_appearance_streams_with_the_names_and_the_seal(final: bytes) -> None:
    widgets = _widgets(final)
    assert [float(v) for v in widgets[ORGANISATION_FIELD]["/Rect"]] == [0, 0, 0, 0]
    for spec in FIELDS:
        widget = widgets[spec.name]
        assert [float(v) for v in widget["/Rect"]] == list(spec.box)
        appearance = widget["/AP"]["/N"].get_object()
        assert appearance.get_data().strip()
        assert int(widget["/F"]) & 4  # printable, as PDF/A requires
        has_image = "/XObject" in appearance["/Resources"]
        assert has_image == (spec.name == "sig-mediator")
    for field_name, name, _ in SIGNERS:
        assert _lines(final, field_name) == stamp_lines(name)
    # The stamp's embedded font maps its glyphs back to the signer's name, rare 䶮 included.
    debtor_text = _stamp_text(widgets["sig-debtor"]["/AP"]["/N"].get_object())
    assert set(f"债务人{DEBTOR}签署时间SHA-256") <= debtor_text
    assert "李" not in debtor_text  # the mediator's name is in the mediator's stamp only


def _render(pdf: bytes, tmp_path: Path, name: str) -> Image.Image:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-singlefile", str(source), str(tmp_path / name)],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return Image.open(tmp_path / f"{name}.png").convert("RGB")


def _count(image: Image.Image, box: tuple[float, ...], test) -> int:  # type: ignore[no-untyped-def]
    scale = 50 / 72
    x1, y1, x2, y2 = box
    top = image.height - y2 * scale
    crop = image.crop((int(x1 * scale), int(top), int(x2 * scale), int(top + (y2 - y1) * scale)))
    return sum(1 for pixel in crop.get_flattened_data() if test(pixel))


def test_the_signed_pdf_renders_with_stamps_and_the_seal_drawn(
    revisions: list[bytes], tmp_path: Path
) -> None:
    certified = _render(revisions[0], tmp_path, "certified")
    signed = _render(revisions[-1], tmp_path, "signed")

    def dark(p: tuple[int, int, int]) -> bool:
        return sum(p) < 450

    def red(p: tuple[int, int, int]) -> bool:
        return p[0] > 150 and p[1] < 110 and p[2] < 110

    boxes = {spec.name: spec.box for spec in FIELDS}
    for name, box in boxes.items():
        assert _count(signed, box, dark) > _count(certified, box, dark) + 50, name
    assert _count(signed, boxes["sig-mediator"], red) > 50
    assert _count(signed, boxes["sig-debtor"], red) == 0


def test_pdfa_identification_and_the_attachment_survive_signing(final: bytes) -> None:
    reader = PdfReader(io.BytesIO(final))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
    assert reader.attachments["evidence-1.bin"] == [EVIDENCE]
    assert "/DocMDP" in reader.trailer["/Root"]["/Perms"]
    assert "Producer" not in (reader.metadata or {})


def test_signing_a_field_that_does_not_exist_is_refused(
    revisions: list[bytes], signer: signers.SimpleSigner
) -> None:
    with pytest.raises(SigningError):
        _sign(revisions[0], signer, "sig-nobody", ["无名氏"])


def test_a_filled_field_cannot_be_signed_again(
    revisions: list[bytes], signer: signers.SimpleSigner
) -> None:
    with pytest.raises(SigningError):
        _sign(revisions[1], signer, "sig-debtor", ["债务人 冒名者"])


def test_certifying_a_document_that_already_carries_signatures_is_refused(
    final: bytes, signer: signers.SimpleSigner
) -> None:
    with pytest.raises(SigningError):
        certify(final, signer=signer, fields=[], title="再次出具")


def test_a_percent_sign_in_the_stamp_is_printed_not_interpolated(
    revisions: list[bytes], signer: signers.SimpleSigner, roots: list, tsa: LocalTsa
) -> None:
    signed = _sign(revisions[0], signer, "sig-debtor", ["年利率 3.65%", "%(ts)s"])
    assert verify_pdf(signed, roots, tsa_trust_roots=tsa.trust_roots).accepted
    assert _lines(signed, "sig-debtor") == ["年利率 3.65%", "%(ts)s"]


def test_a_name_cannot_forge_extra_stamp_lines(
    revisions: list[bytes], signer: signers.SimpleSigner
) -> None:
    lines = ["债务人 张三\n签署时间 2020年1月1日", "\u202e名字\x00"]
    signed = _sign(revisions[0], signer, "sig-debtor", lines)
    assert _lines(signed, "sig-debtor") == ["债务人 张三 签署时间 2020年1月1日", " 名字 "]


def _png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 255).save(out, "PNG")
    return out.getvalue()


def test_a_large_drawn_signature_is_scaled_down_in_the_stamp(
    revisions: list[bytes], signer: signers.SimpleSigner
) -> None:
    signed = _sign(revisions[0], signer, "sig-debtor", ["债务人 张三"], seal=_png((2400, 800)))
    appearance = _widgets(signed)["sig-debtor"]["/AP"]["/N"].get_object()
    (image,) = appearance["/Resources"]["/XObject"].values()
    assert (int(image["/Width"]), int(image["/Height"])) == (600, 200)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header (never decodable: refused before decoding)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("seal", "message"),
    [
        (b"not an image", "not a readable PNG"),
        (b"\x89PNG\r\n\x1a\n broken", "not a readable PNG"),
        (_png_header(5000, 4000), "too large: 5000x4000"),  # over our 16 Mpx
        (_png_header(20000, 12000), "too large"),  # over Pillow's bomb limit
    ],
    ids=["text", "cut", "20mpx", "bomb"],
)
def test_an_unreadable_or_enormous_seal_image_is_refused(
    revisions: list[bytes], signer: signers.SimpleSigner, seal: bytes, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _sign(revisions[0], signer, "sig-debtor", ["债务人 张三"], seal=seal)


def test_timestamper_only_when_a_tsa_url_is_configured() -> None:
    assert timestamper_for(None) is None
    assert timestamper_for("") is None
    stamper = timestamper_for("http://tsa.example/")
    assert isinstance(stamper, HTTPTimeStamper)
    assert stamper.url == "http://tsa.example/"


def test_a_document_without_fields_can_be_certified_alone(
    unsigned: bytes, signer: signers.SimpleSigner, roots: list
) -> None:
    report = verify_pdf(certify(unsigned, signer=signer, fields=[], title="t"), roots)
    assert report.accepted
    assert [s.is_certification for s in report.signatures] == [True]


def _sign(
    pdf: bytes,
    signer: signers.SimpleSigner,
    field_name: str,
    lines: list[str],
    seal: bytes | None = None,
) -> bytes:
    return sign_field(
        pdf,
        field_name=field_name,
        signer=signer,
        signer_name=lines[0],
        reason="签署",
        stamp_lines=lines,
        seal_png=seal,
    )


def test_a_rare_character_beyond_concord_sans_is_drawn_in_the_stamp(
    revisions: list[bytes], signer: signers.SimpleSigner, roots: list, tsa: LocalTsa
) -> None:
    """𠮷 (U+20BB7, CJK Ext-B) is not in Concord Sans: the stamp takes it from Concord Serif
    Rare instead of drawing the missing-glyph box (glyph 0) in a signer's name."""
    signed = _sign(revisions[0], signer, "sig-debtor", ["债务人 张𠮷", "签署时间 2026年12月1日"])
    assert verify_pdf(signed, roots, tsa_trust_roots=tsa.trust_roots).accepted
    appearance = _widgets(signed)["sig-debtor"]["/AP"]["/N"].get_object()
    cids = _stamp_cids(appearance)
    assert set("债务人张𠮷签署时间") <= set(cids)
    assert 0 not in cids.values()  # no character is drawn as the missing-glyph box
    assert _lines(signed, "sig-debtor") == ["债务人 张𠮷", "签署时间 2026年12月1日"]
    # The usual stamp keeps Concord Sans itself (its subset carries the font's own name).
    plain = _sign(revisions[0], signer, "sig-debtor", ["债务人 张三"])
    plain_font = _widgets(plain)["sig-debtor"]["/AP"]["/N"].get_object()["/Resources"]["/Font"]
    rare_font = appearance["/Resources"]["/Font"]
    assert "NotoSansSC" in str(plain_font["/F1"].get_object()["/BaseFont"])
    assert "ConcordStamp" in str(rare_font["/F1"].get_object()["/BaseFont"])


def test_the_stamp_prints_a_box_only_for_what_no_face_draws() -> None:
    from app.documents.fonts import missing_stamp_glyphs
    from app.signing.flow import printable

    assert missing_stamp_glyphs("债务人 吉䶮𠮷") == set()  # 𠮷 from the rare face
    assert printable("债务人 吉䶮𠮷") == "债务人 吉䶮𠮷"
    assert printable("债务人 张\ue000") == "债务人 张□"  # a private-use character: no face


def test_the_rare_character_stamp_leaves_no_warning_in_the_log(
    revisions: list[bytes], signer: signers.SimpleSigner, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING"):
        _sign(revisions[0], signer, "sig-debtor", ["债务人 张𠮷"])
    assert not [r for r in caplog.records if "ROS" in r.getMessage()]
