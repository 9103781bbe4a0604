"""Will a photo print sharply in a zone? Pure arithmetic on pixels, millimetres and dots per inch.

A photo placed in a print zone is scaled to fill it ("cover", cropping what overflows) or to fit inside
it ("contain"); its effective resolution is then pixels per printed inch along the axis that decides
the scale. Below the minimum the shopper is warned (never refused: it is their photo and their call).

>>> zone = PrintZone(width_mm=200, height_mm=150)
>>> print(print_quality_warning(640, 480, zone))
This photo is 640×480 px; for a 20 cm print it needs at least 2,362 px wide (300 dpi). It will look blurry.
>>> print_quality_warning(4000, 3000, zone) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from babel.units import format_unit

from configurator.locale import MESSAGES
from rules.i18n import cldr_locale

MM_PER_INCH = 25.4
DEFAULT_MIN_DPI = 300

Fit = Literal["cover", "contain"]


@dataclass(frozen=True)
class PrintZone:
    """The printed size of the area a photo goes into."""

    width_mm: float
    height_mm: float

    def __post_init__(self) -> None:
        if not (self.width_mm > 0 and self.height_mm > 0):
            raise ValueError(f"a print zone needs a positive size, not {self.width_mm}×{self.height_mm} mm")

    @classmethod
    def from_pixels(cls, width_px: int, height_px: int, dpi: float) -> PrintZone:
        """A zone given in pixels of the production file, printed at `dpi`.

        >>> PrintZone.from_pixels(2362, 1772, 300)
        PrintZone(width_mm=199.98..., height_mm=150.02...)
        """
        return cls(width_px / dpi * MM_PER_INCH, height_px / dpi * MM_PER_INCH)


@dataclass(frozen=True)
class PrintQuality:
    """How a photo will print in a zone: its effective dpi and what the deciding axis would need."""

    width_px: int
    height_px: int
    effective_dpi: float
    min_dpi: int
    axis: Literal["wide", "tall"]  # the axis that decides the scale
    printed_mm: float  # the zone's length along that axis
    needed_px: int  # pixels that axis needs at `min_dpi`

    @property
    def ok(self) -> bool:
        # Compared in whole pixels: a photo with exactly the pixels we ask for must not be warned about.
        return (self.width_px if self.axis == "wide" else self.height_px) >= self.needed_px


def required_pixels(length_mm: float, dpi: float) -> int:
    """Pixels needed to print `length_mm` at `dpi`.

    >>> required_pixels(200, 300)
    2362
    """
    return round(length_mm / MM_PER_INCH * dpi)


def assess(
    width_px: int, height_px: int, zone: PrintZone, min_dpi: int = DEFAULT_MIN_DPI, fit: Fit = "cover"
) -> PrintQuality:
    """The effective resolution of a `width_px`×`height_px` photo placed in `zone`.

    >>> q = assess(3000, 1000, PrintZone(100, 100))  # cover: the short side must fill 10 cm
    >>> round(q.effective_dpi), q.axis, q.needed_px, q.ok
    (254, 'tall', 1181, False)
    >>> round(assess(3000, 1000, PrintZone(100, 100), fit="contain").effective_dpi)
    762
    """
    if width_px < 1 or height_px < 1:
        raise ValueError(f"a photo needs a positive size, not {width_px}×{height_px} px")
    across = width_px / (zone.width_mm / MM_PER_INCH)
    down = height_px / (zone.height_mm / MM_PER_INCH)
    # Cover scales until both axes fill the zone: the axis with fewer pixels per inch decides.
    # Contain scales until one axis fills it: that is the axis with more pixels per inch.
    wide = across <= down if fit == "cover" else across >= down
    dpi = across if wide else down
    length = zone.width_mm if wide else zone.height_mm
    return PrintQuality(
        width_px=width_px,
        height_px=height_px,
        effective_dpi=dpi,
        min_dpi=min_dpi,
        axis="wide" if wide else "tall",
        printed_mm=length,
        needed_px=required_pixels(length, min_dpi),
    )


def format_length(mm: float, locale: str = "en") -> str:
    """A print length in centimetres as the shopper's language writes it (CLDR: a decimal comma in
    French and German).

    >>> format_length(200), format_length(95), format_length(33.33), format_length(95, "fr")
    ('20 cm', '9.5 cm', '3.3 cm', '9,5\u202fcm')
    """
    return format_unit(round(mm / 10, 1), "length-centimeter", length="short", locale=cldr_locale(locale))


def print_quality_warning(
    width_px: int,
    height_px: int,
    zone: PrintZone,
    min_dpi: int = DEFAULT_MIN_DPI,
    fit: Fit = "cover",
    locale: str = "en",
) -> str | None:
    """A warning for the shopper when the photo has too few pixels for the zone, else None.

    >>> french = print_quality_warning(640, 480, PrintZone(200, 150), locale="fr")
    >>> french.startswith("Cette photo fait 640×480 px"), "2\u202f362 px de large" in french  # CLDR spacing
    (True, True)

    """
    quality = assess(width_px, height_px, zone, min_dpi, fit)
    if quality.ok:
        return None
    # Translators: "wide" and "tall" say which side of the photo lacks pixels.
    axis = MESSAGES.localized("wide") if quality.axis == "wide" else MESSAGES.localized("tall")
    return MESSAGES.localized(
        "This photo is {width}×{height} px; for a {length} print it needs at least {needed} px {axis} "
        "({dpi} dpi). It will look blurry.",
        width=width_px,
        height=height_px,
        length=format_length(quality.printed_mm, locale),
        needed=quality.needed_px,
        axis=axis,
        dpi=min_dpi,
    ).get(locale)
