"""Draws the demo products' preview assets (PNG) under catalog/assets/<product>/.

Run from the repository root: `python catalog/assets/draw.py`. Every drawing is made of simple shapes
at twice the master size, then reduced, so edges are smooth. Parts that shoppers recolour are drawn in
neutral grey (128 is the colour itself, lighter is highlight, darker is shade) and come with a
greyscale mask (mode L). The fonts in assets/fonts/ are DejaVu fonts (see their LICENSE), copied from
Debian's fonts-dejavu-core when present.
"""

from __future__ import annotations

import math
import random
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
SS = 2  # drawn at twice the size, then reduced
NEUTRAL = 128
Box = tuple[float, float, float, float]
Points = Sequence[tuple[float, float]]


class Sheet:
    """One asset being drawn: an RGBA canvas at SS times the master size."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.image = Image.new("RGBA", (size[0] * SS, size[1] * SS), (0, 0, 0, 0))

    def shape(self, draw: Callable[[ImageDraw.ImageDraw], None]) -> Image.Image:
        """A coverage mask (L) of whatever `draw` draws in white, in canvas pixels."""
        mask = Image.new("L", self.image.size, 0)
        draw(ImageDraw.Draw(mask))
        return mask

    def paint(self, mask: Image.Image, fill: Image.Image | tuple[int, ...]) -> None:
        """Lay a colour or an RGBA/RGB picture over the canvas where `mask` covers."""
        layer = fill if isinstance(fill, Image.Image) else Image.new("RGBA", self.image.size, fill)
        layer = layer.convert("RGBA")
        alpha = ImageChops.multiply(layer.getchannel("A"), mask)
        layer.putalpha(alpha)
        self.image.alpha_composite(layer)

    def save(self, path: Path, mode: str = "RGBA") -> None:
        """Reduce to the master size and write an optimised PNG (masks: the alpha as greyscale)."""
        image = self.image.resize(self.size, Image.Resampling.LANCZOS)
        if mode == "L":
            image = image.getchannel("A")
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, "PNG", optimize=True)


def s(*values: float) -> tuple[float, ...]:
    """Master coordinates to canvas coordinates."""
    return tuple(v * SS for v in values)


def pts(points: Points) -> list[tuple[float, float]]:
    return [(x * SS, y * SS) for x, y in points]


def cylinder(sheet: Sheet, x0: float, x1: float, level: int = NEUTRAL, highlight: float = 70) -> Image.Image:
    """A grey picture shaded like a vertical cylinder between x0 and x1 (a highlight left of centre)."""
    width, height = sheet.image.size
    row = []
    for x in range(width):
        t = min(max((x / SS - x0) / max(x1 - x0, 1), 0.0), 1.0)
        shade = 0.62 + 0.38 * math.sin(math.pi * t)
        glow = highlight * math.exp(-(((t - 0.3) / 0.07) ** 2))
        row.append(max(0, min(255, round(level * shade * 1.12 + glow))))
    line = Image.new("L", (width, 1))
    line.putdata(row)
    grey = line.resize((width, height), Image.Resampling.NEAREST)
    return Image.merge("RGBA", (grey, grey, grey, Image.new("L", grey.size, 255)))


def flat(sheet: Sheet, colour: tuple[int, int, int] | int) -> Image.Image:
    rgb = (colour, colour, colour) if isinstance(colour, int) else colour
    return Image.new("RGBA", sheet.image.size, (*rgb, 255))


def soft_shadow(sheet: Sheet, box: Box, alpha: int = 90) -> None:
    mask = sheet.shape(lambda d: d.ellipse(s(*box), fill=alpha)).filter(ImageFilter.GaussianBlur(10 * SS))
    sheet.paint(mask, (0, 0, 0, 255))


def speckles(
    sheet: Sheet, box: Box, count: int, colour: tuple[int, int, int, int], radius: float, seed: int
) -> None:
    rng = random.Random(seed)
    x0, y0, x1, y1 = box

    def draw(d: ImageDraw.ImageDraw) -> None:
        for _ in range(count):
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            r = rng.uniform(radius * 0.5, radius)
            d.ellipse(s(x - r, y - r, x + r, y + r), fill=255)

    sheet.paint(sheet.shape(draw), colour)


# -- engraved mug ---------------------------------------------------------------------------------

MUG_SIZES = {
    "espresso": (270, 430, 500, 660),
    "standard": (200, 290, 560, 660),
    "large": (190, 210, 570, 660),
}


def mug_outline(box: Box) -> Callable[[ImageDraw.ImageDraw], None]:
    x0, y0, x1, y1 = box
    rim = (x1 - x0) * 0.09

    def draw(d: ImageDraw.ImageDraw) -> None:
        d.rectangle(s(x0, y0, x1, y1 - rim), fill=255)
        d.ellipse(s(x0, y1 - 2 * rim, x1, y1), fill=255)
        d.ellipse(s(x0, y0 - rim, x1, y0 + rim), fill=255)
        height = y1 - y0
        d.ellipse(s(x1 - 30, y0 + height * 0.18, x1 + height * 0.32, y0 + height * 0.72), fill=255)
        d.ellipse(s(x1 - 10, y0 + height * 0.3, x1 + height * 0.2, y0 + height * 0.6), fill=0)

    return draw


def engraved_mug(folder: Path) -> None:
    for name, box in MUG_SIZES.items():
        x0, y0, x1, y1 = box
        rim = (x1 - x0) * 0.09
        base = Sheet((800, 800))
        soft_shadow(base, (x0 - 20, y1 - 30, x1 + 60, y1 + 25))
        body = base.shape(mug_outline(box))
        base.paint(body, cylinder(base, x0, x1))
        inside = base.shape(
            lambda d, b=box, r=rim: d.ellipse(s(b[0] + 8, b[1] - r + 6, b[2] - 8, b[1] + r - 4), fill=255)
        )
        base.paint(inside, flat(base, 70))
        base.save(folder / f"{name}.png")
        mask = Sheet((800, 800))
        mask.paint(body, (255, 255, 255, 255))
        mask.save(folder / f"{name}-mask.png", "L")
        stone = Sheet((800, 800))
        speckles(
            stone,
            (x0 + 6, y0 + rim, x1 - 6, y1 - rim),
            int((x1 - x0) * (y1 - y0) / 300),
            (40, 30, 20, 150),
            2.6,
            7,
        )
        stone.image.putalpha(ImageChops.multiply(stone.image.getchannel("A"), body))
        stone.save(folder / f"{name}-stoneware.png")
        enamel = Sheet((800, 800))
        ring = enamel.shape(
            lambda d, b=box, r=rim: d.ellipse(
                s(b[0] - 1, b[1] - r - 1, b[2] + 1, b[1] + r + 1), outline=255, width=7 * SS
            )
        )
        enamel.paint(ring, (28, 30, 40, 255))
        enamel.save(folder / f"{name}-enamel.png")
    gift = Sheet((800, 800))
    gift.paint(gift.shape(lambda d: d.rectangle(s(40, 560, 190, 700), fill=255)), (196, 160, 112, 255))
    gift.paint(
        gift.shape(lambda d: d.polygon(pts([(40, 560), (190, 560), (170, 535), (60, 535)]), fill=255)),
        (214, 182, 136, 255),
    )
    gift.paint(gift.shape(lambda d: d.rectangle(s(105, 535, 125, 700), fill=255)), (200, 40, 60, 255))
    gift.paint(
        gift.shape(lambda d: d.ellipse(s(82, 505, 116, 540), outline=255, width=6 * SS)), (200, 40, 60, 255)
    )
    gift.paint(
        gift.shape(lambda d: d.ellipse(s(114, 505, 148, 540), outline=255, width=6 * SS)), (200, 40, 60, 255)
    )
    gift.save(folder / "gift-box.png")


# -- celebration cake -----------------------------------------------------------------------------

FROSTINGS = {
    "buttercream": (243, 229, 192),
    "cream_cheese": (250, 247, 240),
    "ganache": (74, 44, 29),
    "fondant": (246, 214, 222),
}
TIERS = {1: (190, 470, 610, 680), 2: (265, 330, 535, 490), 3: (325, 215, 475, 345)}
BOARDS = {"small": 380, "medium": 470, "large": 560, "grand": 660}


def _shaded(colour: tuple[int, int, int], sheet: Sheet, x0: float, x1: float) -> Image.Image:
    grey = cylinder(sheet, x0, x1, level=200, highlight=30).getchannel("R")
    layers = [Image.eval(grey, lambda v, c=c: min(255, round(c * v / 215))) for c in colour]
    return Image.merge("RGBA", (*layers, Image.new("L", grey.size, 255)))


def cake_tier(sheet: Sheet, box: Box, frosting: str) -> None:
    x0, y0, x1, y1 = box
    lip = (x1 - x0) * 0.1
    colour = FROSTINGS[frosting]
    side = sheet.shape(
        lambda d: (
            d.rectangle(s(x0, y0, x1, y1 - lip), fill=255),
            d.ellipse(s(x0, y1 - 2 * lip, x1, y1), fill=255),
        )
    )
    sheet.paint(side, _shaded(colour, sheet, x0, x1))
    top = sheet.shape(lambda d: d.ellipse(s(x0, y0 - lip, x1, y0 + lip), fill=255))
    sheet.paint(top, (*(min(255, c + 8) for c in colour), 255))
    if frosting == "buttercream":  # piped shells along the bottom edge
        count = int((x1 - x0) / 22)
        shells = sheet.shape(
            lambda d: [
                d.ellipse(
                    s(
                        x0 + i * (x1 - x0) / count,
                        y1 - lip * 1.2,
                        x0 + (i + 1) * (x1 - x0) / count,
                        y1 - lip * 0.3,
                    ),
                    fill=255,
                )
                for i in range(count)
            ]
        )
        sheet.paint(shells, (226, 205, 160, 255))
    elif frosting == "ganache":  # drips from the top edge
        rng = random.Random(int(x0))
        drips = sheet.shape(
            lambda d: [
                d.rounded_rectangle(s(x, y0, x + 14, y0 + rng.uniform(25, 60)), radius=7 * SS, fill=255)
                for x in range(int(x0) + 12, int(x1) - 20, 28)
            ]
        )
        sheet.paint(drips, (58, 33, 21, 255))
    elif frosting == "fondant":  # a ribbon round the base
        sheet.paint(
            sheet.shape(lambda d: d.rectangle(s(x0, y1 - lip - 22, x1, y1 - lip - 8), fill=255)),
            (212, 160, 176, 255),
        )


def celebration_cake(folder: Path) -> None:
    for name, width in BOARDS.items():
        board = Sheet((800, 800))
        soft_shadow(board, (400 - width / 2 - 10, 690, 400 + width / 2 + 10, 745))
        board.paint(
            board.shape(lambda d, w=width: d.ellipse(s(400 - w / 2, 650, 400 + w / 2, 725), fill=255)),
            (205, 208, 214, 255),
        )
        board.paint(
            board.shape(
                lambda d, w=width: d.ellipse(s(400 - w / 2 + 8, 654, 400 + w / 2 - 8, 712), fill=255)
            ),
            (226, 229, 234, 255),
        )
        board.save(folder / f"board-{name}.png")
    for tier, box in TIERS.items():
        for frosting in FROSTINGS:
            sheet = Sheet((800, 800))
            cake_tier(sheet, box, frosting)
            sheet.save(folder / f"tier{tier}-{frosting}.png")
    celebration_slice(folder)
    celebration_top(folder)


def celebration_top(folder: Path) -> None:
    """The cake seen from above: a board, then the frosted top a shopper's photo is printed on."""
    board = Sheet((600, 600))
    soft_shadow(board, (40, 50, 560, 580), 60)
    board.paint(board.shape(lambda d: d.ellipse(s(30, 30, 570, 570), fill=255)), (205, 208, 214, 255))
    board.paint(board.shape(lambda d: d.ellipse(s(42, 42, 558, 558), fill=255)), (226, 229, 234, 255))
    board.save(folder / "top-board.png")
    for frosting, colour in FROSTINGS.items():
        sheet = Sheet((600, 600))
        sheet.paint(sheet.shape(lambda d: d.ellipse(s(80, 80, 520, 520), fill=255)), (*colour, 255))
        rim = tuple(max(0, c - 28) for c in colour)
        count = 36
        centres = [
            (300 + 205 * math.cos(2 * math.pi * i / count), 300 + 205 * math.sin(2 * math.pi * i / count))
            for i in range(count)
        ]
        shells = sheet.shape(
            lambda d, centres=centres: [
                d.ellipse(s(x - 13, y - 13, x + 13, y + 13), fill=255) for x, y in centres
            ]
        )
        sheet.paint(shells, (*rim, 255))
        sheet.save(folder / f"top-{frosting}.png")


