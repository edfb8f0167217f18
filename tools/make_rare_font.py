"""Make the rare-character font that ships in static/fonts/ (run once; the output is committed).

Noto Serif SC (the pip package behind "Concord Serif") covers GB2312, GBK, the URO and CJK
Ext-A, but almost nothing beyond the Basic Multilingual Plane: a name such as 王𠮷 (U+20BB7,
CJK Ext-B) came out right only on hosts that happened to have a system CJK font. This
script takes the Simplified Chinese face of Debian's Noto Serif CJK Regular ("Noto Serif
CJK SC", found by family name) and keeps only the supplementary-plane ideographs it has
(CJK Ext-B to Ext-I and the compatibility supplement: about 2,300 characters, those in
real use in names in the mainland, Hong Kong, Taiwan and Japan). The result stays an
OpenType CFF font under the SIL OFL 1.1 (no Reserved Font Name; subsetting is allowed;
see static/fonts/OFL.txt and static/fonts/README.md). It is the next family after
"Concord Serif" in the documents' font-family lists (``app.documents.fonts``).

Usage: .venv/bin/python tools/make_rare_font.py [SOURCE_TTC] [OUTPUT_OTF]
"""

from __future__ import annotations

import sys
from pathlib import Path

from font_subset import check_size, save_subset, sc_face, subset_font
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
OUTPUT = ROOT / "static" / "fonts" / "NotoSerifSC-Regular-ExtB.otf"
SIZE_LIMIT = 8 * 1024 * 1024
MUST_HAVE = (0x20BB7,)  # 𠮷, as in 吉/𠮷 names (U+20BB7)

RANGES = (
    (0x20000, 0x2A6DF),  # CJK Unified Ideographs Extension B
    (0x2A700, 0x2EBEF),  # Extensions C, D, E, F
    (0x2EBF0, 0x2EE5F),  # Extension I
    (0x2F800, 0x2FA1F),  # CJK Compatibility Ideographs Supplement
    (0x30000, 0x323AF),  # Extensions G, H
)


def wanted(font: TTFont) -> set[int]:
    cmap = font.getBestCmap()
    return {code for code in cmap for first, last in RANGES if first <= code <= last}


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    output = Path(argv[2]) if len(argv) > 2 else OUTPUT
    font = sc_face(source)
    codes = wanted(font)
    # No layout features: these ideographs need none.
    subset_font(font, codes, ())
    cmap = save_subset(font, output)
    missing = [hex(code) for code in MUST_HAVE if code not in cmap]
    if missing:
        raise SystemExit(f"characters missing from the subset: {missing}")
    check_size(output, SIZE_LIMIT, f", {len(cmap)} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
