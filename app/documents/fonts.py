"""The fonts every PDF is set in, and a check for characters they cannot draw.

Regular faces come from the pinned pip package ``pylopdf-fonts-zh-cn`` (Noto Serif SC and
Noto Sans SC, SIL OFL 1.1); the bold face is a GB2312 subset of Noto Serif CJK SC Bold that
ships in ``static/fonts/`` (made by ``tools/make_bold_font.py``). The bold face has no
rare characters, so it is for fixed headings only: never put user text in bold.

Rare characters beyond the Basic Multilingual Plane (CJK Ext-B and later, e.g. 𠮷 U+20BB7
in names) come from ``Concord Serif Rare``, the supplementary-plane ideographs of Noto
Serif CJK SC Regular that ship in ``static/fonts/`` (``tools/make_rare_font.py``). It is the
second family of every document's font-family list (``FONT_STACK``), so a PDF never depends
on the fonts the server happens to have.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import pylopdf_fonts_zh_cn
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont

from app.config import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
SERIF_FAMILY = "Concord Serif"
SANS_FAMILY = "Concord Sans"
RARE_FAMILY = "Concord Serif Rare"
# The font-family lists of the document stylesheets (templates/documents/).
FONT_STACK = f'"{SERIF_FAMILY}", "{RARE_FAMILY}"'
SANS_STACK = f'"{SANS_FAMILY}", "{RARE_FAMILY}"'

FONT_FILES: Mapping[str, Path] = MappingProxyType(
    {
        "serif": pylopdf_fonts_zh_cn.serif_path(),
        "serif_bold": STATIC_DIR / "fonts" / "NotoSerifSC-Bold-GB2312.otf",
        "sans": pylopdf_fonts_zh_cn.sans_path(),
        "serif_rare": STATIC_DIR / "fonts" / "NotoSerifSC-Regular-ExtB.otf",
    }
)

# (family, weight, key in FONT_FILES)
_FACES = (
    (SERIF_FAMILY, 400, "serif"),
    (SERIF_FAMILY, 700, "serif_bold"),
    (SANS_FAMILY, 400, "sans"),
    (RARE_FAMILY, 400, "serif_rare"),
)


def font_face_css() -> str:
    """@font-face rules for the document families, each pointing at one font file.

    The URIs are ``file://`` URIs of the exact files, which the asset fetcher allows.
    """
    rules = []
    for family, weight, key in _FACES:
        uri = Path(FONT_FILES[key]).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'font-style: normal; src: url("{uri}") format("opentype"); }}'
        )
    return "\n".join(rules) + "\n"


@lru_cache(maxsize=4)
def _code_points(path: Path) -> frozenset[int]:
    font = TTFont(str(path), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` that neither the regular serif face nor the rare face
    has a glyph for.

    Whitespace is ignored. Noto Serif SC covers GB2312, GBK, the URO and CJK Ext-A
    (e.g. 䶮 U+4DAE); the rare face adds about 2,300 ideographs of Ext-B and later (e.g.
    𠮷 U+20BB7), not all of them: callers warn before a name with a character missing
    from both goes into a PDF, where it would show as an empty box.
    """
    covered = _code_points(Path(FONT_FILES["serif"])) | _code_points(Path(FONT_FILES["serif_rare"]))
    return {ch for ch in text if not ch.isspace() and ord(ch) not in covered}


def missing_stamp_glyphs(text: str) -> set[str]:
    """The characters of ``text`` the visible signature stamp cannot draw: those neither
    the sans face nor the rare face has (:func:`stamp_font_with_rare`)."""
    covered = _code_points(Path(FONT_FILES["sans"])) | _code_points(Path(FONT_FILES["serif_rare"]))
    return {ch for ch in text if not ch.isspace() and ord(ch) not in covered}


@lru_cache(maxsize=2)
def _font(key: str) -> TTFont:
    """One of :data:`FONT_FILES`, opened once per process (lazily: only the tables read)."""
    return TTFont(str(FONT_FILES[key]), lazy=True)


def stamp_font_with_rare(text: str) -> bytes | None:
    """A signature stamp's font when Concord Sans cannot draw some character of ``text``
    (a name with a rare character, 𠮷 U+20BB7): a small OpenType CFF font of the text's
    characters, each drawn from Concord Sans or, when it lacks one, from Concord Serif
    Rare; None when Concord Sans draws them all. pyHanko sets a stamp in one font with no
    fallback (``app.documents.signing``), so the two are joined into one for the stamp.
    A character neither font has is left out (shown as the missing-glyph box)."""
    wanted = sorted({ord(c) for c in text if c != "\n"})  # spaces too: they have widths
    if set(wanted) <= _code_points(Path(FONT_FILES["sans"])):
        return None
    # The two faces are opened once per process and read lazily (fontTools decompiles a
    # table or a glyph when first asked), which is not safe from two threads at once: a
    # web worker's threads may sign at the same moment.
    with _FACES_LOCK:
        return _build_stamp_font(wanted)


_FACES_LOCK = threading.Lock()


def _build_stamp_font(wanted: list[int]) -> bytes:
    sans, rare = _font("sans"), _font("serif_rare")
    sans_cmap, rare_cmap = sans.getBestCmap(), rare.getBestCmap()
    charstrings: dict[str, object] = {}
    metrics: dict[str, tuple[int, int]] = {}
    cmap: dict[int, str] = {}

    def take(font: TTFont, glyph: str, name: str) -> None:
        glyphs = font.getGlyphSet()
        pen = T2CharStringPen(glyphs[glyph].width, glyphs)
        glyphs[glyph].draw(pen)
        charstrings[name] = pen.getCharString()
        metrics[name] = font["hmtx"][glyph]

    take(sans, ".notdef", ".notdef")
    for cp in wanted:
        for face, face_cmap in ((sans, sans_cmap), (rare, rare_cmap)):
            if cp in face_cmap:
                name = f"uni{cp:04X}" if cp <= 0xFFFF else f"u{cp:05X}"
                take(face, face_cmap[cp], name)
                cmap[cp] = name
                break
    builder = FontBuilder(sans["head"].unitsPerEm, isTTF=False)
    builder.setupGlyphOrder(list(charstrings))
    builder.setupCharacterMap(cmap)
    builder.setupCFF("ConcordStamp-Regular", {"FullName": "Concord Stamp"}, charstrings, {})
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=sans["hhea"].ascent, descent=sans["hhea"].descent)
    builder.setupNameTable(
        {"familyName": "Concord Stamp", "styleName": "Regular", "psName": "ConcordStamp-Regular"}
    )
    os2 = sans["OS/2"]
    builder.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
    )
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()