SPONGES = {
    "vanilla": (240, 214, 150),
    "chocolate": (92, 56, 36),
    "lemon": (246, 222, 110),
    "almond": (226, 196, 150),
    "nut_free": (244, 226, 180),
}
FILLINGS = {
    "raspberry": (190, 30, 60),
    "salted_caramel": (196, 126, 48),
    "lemon_curd": (250, 210, 40),
    "ganache": (60, 34, 22),
    "praline": (150, 96, 52),
}
FACE = (150, 260, 450, 480)
TOP = [(150, 260), (450, 260), (385, 185), (215, 185)]


def celebration_slice(folder: Path) -> None:
    plate = Sheet((600, 600))
    soft_shadow(plate, (70, 470, 530, 560), 70)
    plate.paint(plate.shape(lambda d: d.ellipse(s(60, 430, 540, 540), fill=255)), (236, 238, 242, 255))
    plate.paint(plate.shape(lambda d: d.ellipse(s(110, 450, 490, 525), fill=255)), (248, 249, 251, 255))
    plate.save(folder / "slice-plate.png")
    x0, y0, x1, y1 = FACE
    for name, colour in SPONGES.items():
        sheet = Sheet((600, 600))
        sheet.paint(sheet.shape(lambda d: d.rectangle(s(x0, y0, x1, y1), fill=255)), (*colour, 255))
        darker = tuple(max(0, c - 40) for c in colour)
        speckles(sheet, (x0 + 4, y0 + 4, x1 - 4, y1 - 4), 260, (*darker, 170), 2.2, 11)
        sheet.save(folder / f"sponge-{name}.png")
    for name, colour in FILLINGS.items():
        sheet = Sheet((600, 600))
        bands = sheet.shape(lambda d: [d.rectangle(s(x0, y, x1, y + 16), fill=255) for y in (325, 400)])
        sheet.paint(bands, (*colour, 255))
        sheet.save(folder / f"filling-{name}.png")
    for name, colour in FROSTINGS.items():
        sheet = Sheet((600, 600))
        sheet.paint(
            sheet.shape(lambda d: d.polygon(pts(TOP), fill=255)), (*(min(255, c + 10) for c in colour), 255)
        )
        sheet.paint(sheet.shape(lambda d: d.rectangle(s(x0, y0 - 4, x1, y0 + 16), fill=255)), (*colour, 255))
        sheet.paint(sheet.shape(lambda d: d.rectangle(s(x1 - 8, y0, x1, y1), fill=255)), (*colour, 255))
        sheet.save(folder / f"slice-{name}.png")
    toppings: dict[str, Callable[[Sheet], None]] = {
        "berries": lambda sh: [
            sh.paint(
                sh.shape(lambda d, c=c: d.ellipse(s(c[0] - 11, c[1] - 11, c[0] + 11, c[1] + 11), fill=255)),
                col,
            )
            for c, col in (
                ((220, 215), (170, 20, 40, 255)),
                ((245, 228), (60, 50, 120, 255)),
                ((232, 200), (190, 30, 50, 255)),
            )
        ],
        "sprinkles": lambda sh: speckles(sh, (250, 195, 360, 250), 70, (230, 90, 160, 255), 3.0, 5),
        "edible_flowers": lambda sh: (
            [
                sh.paint(
                    sh.shape(
                        lambda d, a=a: d.ellipse(
                            s(
                                300 + 13 * math.cos(a) - 9,
                                222 + 8 * math.sin(a) - 6,
                                300 + 13 * math.cos(a) + 9,
                                222 + 8 * math.sin(a) + 6,
                            ),
                            fill=255,
                        )
                    ),
                    (186, 120, 220, 255),
                )
                for a in [i * math.pi / 3 for i in range(6)]
            ]
            + [sh.paint(sh.shape(lambda d: d.ellipse(s(294, 217, 306, 227), fill=255)), (250, 210, 60, 255))]
        ),
        "macarons": lambda sh: [
            sh.paint(sh.shape(lambda d, y=y: d.ellipse(s(345, y, 395, y + 20), fill=255)), col)
            for y, col in (
                (200, (240, 170, 190, 255)),
                (188, (250, 245, 235, 255)),
                (176, (240, 170, 190, 255)),
            )
        ],
        "hazelnuts": lambda sh: [
            sh.paint(
                sh.shape(lambda d, c=c: d.ellipse(s(c - 9, 238, c + 9, 252), fill=255)), (150, 92, 40, 255)
            )
            for c in (200, 268, 336, 404)
        ],
        "pistachios": lambda sh: speckles(sh, (220, 225, 390, 255), 40, (120, 170, 70, 255), 4.0, 9),
    }
    for name, paint in toppings.items():
        sheet = Sheet((600, 600))
        paint(sheet)
        sheet.save(folder / f"topping-{name}.png")


