"""The demo organisation's seal (印章): a red circular stamp drawn once at seed time.

A real organisation uploads an image of its registered seal; the demo has none, so one
is drawn in the customary form of a Chinese organisation seal: a ring, a five-pointed
star in the centre and the organisation's name along the upper arc, upright from the
outside. Everything is drawn into one alpha mask and coloured at the end, so anti-aliased
edges stay red (no dark fringe) on a transparent background. The output is a PNG of a
few kilobytes; the same name always gives the same bytes.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from app.documents.fonts import FONT_FILES

SEAL_RED = (214, 26, 26)
SIZE = 300  # pixels, square
SUPERSAMPLE = 3  # drawn larger, then scaled down: smooth edges
RING_WIDTH = 0.035  # of the size
STAR_RADIUS = 0.17
TEXT_RADIUS = 0.36  # the centre line of the name
TEXT_HEIGHT = 0.11
GAP = 0.08  # between characters, of their height
ARC_DEGREES_MAX = 250.0  # the name never runs further round than this


def seal_png(name: str, size: int = SIZE) -> bytes:
    """The seal for ``name`` as a PNG (RGBA, transparent outside the strokes)."""
    big = size * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    _ring(mask)
    _star(mask)
    _arc_text(mask, name.strip())
    mask = mask.resize((size, size), Image.Resampling.LANCZOS)
    seal = Image.new("RGBA", (size, size), (*SEAL_RED, 0))
    seal.putalpha(mask)
    out = io.BytesIO()
    seal.save(out, "PNG", optimize=True)
    return out.getvalue()


def _ring(mask: Image.Image) -> None:
    side = mask.width
    width = max(1, round(side * RING_WIDTH))
    inset = width // 2 + 1
    ImageDraw.Draw(mask).ellipse(
        (inset, inset, side - inset, side - inset), outline=255, width=width
    )


def _star(mask: Image.Image) -> None:
    """A five-pointed star, one point up (inner radius by the regular pentagram ratio)."""
    centre = mask.width / 2
    outer = mask.width * STAR_RADIUS
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    ImageDraw.Draw(mask).polygon(points, fill=255)


def _font_for(text: str, px: int) -> ImageFont.FreeTypeFont:
    """The shipped bold serif (a GB2312 subset); the full sans face for any character
    the subset lacks."""
    bold = Path(FONT_FILES["serif_bold"])
    font = ImageFont.truetype(str(bold), px)
    if all(font.getmask(ch).getbbox() for ch in text if not ch.isspace()):
        return font
    return ImageFont.truetype(str(FONT_FILES["sans"]), px)


def _arc_text(mask: Image.Image, text: str) -> None:
    """Each character rotated so its top faces outwards, centred on the top of the seal,
    spaced evenly; a long name is set in narrower characters (as seal engravers do) so it
    stays within ``ARC_DEGREES_MAX``."""
    if not text:
        return
    side = mask.width
    px = round(side * TEXT_HEIGHT)
    radius = side * TEXT_RADIUS
    font = _font_for(text, px)
    pitch = min(px * (1 + GAP), math.radians(ARC_DEGREES_MAX) * radius / len(text))
    width = min(px, round(pitch / (1 + GAP)))
    step = math.degrees(pitch / radius)
    first = -step * (len(text) - 1) / 2
    for i, ch in enumerate(text):
        angle = first + i * step  # degrees clockwise from twelve o'clock
        _paste_glyph(mask, _glyph(ch, font, px, width), angle, radius)


def _glyph(ch: str, font: ImageFont.FreeTypeFont, px: int, width: int) -> Image.Image:
    """One character, upright, ``width`` wide (condensed when narrower than ``px``), on a
    square canvas large enough to rotate it without clipping."""
    drawn = Image.new("L", (px, px), 0)
    ImageDraw.Draw(drawn).text((px / 2, px / 2), ch, font=font, fill=255, anchor="mm")
    drawn = drawn.resize((width, px), Image.Resampling.LANCZOS)
    canvas = Image.new("L", (px * 2, px * 2), 0)
    canvas.paste(drawn, ((px * 2 - width) // 2, px // 2))
    return canvas


def _paste_glyph(mask: Image.Image, glyph: Image.Image, angle: float, radius: float) -> None:
    centre = mask.width / 2
    turned = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
    x = centre + radius * math.sin(math.radians(angle)) - turned.width / 2
    y = centre - radius * math.cos(math.radians(angle)) - turned.height / 2
    box = (round(x), round(y), round(x) + turned.width, round(y) + turned.height)
    mask.paste(ImageChops.lighter(mask.crop(box), turned), box)
