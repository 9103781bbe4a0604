"""Engravings in scripts that join or reorder are laid out by HarfBuzz and FriBiDi: "سلام" previews as
its letters joined, right to left, exactly as the font's own joined forms in visual order read."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops, ImageFont, features

from rules.preview.assets import LAYOUT, open_font
from rules.preview.text import draw_coverage

FONT = Path(__file__).parents[2] / "catalog" / "assets" / "fonts" / "DejaVuSans.ttf"
# "سلام" (seen, lam, alef, meem) as a reader sees it, left to right: meem alone, lam-alef joined to
# the seen, the seen opening the word.
SALAM = "\u0633\u0644\u0627\u0645"
SALAM_SEEN_LEFT_TO_RIGHT = "\ufee1\ufefc\ufeb3"
BOX = (240, 80)


def ink(image: Image.Image) -> int:
    """Pixels more inked than not."""
    return int(image.point(lambda value: 255 if value > 127 else 0).histogram()[255])


def differing(a: Image.Image, b: Image.Image) -> int:
    """Pixels that differ once the two are best aligned: centring rounds a fractional width (shaped
    advances are fractional) to either neighbouring pixel."""
    return min(ink(ImageChops.difference(a, ImageChops.offset(b, dx, 0))) for dx in range(-2, 3))


def test_the_shaping_engine_is_available_where_the_tests_run() -> None:
    assert features.check("raqm")
    assert LAYOUT is ImageFont.Layout.RAQM


def test_arabic_joins_and_runs_right_to_left_in_a_preview() -> None:
    data = FONT.read_bytes()
    shaped = draw_coverage(open_font(data, 40, str(FONT)), [SALAM], BOX, "center", 0)
    basic = ImageFont.truetype(str(FONT), 40, layout_engine=ImageFont.Layout.BASIC)
    expected = draw_coverage(basic, [SALAM_SEEN_LEFT_TO_RIGHT], BOX, "center", 0)
    unshaped = draw_coverage(basic, [SALAM], BOX, "center", 0)

    # The preview is exactly the joined forms, and far from the letters drawn one by one in memory
    # order (isolated, left to right).
    assert ink(expected) > 0
    assert differing(shaped, expected) == 0
    assert differing(shaped, unshaped) > ink(expected) * 0.5
