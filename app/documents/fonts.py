"""The fonts every PDF is set in, and a check for characters they cannot draw.

Regular faces come from the pinned pip package ``pylopdf-fonts-zh-cn`` (Noto Serif SC and
Noto Sans SC, SIL OFL 1.1); the bold face is a GB2312 subset of Noto Serif CJK SC Bold that
ships in ``static/fonts/`` (made by ``tools/make_bold_font.py``). The bold face has no
rare characters, so it is for fixed headings only: never put user text in bold.
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

FONT_FILES: Mapping[str, Path] = MappingProxyType(
    {
        "serif": pylopdf_fonts_zh_cn.serif_path(),
        "serif_bold": STATIC_DIR / "fonts" / "NotoSerifSC-Bold-GB2312.otf",
        "sans": pylopdf_fonts_zh_cn.sans_path(),
    }
)

# (family, weight, key in FONT_FILES)
_FACES = (
    (SERIF_FAMILY, 400, "serif"),
    (SERIF_FAMILY, 700, "serif_bold"),
    (SANS_FAMILY, 400, "sans"),
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
    """The characters of ``text`` that the regular serif face has no glyph for.

    Whitespace is ignored. Noto Serif SC covers GB2312, GBK, the URO and CJK Ext-A
    (e.g. 䶮 U+4DAE) but not all of Ext-B (e.g. 𠮷 U+20BB7): callers warn before a name
    with such a character goes into a PDF, where it would come from whatever system
    font happens to have it, or show as an empty box.
    """
    covered = _code_points(Path(FONT_FILES["serif"]))
    return {ch for ch in text if not ch.isspace() and ord(ch) not in covered}
