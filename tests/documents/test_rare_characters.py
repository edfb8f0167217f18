"""Names with rare characters render from the project's own fonts, never the host's.

王𠮷 (U+20BB7, CJK Ext-B) is outside Noto Serif SC; it used to come out right only because
the test machines have Debian's fonts-noto-cjk. Here each PDF is rendered in a subprocess
whose fontconfig (FONTCONFIG_FILE) knows no system font at all, or only the project's font
directories, and the embedded font's glyph for 𠮷 is read back: a real outline in
"Concord Serif Rare" (static/fonts/NotoSerifSC-Regular-ExtB.otf, app.documents.fonts), and
.notdef (an empty box) when that face is left out, which shows the check can fail.
``pdftotext`` would read 𠮷 in both PDFs (ToUnicode), so text alone proves nothing.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pylopdf_fonts_zh_cn
import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from app.documents.fonts import FONT_FILES, missing_glyphs

NAME = "王𠮷"
RARE = "𠮷"
RENDER = """
import sys
from pathlib import Path
from app.documents import fonts
from app.documents.render import render_pdf
if sys.argv[2] == "without-rare":
    fonts._FACES = tuple(face for face in fonts._FACES if face[2] != "serif_rare")
context = {
    "org": {"name": "测试调解中心", "registration_number": "1", "address": "北京", "phone": "1"},
    "reference": "HZ-2026-1",
    "document_title": "字形测试",
    "name": sys.argv[3],
}
templates = [Path("tests/documents/templates")]
Path(sys.argv[1]).write_bytes(render_pdf("rare_name.html", context, template_dirs=templates).data)
"""


def _fontconfig(tmp_path: Path, dirs: list[Path]) -> Path:
    """A fontconfig file that lists only ``dirs`` (none: no font but the @font-face ones)."""
    listed = "".join(f"<dir>{d}</dir>" for d in dirs)
    path = tmp_path / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig>{listed}<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    return path


def _render(tmp_path: Path, fontconfig: Path, variant: str = "project") -> bytes:
    out = tmp_path / f"{variant}.pdf"
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig), "PYTHONWARNINGS": "ignore"}
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", RENDER, str(out), variant, NAME],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return out.read_bytes()


def _glyphs_for(pdf: bytes, char: str) -> list[tuple[str, int, bool]]:
    """(font name, CID, has an outline) of every embedded font that maps ``char``. The code
    becomes a CID through the font's encoding (Identity-H, or WeasyPrint's own CMap, which
    sends a character the font lacks to CID 0); the CID is the glyph index of the embedded
    CFF (Adobe-Identity-0)."""
    target = char.encode("utf-16-be").hex().lower()
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            unicode_map = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            pairs = re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", unicode_map)
            codes = [int(code, 16) for code, text in pairs if text.lower() == target]
            if not codes:
                continue
            cids = _code_to_cid(font)
            descendant = font["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"].get_object()["/FontFile3"].get_object()
            embedded = TTFont(io.BytesIO(program.get_data()))
            order, glyphs = embedded.getGlyphOrder(), embedded.getGlyphSet()
            for code in codes:
                cid = cids(code)
                pen = BoundsPen(glyphs)
                if 0 < cid < len(order):
                    glyphs[order[cid]].draw(pen)
                found.append((str(font["/BaseFont"]), cid, pen.bounds is not None))
    return found


def _code_to_cid(font: object) -> object:
    encoding = font["/Encoding"]  # type: ignore[index]
    if encoding == "/Identity-H":
        return lambda code: code
    data = encoding.get_object().get_data().decode("latin-1")
    table = {int(c, 16): int(cid) for c, cid in re.findall(r"<([0-9A-Fa-f]+)>\s+(\d+)", data)}
    return lambda code: table.get(code, 0)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("rare")
    bare = _fontconfig(tmp_path_factory.mktemp("bare"), [])
    project_fonts = [
        PROJECT_ROOT / "static" / "fonts",
        Path(pylopdf_fonts_zh_cn.serif_path()).parent,
    ]
    project = _fontconfig(tmp_path_factory.mktemp("project"), project_fonts)
    return {
        "bare": _render(tmp, bare),
        "project_dirs": _render(tmp, project, "project"),
        "without_rare": _render(tmp, bare, "without-rare"),
    }


@pytest.mark.parametrize("setup", ["bare", "project_dirs"])
def test_a_name_in_cjk_ext_b_is_drawn_from_the_projects_rare_face(
    rendered: dict[str, bytes], setup: str
) -> None:
    found = _glyphs_for(rendered[setup], RARE)
    assert found, "no font maps 𠮷"
    assert all(cid != 0 and outlined for _name, cid, outlined in found), found
    assert {name.split("+")[-1] for name, _cid, _ok in found} == {"Concord-Serif-Rare"}
    # The common character still comes from the body face.
    assert {n.split("+")[-1] for n, _c, _o in _glyphs_for(rendered[setup], "王")} == {
        "Concord-Serif"
    }


def test_without_the_rare_face_the_name_is_an_empty_box(rendered: dict[str, bytes]) -> None:
    """The control: the same render without "Concord Serif Rare" maps 𠮷 to .notdef."""
    found = _glyphs_for(rendered["without_rare"], RARE)
    assert found and all(cid == 0 for _name, cid, _ok in found), found


def test_the_rare_face_ships_with_the_project_and_is_counted_by_missing_glyphs() -> None:
    path = Path(FONT_FILES["serif_rare"])
    assert path.is_relative_to(PROJECT_ROOT / "static" / "fonts")
    assert path.stat().st_size < 2 * 1024 * 1024
    assert missing_glyphs(NAME) == set()
    # The face covers the Ext-B characters in use, not all 42,000: the rest are still
    # reported, so a name with one is warned about before it reaches a PDF.
    with TTFont(str(path), lazy=True) as face:
        covered = face.getBestCmap()
    uncovered = next(chr(c) for c in range(0x20000, 0x2A6E0) if c not in covered)
    assert missing_glyphs(f"王{uncovered}") == {uncovered}
