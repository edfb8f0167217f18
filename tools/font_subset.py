"""What the font tools share (``make_bold_font.py``, ``make_rare_font.py``): pick the
Simplified Chinese face out of a Noto CJK collection, subset it keeping its licence
fields, and save it reproducibly within a size limit."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

FAMILY = "Noto Serif CJK SC"


def sc_face(source: Path, family: str = FAMILY) -> TTFont:
    """The collection member whose family name (name ID 1) is exactly ``family``."""
    collection = TTCollection(str(source))
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == family:
            print(f"{source.name}: index {index} is {family}")
            return font
    raise SystemExit(f"{family!r} not found in {source}")


def subset_font(font: TTFont, codes: Iterable[int], features: Iterable[str]) -> None:
    """Keep ``codes`` and the layout ``features`` only; "locl" (and "*") would drag in the
    Japanese, Korean and Traditional forms of every glyph kept."""
    options = subset.Options()
    options.layout_features = list(features)
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14]  # keep licence fields
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(codes))
    subsetter.subset(font)
    if "CFF " not in font:
        raise SystemExit("subset lost its CFF outlines")


def save_subset(font: TTFont, output: Path) -> dict[int, str]:
    """Write ``font`` (the same input gives the same bytes) and return its character map."""
    output.parent.mkdir(parents=True, exist_ok=True)
    font.recalcTimestamp = False  # keep the source's date
    font.save(str(output), reorderTables=True)
    return TTFont(str(output), lazy=True).getBestCmap()


def check_size(output: Path, limit: int, note: str = "") -> None:
    size = output.stat().st_size
    print(f"wrote {output} ({size / 1024 / 1024:.2f} MB{note})")
    if size > limit:
        raise SystemExit(f"{output} is larger than {limit} bytes")