# -- custom sneaker -------------------------------------------------------------------------------

UPPER = [
    (120, 330),
    (130, 220),
    (170, 170),
    (240, 160),
    (300, 190),
    (420, 215),
    (520, 240),
    (640, 270),
    (730, 300),
    (775, 345),
    (770, 380),
    (120, 380),
]
STRIPE = [(330, 350), (420, 250), (470, 256), (400, 350)]
HEEL_TAB = [(112, 230), (135, 165), (175, 160), (150, 240)]
LACES = [(300, 190), (420, 215), (520, 240), (505, 262), (410, 240), (305, 215)]
SOLES = {"cupsole": (370, 430, 0), "vulcanised": (372, 412, 1), "foam_runner": (368, 450, 2)}


def sole_shape(kind: str) -> Callable[[ImageDraw.ImageDraw], None]:
    top, bottom, style = SOLES[kind]

    def draw(d: ImageDraw.ImageDraw) -> None:
        if style == 2:  # a foam runner rises at the heel and rocks at the toe
            d.polygon(
                pts(
                    [
                        (100, top - 10),
                        (790, top - 5),
                        (800, top + 25),
                        (760, bottom - 10),
                        (140, bottom),
                        (95, bottom - 30),
                    ]
                ),
                fill=255,
            )
        else:
            d.rounded_rectangle(s(100, top, 795, bottom), radius=(bottom - top) * SS // 3, fill=255)

    return draw


def custom_sneaker(folder: Path) -> None:
    size = (900, 540)
    base = Sheet(size)
    soft_shadow(base, (90, 420, 810, 480), 80)
    upper = base.shape(lambda d: d.polygon(pts(UPPER), fill=255))
    base.paint(upper, cylinder(base, 100, 800, highlight=40))
    stitches = base.shape(
        lambda d: d.line(pts([(150, 360), (330, 360), (520, 300), (740, 330)]), fill=255, width=2 * SS)
    )
    base.paint(stitches, (70, 70, 70, 255))
    stripe = base.shape(lambda d: d.polygon(pts(STRIPE), fill=255))
    tab = base.shape(lambda d: d.polygon(pts(HEEL_TAB), fill=255))
    laces = base.shape(
        lambda d: [
            d.line(pts([(x, y), (x + 30, y + 22)]), fill=255, width=7 * SS)
            for x, y in ((310, 195), (360, 205), (410, 218), (460, 228))
        ]
    )
    for part in (stripe, tab, laces):
        base.paint(part, flat(base, NEUTRAL))
    base.paint(
        base.shape(
            lambda d: [
                d.ellipse(s(x - 4, y - 4, x + 4, y + 4), fill=255)
                for x, y in ((320, 215), (370, 225), (420, 236), (470, 246))
            ]
        ),
        (40, 40, 40, 255),
    )
    base.save(folder / "base.png")
    for name, mask in (
        ("upper", ImageChops.subtract(ImageChops.subtract(upper, stripe), laces)),
        ("laces", laces),
        ("accent", ImageChops.lighter(stripe, tab)),
    ):
        sheet = Sheet(size)
        sheet.paint(mask, (255, 255, 255, 255))
        sheet.save(folder / f"{name}-mask.png", "L")
    textures: dict[str, Callable[[Sheet], None]] = {
        "leather": lambda sh: sh.paint(
            sh.shape(lambda d: d.polygon(pts([(200, 200), (300, 185), (600, 262), (560, 275)]), fill=110)),
            (255, 255, 255, 255),
        ),
        "knit": lambda sh: sh.paint(
            sh.shape(
                lambda d: [d.line(s(x, 150, x - 60, 390), fill=255, width=SS) for x in range(130, 840, 9)]
            ),
            (60, 60, 60, 110),
        ),
        "suede": lambda sh: speckles(sh, (120, 160, 780, 380), 2600, (60, 60, 60, 80), 2.0, 3),
    }
    for name, paint in textures.items():
        sheet = Sheet(size)
        paint(sheet)
        sheet.image.putalpha(ImageChops.multiply(sheet.image.getchannel("A"), upper))
        sheet.save(folder / f"material-{name}.png")
    for name in SOLES:
        sheet = Sheet(size)
        shape = sheet.shape(sole_shape(name))
        sheet.paint(shape, cylinder(sheet, 60, 840, level=150, highlight=25))
        top, bottom, style = SOLES[name]
        if style == 0:
            sheet.paint(
                sheet.shape(lambda d, t=top: d.line(s(110, t + 14, 785, t + 14), fill=255, width=2 * SS)),
                (80, 80, 80, 255),
            )
        elif style == 1:
            sheet.paint(
                sheet.shape(lambda d, t=top: d.rectangle(s(100, t + 16, 795, t + 24), fill=255)),
                (70, 70, 70, 255),
            )
        else:
            sheet.paint(
                sheet.shape(
                    lambda d, b=bottom: [
                        d.arc(s(x, b - 50, x + 60, b - 10), 200, 340, fill=255, width=3 * SS)
                        for x in range(150, 720, 70)
                    ]
                ),
                (90, 90, 90, 255),
            )
        sheet.save(folder / f"sole-{name}.png")
        mask = Sheet(size)
        mask.paint(shape, (255, 255, 255, 255))
        mask.save(folder / f"sole-{name}-mask.png", "L")


# -- name bottle ----------------------------------------------------------------------------------

LABEL = (140, 440, 360, 580)
BOTTLES: dict[str, dict[str, float]] = {
    "glass_250": {"top": 170, "neck": 52, "shoulder": 330, "bottom": 700, "half": 105},
    "glass_330": {"top": 90, "neck": 52, "shoulder": 290, "bottom": 720, "half": 110},
    "pet_500": {"top": 60, "neck": 60, "shoulder": 250, "bottom": 740, "half": 115},
}


def name_bottle(folder: Path) -> None:
    size = (500, 800)
    for name, b in BOTTLES.items():
        sheet = Sheet(size)
        soft_shadow(sheet, (250 - b["half"] - 20, b["bottom"] - 20, 250 + b["half"] + 20, b["bottom"] + 25))
        half, neck = b["half"], b["neck"] / 2

        def outline(
            d: ImageDraw.ImageDraw, b: dict[str, float] = b, half: float = half, neck: float = neck
        ) -> None:
            d.polygon(
                pts(
                    [
                        (250 - neck, b["top"] + 20),
                        (250 + neck, b["top"] + 20),
                        (250 + half, b["shoulder"]),
                        (250 + half, b["bottom"] - 20),
                        (250 - half, b["bottom"] - 20),
                        (250 - half, b["shoulder"]),
                    ]
                ),
                fill=255,
            )
            d.rounded_rectangle(
                s(250 - half, b["shoulder"], 250 + half, b["bottom"]), radius=20 * SS, fill=255
            )

        body = sheet.shape(outline)
        glass = (60, 140, 90) if name != "pet_500" else (150, 200, 215)
        sheet.paint(
            body,
            Image.merge(
                "RGBA",
                (
                    *(
                        Image.eval(
                            cylinder(sheet, 250 - half, 250 + half, 150, 90).getchannel("R"),
                            lambda v, c=c: min(255, round(v * c / 160)),
                        )
                        for c in glass
                    ),
                    Image.new("L", sheet.image.size, 230),
                ),
            ),
        )
        if name == "pet_500":
            sheet.paint(
                sheet.shape(
                    lambda d, b=b, half=half: [
                        d.line(s(250 - half, y, 250 + half, y), fill=255, width=2 * SS)
                        for y in range(int(b["shoulder"]) + 30, int(b["bottom"]) - 30, 36)
                    ]
                ),
                (110, 160, 180, 255),
            )
        label = sheet.shape(lambda d: d.rectangle(s(*LABEL), fill=255))
        sheet.paint(label, cylinder(sheet, LABEL[0], LABEL[2], highlight=45))
        cap = sheet.shape(
            lambda d, b=b, neck=neck: d.rounded_rectangle(
                s(250 - neck - 6, b["top"], 250 + neck + 6, b["top"] + 34), radius=5 * SS, fill=255
            )
        )
        sheet.paint(cap, cylinder(sheet, 250 - neck - 6, 250 + neck + 6, highlight=60))
        sheet.save(folder / f"{name}.png")
        mask = Sheet(size)
        mask.paint(cap, (255, 255, 255, 255))
        mask.save(folder / f"{name}-cap-mask.png", "L")
    can = Sheet(size)
    soft_shadow(can, (110, 700, 390, 745))
    body = can.shape(lambda d: d.rounded_rectangle(s(120, 200, 380, 720), radius=30 * SS, fill=255))
    can.paint(body, cylinder(can, 120, 380, 175, 80))
    can.paint(can.shape(lambda d: d.ellipse(s(130, 185, 370, 225), fill=255)), flat(can, 190))
    can.paint(
        can.shape(lambda d: d.rounded_rectangle(s(215, 195, 285, 212), radius=6 * SS, fill=255)),
        flat(can, 150),
    )
    can.paint(
        can.shape(lambda d: d.rectangle(s(*LABEL), fill=255)), cylinder(can, LABEL[0], LABEL[2], highlight=45)
    )
    can.save(folder / "can_330.png")
    mask = Sheet(size)
    mask.paint(mask.shape(lambda d: d.rectangle(s(*LABEL), fill=255)), (255, 255, 255, 255))
    mask.save(folder / "label-mask.png", "L")


# -- made-to-measure curtain ----------------------------------------------------------------------

CURTAIN_SIZE = (600, 800)
POLE_Y = 120
PANEL = (150, 140, 450, 700)  # the panel hanging from the pole: left, top, right, hem
PLEATS = 9


def pleated(sheet: Sheet, x0: float, x1: float, level: int = NEUTRAL, depth: float = 46) -> Image.Image:
    """A grey picture shaded like cloth falling in vertical folds between x0 and x1."""
    width, height = sheet.image.size
    row = []
    for x in range(width):
        t = min(max((x / SS - x0) / max(x1 - x0, 1), 0.0), 1.0)
        fold = math.sin(2 * math.pi * PLEATS * t)
        row.append(max(0, min(255, round(level + depth * fold * abs(fold) ** 0.4))))
    line = Image.new("L", (width, 1))
    line.putdata(row)
    grey = line.resize((width, height), Image.Resampling.NEAREST)
    return Image.merge("RGBA", (grey, grey, grey, Image.new("L", grey.size, 255)))


def panel_outline(d: ImageDraw.ImageDraw) -> None:
    """The panel: straight under the pole, its hem gently scalloped by the folds."""
    x0, y0, x1, y1 = PANEL
    steps = PLEATS * 16
    hem = [
        (x1 - (x1 - x0) * i / steps, y1 + 6 * math.sin(2 * math.pi * PLEATS * i / steps))
        for i in range(steps + 1)
    ]
    d.polygon(pts([(x0, y0), (x1, y0), *hem]), fill=255)


def made_to_measure_curtain(folder: Path) -> None:
    x0, y0, x1, y1 = PANEL
    room = Sheet(CURTAIN_SIZE)
    room.paint(room.shape(lambda d: d.rectangle(s(0, 0, 600, 800), fill=255)), (236, 231, 222, 255))
    room.paint(room.shape(lambda d: d.rectangle(s(0, 730, 600, 800), fill=255)), (176, 146, 112, 255))
    room.paint(room.shape(lambda d: d.rectangle(s(120, 170, 480, 640), fill=255)), (250, 250, 247, 255))
    room.paint(room.shape(lambda d: d.rectangle(s(136, 186, 464, 624), fill=255)), (188, 214, 232, 255))
    room.paint(
        room.shape(
            lambda d: [
                d.line(s(300, 186, 300, 624), fill=255, width=10 * SS),
                d.line(s(136, 405, 464, 405), fill=255, width=10 * SS),
            ]
        ),
        (250, 250, 247, 255),
    )
    room.paint(room.shape(lambda d: d.rectangle(s(100, 640, 500, 660), fill=255)), (250, 250, 247, 255))
    soft_shadow(room, (x0 - 10, 690, x1 + 10, 745), alpha=60)
    pole = room.shape(
        lambda d: d.rounded_rectangle(s(90, POLE_Y - 7, 510, POLE_Y + 7), radius=7 * SS, fill=255)
    )
    room.paint(pole, (70, 62, 55, 255))
    for end in (90, 510):
        room.paint(
            room.shape(lambda d, e=end: d.ellipse(s(e - 13, POLE_Y - 13, e + 13, POLE_Y + 13), fill=255)),
            (70, 62, 55, 255),
        )
    room.save(folder / "room.png")

    panel = Sheet(CURTAIN_SIZE)
    body = panel.shape(panel_outline)
    panel.paint(body, pleated(panel, x0, x1))
    panel.save(folder / "panel.png")
    mask = Sheet(CURTAIN_SIZE)
    mask.paint(body, (255, 255, 255, 255))
    mask.save(folder / "panel-mask.png", "L")

    # Fabrics: a texture over the coloured panel (cotton is the plain cloth itself).
    linen = Sheet(CURTAIN_SIZE)
    rng = random.Random(11)
    slubs = linen.shape(
        lambda d: [
            d.line(s(x, y, x + rng.uniform(-2, 2), y + rng.uniform(20, 60)), fill=255, width=SS)
            for x, y in ((rng.uniform(x0, x1), rng.uniform(y0, y1 - 60)) for _ in range(420))
        ]
    )
    linen.paint(ImageChops.multiply(slubs, body), (255, 255, 255, 70))
    linen.save(folder / "fabric-linen.png")
    velvet = Sheet(CURTAIN_SIZE)
    sheen = Image.eval(pleated(velvet, x0, x1, level=0, depth=120).getchannel("R"), lambda v: min(255, v * 2))
    velvet.paint(ImageChops.multiply(sheen, body), (255, 255, 255, 60))
    velvet.save(folder / "fabric-velvet.png")
    sheer = Sheet(CURTAIN_SIZE)
    light = sheer.shape(lambda d: d.rectangle(s(136, 186, 464, 624), fill=150))
    sheer.paint(ImageChops.multiply(light, body), (255, 255, 255, 255))
    sheer.save(folder / "fabric-sheer.png")

    # Headings: how the top of the panel is gathered on the pole.
    def heading(name: str, draw: Callable[[ImageDraw.ImageDraw], None], colour: tuple[int, ...]) -> None:
        sheet = Sheet(CURTAIN_SIZE)
        sheet.paint(sheet.shape(draw), colour)
        sheet.save(folder / f"heading-{name}.png")

    step = (x1 - x0) / PLEATS
    heading(
        "pencil",
        lambda d: [
            d.line(s(x0 + i * step / 3, y0 + 4, x0 + i * step / 3, y0 + 34), fill=255, width=SS)
            for i in range(1, PLEATS * 3)
        ],
        (0, 0, 0, 90),
    )
    heading(
        "pinch",
        lambda d: [
            d.polygon(
                pts(
                    [
                        (x0 + (i + 0.5) * step - 7, y0),
                        (x0 + (i + 0.5) * step + 7, y0),
                        (x0 + (i + 0.5) * step + 2, y0 + 44),
                        (x0 + (i + 0.5) * step - 2, y0 + 44),
                    ]
                ),
                fill=255,
            )
            for i in range(PLEATS)
        ],
        (0, 0, 0, 80),
    )
    heading(
        "eyelet",
        lambda d: [
            d.ellipse(
                s(x0 + (i + 0.5) * step - 10, POLE_Y - 6, x0 + (i + 0.5) * step + 10, POLE_Y + 14),
                outline=255,
                width=4 * SS,
            )
            for i in range(PLEATS)
        ],
        (190, 190, 196, 255),
    )
    heading(
        "wave",
        lambda d: [
            d.arc(s(x0 + i * step, y0 - 10, x0 + (i + 1) * step, y0 + 30), 0, 180, fill=255, width=3 * SS)
            for i in range(PLEATS)
        ],
        (0, 0, 0, 70),
    )
    # A tieback: a band of the same cloth (drawn as shade over it) and its hook, at the panel's edge.
    tie = Sheet(CURTAIN_SIZE)
    tie.paint(
        tie.shape(lambda d: d.rounded_rectangle(s(x1 - 90, 470, x1 + 8, 490), radius=10 * SS, fill=255)),
        (0, 0, 0, 70),
    )
    tie.paint(tie.shape(lambda d: d.ellipse(s(x1 + 2, 470, x1 + 20, 490), fill=255)), (120, 100, 80, 255))
    tie.save(folder / "tiebacks.png")


# -- dining table ----------------------------------------------------------------------------------

TABLE_SIZE = (800, 500)
WOODS = {"oak": (196, 160, 110), "ash": (222, 204, 170), "walnut": (104, 70, 50)}


def grain(size: tuple[int, int], colour: tuple[int, int, int], seed: int, scale: float = 1.0) -> Image.Image:
    """A wood picture: the colour with long darker and lighter streaks along its length."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGBA", size, (*colour, 255))
    draw = ImageDraw.Draw(image)
    for _ in range(int(height * 0.9)):
        y = rng.uniform(0, height)
        tone = rng.uniform(-28, 18)
        streak = tuple(max(0, min(255, round(c + tone))) for c in colour)
        wave, phase = rng.uniform(1, 4) * scale, rng.uniform(0, math.tau)
        points = [(x, y + wave * math.sin(x / (40 * scale) + phase)) for x in range(0, width + 8, 8)]
        draw.line(points, fill=(*streak, 255), width=max(1, round(rng.uniform(1, 3) * scale)))
    return image.filter(ImageFilter.GaussianBlur(0.6 * scale))


def dining_table(folder: Path) -> None:
    """The table from the side: a top in each wood, two kinds of base, and a square picture per wood."""
    x0, x1, top, thick = 90, 710, 200, 34
    for index, (wood, colour) in enumerate(WOODS.items()):
        sheet = Sheet(TABLE_SIZE)
        soft_shadow(sheet, (60, 430, 740, 470), alpha=70)
        picture = grain(sheet.image.size, colour, seed=11 + index, scale=SS)
        sheet.paint(
            sheet.shape(lambda d: d.rounded_rectangle(s(x0, top, x1, top + thick), radius=6 * SS, fill=255)),
            picture,
        )
        # The edge catches the light; the underside is in shade.
        sheet.paint(
            sheet.shape(lambda d: d.rectangle(s(x0 + 4, top + 2, x1 - 4, top + 6), fill=255)),
            (255, 255, 255, 60),
        )
        sheet.paint(
            sheet.shape(lambda d: d.rectangle(s(x0 + 4, top + thick - 8, x1 - 4, top + thick), fill=255)),
            (0, 0, 0, 60),
        )
        sheet.save(folder / f"top-{wood}.png")
        swatch = grain((192, 192), colour, seed=31 + index)
        swatch.convert("RGB").save(folder / f"{wood}.jpg", "JPEG", quality=88)
    legs = Sheet(TABLE_SIZE)
    for x in (x0 + 30, x1 - 66):
        legs.paint(
            legs.shape(lambda d, x=x: d.rectangle(s(x, top + thick, x + 36, 440), fill=255)),
            cylinder(legs, x, x + 36, level=110, highlight=30),
        )
    legs.paint(
        legs.shape(lambda d: d.rectangle(s(x0 + 60, top + thick, x1 - 60, top + thick + 40), fill=255)),
        (80, 60, 45, 255),
    )
    legs.save(folder / "four_legs.png")
    trestle = Sheet(TABLE_SIZE)
    for centre in (x0 + 110, x1 - 110):
        trestle.paint(
            trestle.shape(
                lambda d, c=centre: d.polygon(
                    pts([(c - 70, 440), (c - 14, top + thick), (c + 14, top + thick), (c + 70, 440)]),
                    fill=255,
                )
            ),
            (58, 58, 60, 255),
        )
    trestle.paint(
        trestle.shape(lambda d: d.rectangle(s(x0 + 110, 330, x1 - 110, 344), fill=255)), (58, 58, 60, 255)
    )
    trestle.save(folder / "trestle.png")


def fonts(folder: Path) -> None:
    """Copies the DejaVu fonts the demo uses, when Debian's fonts-dejavu-core is installed."""
    system = Path("/usr/share/fonts/truetype/dejavu")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Italic.ttf"):
        if (system / name).is_file() and not (folder / name).is_file():
            shutil.copyfile(system / name, folder / name)
    licence = Path("/usr/share/doc/fonts-dejavu-core/copyright")
    if licence.is_file() and not (folder / "LICENSE").is_file():
        shutil.copyfile(licence, folder / "LICENSE")


def main() -> None:
    """Draw every demo asset."""
    engraved_mug(HERE / "engraved-mug")
    celebration_cake(HERE / "celebration-cake")
    custom_sneaker(HERE / "custom-sneaker")
    name_bottle(HERE / "name-bottle")
    made_to_measure_curtain(HERE / "made-to-measure-curtain")
    dining_table(HERE / "dining-table")
    fonts(HERE / "fonts")


if __name__ == "__main__":
    main()
