"""Make the bold heading font that ships in static/fonts/ (run once; the output is committed).

WeasyPrint never fakes bold, and the pip font package only has Regular faces. Debian's
``fonts-noto-cjk`` has a real Bold, but as an 89 MB package of TrueType Collections that a
server may not have. This script takes the Simplified Chinese face ("Noto Serif CJK SC",
found by family name, not by a guessed index) out of the Bold collection and keeps only the
characters headings can need: ASCII, Latin-1, general punctuation, CJK symbols and
punctuation, full-width forms and every GB2312 character. The result stays an OpenType CFF
font under the SIL OFL 1.1 (see static/fonts/OFL.txt and static/fonts/README.md).

Usage: .venv/bin/python tools/make_bold_font.py [SOURCE_TTC] [OUTPUT_OTF]
"""

from __future__ import annotations

import sys
from pathlib import Path

from font_subset import check_size, save_subset, sc_face, subset_font

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")
OUTPUT = ROOT / "static" / "fonts" / "NotoSerifSC-Bold-GB2312.otf"
SIZE_LIMIT = 5 * 1024 * 1024
FEATURES = ("ccmp", "kern", "palt", "halt", "vert", "vrt2", "vkrn", "vpal", "vhal")

BLOCKS = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (¥, ×, §, ·)
    (0x2000, 0x206F),  # general punctuation (—, “”, ‘’, …, ‰)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》「」【】〇)
    (0xFF00, 0xFFEF),  # half-width and full-width forms (，：（）￥)
)


def gb2312_characters() -> set[int]:
    """Every BMP code point that the GB2312 codec can encode (6,763 hanzi plus symbols)."""
    found: set[int] = set()
    for code in range(0x80, 0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        try:
            chr(code).encode("gb2312")
        except UnicodeEncodeError:
            continue
        found.add(code)
    return found


def wanted_characters() -> set[int]:
    codes = gb2312_characters()
    for first, last in BLOCKS:
        codes.update(range(first, last + 1))
    return codes


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    output = Path(argv[2]) if len(argv) > 2 else OUTPUT
    font = sc_face(source)
    codes = wanted_characters()
    # Kerning, proportional/half-width punctuation and vertical forms only.
    subset_font(font, codes, FEATURES)
    cmap = save_subset(font, output)
    lost = sorted(code for code in gb2312_characters() if code not in cmap)
    if lost:
        raise SystemExit(f"GB2312 characters missing from the source face: {lost[:20]}")
    check_size(output, SIZE_LIMIT, f", {len(cmap)} characters of {len(codes)} asked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
