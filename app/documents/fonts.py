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

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import pylopdf_fonts_zh_cn
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
    """The characters of ``text`` the visible signature stamp cannot draw: the stamp is set
    in the sans face alone (pyHanko takes one font file, ``app.documents.signing``), which
    has no rare face behind it."""
    covered = _code_points(Path(FONT_FILES["sans"]))
    return {ch for ch in text if not ch.isspace() and ord(ch) not in covered}
