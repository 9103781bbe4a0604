"""Text zones: the largest font size whose text fits a box, and drawing it, straight or along an arc.

Sizes are chosen in the view's own pixels (so a preview and the production image agree on the size),
then drawn at the output scale. Whatever is drawn is clipped to the box.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw

from rules.preview.assets import Font

MAX_TEXT_GRAPHEMES = 200  # whatever an attribute allows, never lay out more than this
_GLYPH_PAD = 2


@dataclass(frozen=True)
class Glyph:
    """One character placed on an arc: its centre on the baseline circle and its tilt in degrees."""

    text: str
    x: float
    y: float
    angle: float


def line_height(font: Font) -> int:
    """The distance between two baselines."""
    ascent, descent = font.getmetrics()
    return int(ascent + descent)


def measure(font: Font, lines: Sequence[str], arc: int) -> tuple[float, float]:
    """Width and height the lines take in this font (an arc's whole bent extent)."""
    height = line_height(font) * len(lines)
    if not arc:
        return max((font.getlength(line) for line in lines), default=0.0), float(height)
    glyphs = arc_layout(font, lines, arc)
    if not glyphs:
        return 0.0, float(height)
    left, top, right, bottom = _extent(font, glyphs)
    return right - left, bottom - top


REFERENCE_SIZE = 64  # text is measured once at this size, and the fitting size found from it


def fit_size(
    font_at: Callable[[int], Font], lines: Sequence[str], box: tuple[int, int], low: int, high: int, arc: int
) -> tuple[int, bool]:
    """The largest size from `low` to `high` at which the lines fit the box; (`low`, False) if none does.

    Text grows almost in proportion to its size: one measure at REFERENCE_SIZE gives the likely size,
    then a measure or two at real sizes settles hinting's rounding. Few sizes means few fonts held.
    """

    def fits(size: int) -> bool:
        width, height = measure(font_at(size), lines, arc)
        return width <= box[0] and height <= box[1]

    width, height = measure(font_at(REFERENCE_SIZE), lines, arc)
    ratio = min(box[0] / width if width else math.inf, box[1] / height if height else math.inf)
    guess = max(low, min(high, int(REFERENCE_SIZE * ratio))) if math.isfinite(ratio) else high
    if fits(guess):
        while guess < high and fits(guess + 1):
            guess += 1
        return guess, True
    while guess > low:
        guess -= 1
        if fits(guess):
            return guess, True
    return low, False


def characters_that_fit(font: Font, char: str, count: int, box: tuple[int, int], arc: int) -> int:
    """How many repeats of `char` (one line) fit the box, from 0 to `count`."""
    good, bad = 0, count + 1
    while bad - good > 1:
        middle = (good + bad) // 2
        width, height = measure(font, [char * middle], arc)
        if width <= box[0] and height <= box[1]:
            good = middle
        else:
            bad = middle
    return good


def draw_coverage(
    font: Font, lines: Sequence[str], box: tuple[int, int], align: str, arc: int
) -> Image.Image:
    """The text's coverage (mode L, the size of the box): 255 where ink goes."""
    canvas = Image.new("L", box, 0)
    if arc:
        _draw_arc(canvas, font, lines, align, arc)
        return canvas
    draw = ImageDraw.Draw(canvas)
    step = line_height(font)
    top = (box[1] - step * len(lines)) / 2
    for index, line in enumerate(lines):
        width = font.getlength(line)
        if align == "left":
            left = 0.0
        elif align == "right":
            left = box[0] - width
        else:
            left = (box[0] - width) / 2
        draw.text((round(left), round(top + index * step)), line, font=font, fill=255, anchor="la")
    return canvas


# -- arcs -----------------------------------------------------------------------------------------


def arc_layout(font: Font, lines: Sequence[str], arc: int) -> list[Glyph]:
    """Glyph centres around a circle whose centre is the origin: the widest line spans `arc` degrees.

    A positive arc bulges upwards (the centre lies below, y grows downwards as in images); lines go
    outwards from the first, so the first line is the outermost of an upward arc.
    """
    widths = [font.getlength(line) for line in lines]
    widest = max(widths, default=0.0)
    if widest <= 0:
        return []
    step = line_height(font)
    radius = widest / math.radians(abs(arc))
    up = arc > 0
    glyphs: list[Glyph] = []
    count = len(lines)
    for index, line in enumerate(lines):
        # The baseline radius: upward arcs stack lines inwards from the top, downward ones outwards.
        ring = radius + (count - 1 - index) * step if up else radius + index * step
        ring = max(ring, 1.0)
        position = -widths[index] / 2
        for char in line:
            advance = font.getlength(char)
            middle = position + advance / 2
            position += advance
            if not char.strip():
                continue
            phi = middle / ring  # radians from the vertical
            if up:
                glyphs.append(Glyph(char, ring * math.sin(phi), -ring * math.cos(phi), -math.degrees(phi)))
            else:
                glyphs.append(Glyph(char, ring * math.sin(phi), ring * math.cos(phi), math.degrees(phi)))
    return glyphs


def _glyph_image(font: Font, glyph: Glyph) -> tuple[Image.Image, float, float]:
    """A glyph drawn upright around its baseline centre, then tilted; with that centre's position in it."""
    ascent, descent = font.getmetrics()
    advance = font.getlength(glyph.text)
    width = int(math.ceil(advance)) + 2 * _GLYPH_PAD + int(ascent) // 2  # room for overhangs
    height = int(ascent + descent) + 2 * _GLYPH_PAD
    image = Image.new("L", (width, height), 0)
    origin_x, origin_y = width / 2, _GLYPH_PAD + ascent  # the baseline centre
    ImageDraw.Draw(image).text((origin_x, origin_y), glyph.text, font=font, fill=255, anchor="ms")
    # Rotate about the baseline centre; expand keeps the corners, so follow where that centre lands.
    rotated = image.rotate(glyph.angle, resample=Image.Resampling.BICUBIC, expand=True)
    theta = math.radians(glyph.angle)
    dx, dy = origin_x - width / 2, origin_y - height / 2
    # PIL rotates counter-clockwise on screen for a positive angle (y pointing down).
    rx = dx * math.cos(theta) + dy * math.sin(theta)
    ry = -dx * math.sin(theta) + dy * math.cos(theta)
    return rotated, rotated.width / 2 + rx, rotated.height / 2 + ry


def _extent(font: Font, glyphs: Sequence[Glyph]) -> tuple[float, float, float, float]:
    """The bounding box of the tilted glyph cells around the circle's centre."""
    ascent, descent = font.getmetrics()
    xs: list[float] = []
    ys: list[float] = []
    for glyph in glyphs:
        half = font.getlength(glyph.text) / 2
        theta = math.radians(glyph.angle)
        cos, sin = math.cos(theta), math.sin(theta)
        for cx, cy in ((-half, -ascent), (half, -ascent), (-half, descent), (half, descent)):
            xs.append(glyph.x + cx * cos + cy * sin)
            ys.append(glyph.y - cx * sin + cy * cos)
    return min(xs), min(ys), max(xs), max(ys)


def _draw_arc(canvas: Image.Image, font: Font, lines: Sequence[str], align: str, arc: int) -> None:
    glyphs = arc_layout(font, lines, arc)
    if not glyphs:
        return
    left, top, right, bottom = _extent(font, glyphs)
    width, height = canvas.size
    if align == "left":
        shift_x = -left
    elif align == "right":
        shift_x = width - right
    else:
        shift_x = (width - (right - left)) / 2 - left
    shift_y = (height - (bottom - top)) / 2 - top
    for glyph in glyphs:
        image, at_x, at_y = _glyph_image(font, glyph)
        x0 = round(glyph.x + shift_x - at_x)
        y0 = round(glyph.y + shift_y - at_y)
        region = (x0, y0, x0 + image.width, y0 + image.height)
        clipped = (max(region[0], 0), max(region[1], 0), min(region[2], width), min(region[3], height))
        if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
            continue
        part = image.crop((clipped[0] - x0, clipped[1] - y0, clipped[2] - x0, clipped[3] - y0))
        canvas.paste(ImageChops.lighter(canvas.crop(clipped), part), clipped[:2])
