"""Print files of an order line, for the workshop: one PDF per view at its printed size, and a summary.

A view's file is one page of the view's print area plus its bleed on every side (`View.printed`):
the picture at production resolution, its bleed made by stretching its edges outwards, and crop marks
in the bleed at the four corners; the page's TrimBox is the print area. Texts drawn straight are
written over the picture as text in the product's own font (embedded, shaped by HarfBuzz, selectable
and found by a search); texts along an arc stay part of the picture.

The summary sheet (A4) says what to make, in the workshop's language (`workshop_language`): the
order and the line, the product, every choice with its label and key, colours with their hex and a
swatch, each text exactly as it will be cut (the stored text, combining marks kept, in the product's
font) with its length in characters as the shop counts them (grapheme clusters), its font, size and
colour, the quantity, and each view's print size with a thumbnail.

Fonts are embedded as subsets; the sheet's own font is DejaVu Sans, shipped in `fonts/`. fpdf2 reads
fonts from files: a font asset is written once, named by its digest, to `atelier-fonts-<uid>` in the
temporary directory. Files are the same bytes for the same inputs (`created` is the date written in
them).
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import stat
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Final

from babel.dates import format_date
from fontTools.ttLib import TTFont, TTLibError
from fpdf import FPDF
from fpdf.errors import FPDFException
from PIL import Image, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from rules.i18n import RULES, cldr_locale, spoken
from rules.model import (
    DEFAULT_FONT,
    DEFAULT_LOCALE,
    NOMINAL_DPI,
    Attribute,
    AttributeKind,
    PrintArea,
    ProductModel,
    TextLayer,
    Value,
    View,
    image_pick,
)
from rules.preview import assets as a
from rules.preview.renderer import (
    Design,
    Uploads,
    _env,
    _HasModel,
    _holds,
    chosen_font,
    clean_design,
    colour_of,
    compose,
    default_assets,
    model_of,
    text_lines,
)
from rules.preview.text import fit_size, line_height
from rules.production import making
from rules.text import graphemes

SHEET_FONT: Final = Path(__file__).parent / "fonts" / "DejaVuSans.ttf"
POINTS_PER_MM: Final = 72 / 25.4
CROP_MARK_WIDTH_MM = 0.1  # about a quarter point: a hairline
THUMBNAIL_PX = 256
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # the date written in a file made without `created`
_ALIGN = {"left": "L", "center": "C", "right": "R"}
_INK = (20, 20, 20)
_MUTED = (110, 110, 110)
_RULE = (200, 200, 200)


@dataclass(frozen=True)
class LineFacts:
    """What the summary sheet says about the order line besides the design."""

    order: str  # the order number
    line: int  # the line's position in the order, from 1
    lines: int  # how many lines the order has
    quantity: int
    version: str  # the rule version the line was priced with, e.g. "12 (3fa2c1d9e0b4)"
    ships_by: date | None = None  # the day the order said it would be made and sent by


def workshop_language(product: ProductModel | _HasModel) -> str:
    """The language the workshop reads: the brand's default language (the first of its `languages`),
    else English."""
    languages = model_of(product).brand.languages
    return languages[0] if languages else DEFAULT_LOCALE


# -- the print file of a view ------------------------------------------------------------------------


def print_file(
    product: ProductModel | _HasModel,
    design: Design,
    view_key: str,
    *,
    assets: a.AssetSource | None = None,
    uploads: Uploads | None = None,
    title: str = "",
    created: datetime | None = None,
) -> bytes:
    """One view of a design as a print-ready PDF page: the print area plus its bleed, crop marks, and
    straight texts as real text. Raises ValueError for an unknown view and AssetError for a missing
    or unusable asset."""
    model = model_of(product)
    view = _view(model, view_key)
    area, _ = view.printed()
    source = assets or default_assets(model)
    values = clean_design(model, design)
    env = _env(model, values)
    written = [
        layer
        for layer in view.layers
        if isinstance(layer, TextLayer) and not layer.arc and _embeddable(source, layer, model, values)
    ]
    # The picture without the texts written as text (their `when` is judged when they are written).
    kept = {id(layer) for layer in written}
    bare = replace(view, layers=tuple(layer for layer in view.layers if id(layer) not in kept))
    picture = compose(replace(model, views=(bare,)), values, view.key, "production", source, uploads)
    mm_per_px = area.width / view.size[0]
    bleed_px = round(area.bleed / mm_per_px)
    page = (area.width + 2 * area.bleed, area.height + 2 * area.bleed)
    pdf = _document(page, title or view.label.get(), created)
    pdf.add_page()
    pdf.image(_with_bleed(_flatten(picture), bleed_px), x=0, y=0, w=page[0], h=page[1])
    fonts = _Fonts(pdf, source)
    for layer in written:
        if _holds(layer.when, env):
            _write_text(pdf, fonts, model, values, layer, source, mm_per_px, area.bleed)
    _crop_marks(pdf, area)
    return _with_boxes(bytes(pdf.output()), area)


def _view(model: ProductModel, key: str) -> View:
    view = model.view(key)
    if view is None:
        known = ", ".join(v.key for v in model.views) or "none"
        raise ValueError(f"product {model.key!r} has no view {key!r} (views: {known})")
    return view


def _embeddable(
    source: a.AssetSource, layer: TextLayer, model: ProductModel, values: Mapping[str, Value]
) -> bool:
    """Whether the layer's font can be embedded; one that cannot stays drawn in the picture."""
    _, path = chosen_font(layer, model, values)
    try:
        _font_file(source, path)
    except a.AssetError:
        return False
    return True


def _flatten(image: Image.Image) -> Image.Image:
    """The picture on white paper: print files carry no transparency."""
    paper = Image.new("RGB", image.size, "white")
    paper.paste(image, mask=image.getchannel("A"))
    return paper


def _with_bleed(image: Image.Image, bleed: int) -> Image.Image:
    """The picture with `bleed` pixels more on every side, its edge pixels stretched outwards: what
    the trim leaves is the picture itself, whichever way the cut strays."""
    if bleed <= 0:
        return image
    width, height = image.size
    out = Image.new("RGB", (width + 2 * bleed, height + 2 * bleed))
    out.paste(image, (bleed, bleed))
    edges = {
        (0, bleed, bleed, bleed + height): image.crop((0, 0, 1, height)),  # left
        (bleed + width, bleed, width + 2 * bleed, bleed + height): image.crop((width - 1, 0, width, height)),
        (bleed, 0, bleed + width, bleed): image.crop((0, 0, width, 1)),  # top
        (bleed, bleed + height, bleed + width, height + 2 * bleed): image.crop(
            (0, height - 1, width, height)
        ),
        (0, 0, bleed, bleed): image.crop((0, 0, 1, 1)),
        (bleed + width, 0, width + 2 * bleed, bleed): image.crop((width - 1, 0, width, 1)),
        (0, bleed + height, bleed, height + 2 * bleed): image.crop((0, height - 1, 1, height)),
        (bleed + width, bleed + height, width + 2 * bleed, height + 2 * bleed): image.crop(
            (width - 1, height - 1, width, height)
        ),
    }
    for box, strip in edges.items():
        out.paste(strip.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.NEAREST), box[:2])
    return out


def _write_text(
    pdf: FPDF,
    fonts: _Fonts,
    model: ProductModel,
    values: Mapping[str, Value],
    layer: TextLayer,
    source: a.AssetSource,
    mm_per_px: float,
    bleed: float,
) -> None:
    """A straight text zone as text: the size the preview chooses (in the view's pixels), each line
    where the preview draws it, clipped to the zone."""
    attribute = model.attribute(layer.attribute)
    lines = text_lines(attribute, values.get(layer.attribute)) if attribute is not None else []
    if not lines:
        return
    _, path = chosen_font(layer, model, values)
    x, y, width, height = layer.box
    size, _ = fit_size(
        lambda s: a.font(source, path, s), lines, (width, height), layer.min_size, layer.max_size, 0
    )
    metrics = a.font(source, path, size)
    ascent = metrics.getmetrics()[0]
    step = line_height(metrics)
    top = (height - step * len(lines)) / 2
    hex_colour = layer.colour
    if layer.colour_attribute is not None:
        hex_colour = colour_of(model, layer.colour_attribute, values) or layer.colour
    pdf.set_font(fonts.family(path), size=size * mm_per_px * POINTS_PER_MM)
    pdf.set_text_color(*_rgb(hex_colour))
    left = bleed + x * mm_per_px
    with pdf.rect_clip(left, bleed + y * mm_per_px, width * mm_per_px, height * mm_per_px):
        for index, line in enumerate(lines):
            baseline = bleed + (y + top + index * step + ascent) * mm_per_px
            _line_at(pdf, line, left, baseline, width * mm_per_px, _ALIGN.get(layer.align, "C"))


def _line_at(pdf: FPDF, text: str, left: float, baseline: float, width: float, align: str) -> None:
    """One line of shaped text whose baseline lies at `baseline` (fpdf2 puts a cell's baseline at
    0.3 font sizes below the cell's middle)."""
    height = pdf.font_size
    pdf.set_xy(left, baseline - height / 2 - 0.3 * pdf.font_size)
    pdf.cell(w=width, h=height, text=text, align=align)


def _crop_marks(pdf: FPDF, area: PrintArea) -> None:
    """A pair of marks at each corner of the trim, in the bleed, stopping short of the trim line; a
    white line under each keeps it visible over dark artwork. None without a bleed."""
    bleed = area.bleed
    if bleed <= 0:
        return
    gap = min(1.0, bleed / 3)
    right, bottom = bleed + area.width, bleed + area.height
    page_width, page_height = area.width + 2 * bleed, area.height + 2 * bleed
    marks = []
    for x in (bleed, right):
        marks.append((x, 0.0, x, bleed - gap))
        marks.append((x, bottom + gap, x, page_height))
    for y in (bleed, bottom):
        marks.append((0.0, y, bleed - gap, y))
        marks.append((right + gap, y, page_width, y))
    for colour, width in (((255, 255, 255), CROP_MARK_WIDTH_MM * 3), ((0, 0, 0), CROP_MARK_WIDTH_MM)):
        pdf.set_draw_color(*colour)
        pdf.set_line_width(width)
        for x1, y1, x2, y2 in marks:
            pdf.line(x1, y1, x2, y2)


def _with_boxes(data: bytes, area: PrintArea) -> bytes:
    """The PDF with each page's TrimBox (the print area) and BleedBox (the whole page) set, so
    imposition software finds the cut without being told."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    bleed = area.bleed * POINTS_PER_MM
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        page.trimbox = RectangleObject([bleed, bleed, width - bleed, height - bleed])
        page.bleedbox = RectangleObject([0, 0, width, height])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- the summary sheet -------------------------------------------------------------------------------

A4 = (210.0, 297.0)
MARGIN = 15.0
LABEL_WIDTH = 52.0
LINE = 5.5  # the height of a line of the sheet's text
THUMBNAIL_MM = 45.0  # the longest side of a view's thumbnail on the sheet
SAMPLE_PT = 18.0  # the size texts are shown at on the sheet, in their own font


def summary_sheet(
    product: ProductModel | _HasModel,
    design: Design,
    facts: LineFacts,
    *,
    language: str | None = None,
    assets: a.AssetSource | None = None,
    uploads: Uploads | None = None,
    created: datetime | None = None,
) -> bytes:
    """The summary of an order line for the workshop (A4 PDF), in `language` (default: the workshop's)."""
    model = model_of(product)
    language = language or workshop_language(model)
    source = assets or _source(model)
    values = clean_design(model, design)
    sheet = _Sheet(model, language, _document(A4, f"{facts.order} · {facts.line}/{facts.lines}", created))
    sheet.pdf.add_page()
    sheet.title(model.label.get(language), sheet.localized("Production sheet"))
    sheet.row(sheet.localized("Order"), facts.order)
    sheet.row(
        sheet.localized("Line"), sheet.localized("{index} of {count}", index=facts.line, count=facts.lines)
    )
    sheet.row(sheet.localized("Product"), f"{model.label.get(language)} [{model.key}]")
    sheet.row(sheet.localized("Quantity"), _spoken(facts.quantity, language), strong=True)
    sheet.row(sheet.localized("Rules version"), facts.version)
    sheet.heading(sheet.localized("Choices"))
    for attribute in model.attributes:
        text, hex_colour = _describe(sheet, attribute, values[attribute.key])
        sheet.row(f"{attribute.label.get(language)} [{attribute.key}]", text, swatch=hex_colour)
    _production(sheet, model, values, facts)
    texts = list(_texts(model, values, source))
    if texts:
        sheet.heading(sheet.localized("Texts, exactly as made"))
        fonts = _Fonts(sheet.pdf, source) if source is not None else None
        for item in texts:
            sheet.text_sample(item, fonts)
    if model.views:
        sheet.heading(sheet.localized("Views"))
        for view in model.views:
            sheet.view(view, _thumbnail(model, values, view, source, uploads))
    return bytes(sheet.pdf.output())


def _production(sheet: _Sheet, model: ProductModel, values: Mapping[str, Value], facts: LineFacts) -> None:
    """What the workshop makes and sends: the SKU, the parts for the whole line, the lead time and the
    day it ships by, and what one unit weighs (from the product's production data)."""
    made = making(model, values)
    if made.sku is None and not made.parts and made.lead_days is None and made.weight_grams is None:
        return
    language = sheet.language
    sheet.heading(sheet.localized("Production"))
    if made.sku is not None:
        sheet.row(sheet.localized("SKU"), made.sku, strong=True)
    for part in made.parts:
        total = part.quantity * facts.quantity
        sheet.row(
            sheet.localized("Part {code}", code=part.code),
            sheet.localized(
                "{total} ({each} per unit)",
                total=_spoken(total, language),
                each=_spoken(part.quantity, language),
            ),
        )
    if made.lead_days is not None:
        days = RULES.localized_plural("{n} day", "{n} days", made.lead_days).get(language)
        shipped = (
            f" — {format_date(facts.ships_by, 'long', locale=cldr_locale(language))}"
            if facts.ships_by
            else ""
        )
        sheet.row(sheet.localized("Lead time"), f"{days}{shipped}")
    if made.weight_grams is not None:
        kilograms = made.weight_grams / 1000
        sheet.row(sheet.localized("Weight of one unit"), f"{_spoken(kilograms, language)} kg")


@dataclass(frozen=True)
class _Text:
    """A text as one view makes it."""

    label: str  # the attribute's key and the view's
    attribute: Attribute
    view: View
    lines: tuple[str, ...]
    font_option: str
    font_path: str
    size_pt: Decimal | None  # None: the font cannot be read, so the size is unknown
    colour: str
    arc: int


def _texts(model: ProductModel, values: Mapping[str, Value], source: a.AssetSource | None) -> Iterator[_Text]:
    """Every text a view draws for this design, once per attribute, font and size."""
    env = _env(model, values)
    seen: set[tuple[str, str, Decimal | None]] = set()
    for view in model.views:
        area, _ = view.printed()
        mm_per_px = area.width / view.size[0]
        for layer in view.layers:
            if not isinstance(layer, TextLayer) or not _holds(layer.when, env):
                continue
            attribute = model.attribute(layer.attribute)
            lines = text_lines(attribute, values.get(layer.attribute)) if attribute is not None else []
            if attribute is None or not lines:
                continue
            option, path = chosen_font(layer, model, values)
            size_pt: Decimal | None = None
            if source is not None:
                try:
                    size, _ = fit_size(
                        lambda s, p=path: a.font(source, p, s),  # type: ignore[misc]
                        lines,
                        (layer.box[2], layer.box[3]),
                        layer.min_size,
                        layer.max_size,
                        layer.arc,
                    )
                    size_pt = Decimal(str(round(size * mm_per_px * POINTS_PER_MM, 1)))
                except a.AssetError:
                    pass
            if (attribute.key, path, size_pt) in seen:
                continue
            seen.add((attribute.key, path, size_pt))
            colour = layer.colour
            if layer.colour_attribute is not None:
                colour = colour_of(model, layer.colour_attribute, values) or layer.colour
            yield _Text(
                f"{attribute.key} · {view.key}",
                attribute,
                view,
                tuple(lines),
                option,
                path,
                size_pt,
                colour,
                layer.arc,
            )


def _describe(sheet: _Sheet, attribute: Attribute, value: Value) -> tuple[str, str | None]:
    """How a value reads on the sheet, and the hex of a colour."""
    language = sheet.language
    if value is None:
        return sheet.localized("does not apply"), None
    kind = attribute.kind
    if kind in (AttributeKind.CHOICE, AttributeKind.COLOUR):
        option = attribute.option(str(value))
        label = option.label.get(language) if option is not None else str(value)
        hex_colour = option.hex if option is not None else None
        return f"{label} [{value}]" + (f"  {hex_colour}" if hex_colour else ""), hex_colour
    if kind is AttributeKind.MULTI:
        chosen = [o for o in attribute.options if isinstance(value, frozenset) and o.key in value]
        return (
            ", ".join(f"{o.label.get(language)} [{o.key}]" for o in chosen) or sheet.localized("none")
        ), None
    if kind is AttributeKind.BOOLEAN:
        return (sheet.localized("yes") if value else sheet.localized("no")), None
    if kind is AttributeKind.NUMBER and isinstance(value, int):
        return f"{_spoken(value, language)}{' ' + attribute.unit if attribute.unit else ''}", None
    if kind is AttributeKind.IMAGE:
        pick = image_pick(value)
        if pick is None:
            return sheet.localized("none"), None
        spec = attribute.image
        width, height = spec.print_size if spec is not None else (0.0, 0.0)
        return sheet.localized(
            "photo {upload}, printed {width} × {height} mm",
            upload=pick.upload_id,
            width=_decimal(width),
            height=_decimal(height),
        ), None
    text = str(value)
    return (" ⏎ ".join(text.splitlines()) if text else sheet.localized("none")), None


def _thumbnail(
    model: ProductModel,
    values: Mapping[str, Value],
    view: View,
    source: a.AssetSource | None,
    uploads: Uploads | None,
) -> Image.Image | None:
    if source is None:
        return None
    try:
        picture = compose(model, values, view.key, THUMBNAIL_PX, source, uploads)
    except (a.AssetError, ValueError):
        return None
    drawn = picture.getchannel("A").getbbox()
    if drawn is not None:  # the thumbnail shows what is drawn, without the empty room around it
        picture = picture.crop(drawn)
    return _flatten(picture)


class _Sheet:
    """The summary being written: an A4 page (more when it runs over), rows of label and value."""

    def __init__(self, model: ProductModel, language: str, pdf: FPDF) -> None:
        self.model = model
        self.language = language
        self.pdf = pdf
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=MARGIN)
        pdf.add_font("sheet", "", str(SHEET_FONT))
        self.width = A4[0] - 2 * MARGIN

    def localized(self, message: str, **params: str | int | Decimal) -> str:
        """A message of the sheet in its language (`make messages` finds the literal messages given here)."""
        return RULES.localized(message, **params).get(self.language)

    def title(self, product: str, what: str) -> None:
        pdf = self.pdf
        pdf.set_font("sheet", size=18)
        pdf.set_text_color(*_INK)
        pdf.multi_cell(self.width, 9, f"{product} — {what}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    def heading(self, text: str) -> None:
        pdf = self.pdf
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.ln(4)
        pdf.set_font("sheet", size=13)
        pdf.set_text_color(*_INK)
        pdf.cell(self.width, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*_RULE)
        pdf.set_line_width(0.2)
        pdf.line(MARGIN, pdf.get_y(), MARGIN + self.width, pdf.get_y())
        pdf.ln(2)

    def row(self, label: str, value: str, *, swatch: str | None = None, strong: bool = False) -> None:
        """A label in the left column and its value beside it, both wrapped within their columns."""
        pdf = self.pdf
        value_x = MARGIN + LABEL_WIDTH + (6 if swatch is not None else 0)
        value_width = MARGIN + self.width - value_x
        pdf.set_font("sheet", size=9)
        label_height = self._height(LABEL_WIDTH - 2, label)
        pdf.set_font("sheet", size=12 if strong else 10)
        value_height = self._height(value_width, value) if value else 0.0
        height = max(label_height, value_height, LINE)
        if pdf.will_page_break(height):
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_font("sheet", size=9)
        pdf.set_text_color(*_MUTED)
        pdf.set_xy(MARGIN, top)
        pdf.multi_cell(LABEL_WIDTH - 2, LINE, label, align="L", new_x="LMARGIN", new_y="NEXT")
        if swatch is not None:
            pdf.set_fill_color(*_rgb(swatch))
            pdf.set_draw_color(*_INK)
            pdf.set_line_width(0.2)
            pdf.rect(MARGIN + LABEL_WIDTH, top + 0.8, 4, 4, style="DF")
        if value:
            pdf.set_font("sheet", size=12 if strong else 10)
            pdf.set_text_color(*_INK)
            pdf.set_xy(value_x, top)
            pdf.multi_cell(value_width, LINE, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(top + height + 0.8)

    def _height(self, width: float, text: str) -> float:
        """How tall `text` is once wrapped to `width` in the current font."""
        height = self.pdf.multi_cell(width, LINE, text, align="L", dry_run=True, output="HEIGHT")
        assert isinstance(height, float | int)
        return float(height)

    def text_sample(self, item: _Text, fonts: _Fonts | None) -> None:
        """A text as it will be cut, in its own font, with its length, font, size and colour."""
        pdf = self.pdf
        language = self.language
        if pdf.will_page_break(30):
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_font("sheet", size=9)
        pdf.set_text_color(*_MUTED)
        label = f"{item.attribute.label.get(language)} [{item.label}]"
        pdf.multi_cell(LABEL_WIDTH - 2, LINE, label, align="L", new_x="LMARGIN", new_y="NEXT")
        below_label = pdf.get_y()
        pdf.set_y(top)
        family = "sheet"
        if fonts is not None:
            try:
                family = fonts.family(item.font_path)
            except a.AssetError:
                pass
        missing = _missing(fonts, item.font_path, item.lines) if fonts is not None else ""
        room = self.width - LABEL_WIDTH - 30  # beside it, its length
        for line in item.lines:
            pdf.set_font(family, size=SAMPLE_PT)
            wide = pdf.get_string_width(line) + 3
            if wide > room:  # a long text is shown smaller, never cut
                pdf.set_font(family, size=max(6.0, SAMPLE_PT * room / wide))
            pdf.set_text_color(*_INK)
            pdf.set_draw_color(*_RULE)
            pdf.set_x(MARGIN + LABEL_WIDTH)
            pdf.c_margin = 1.5
            pdf.cell(text=line, h=10, border=1, new_x="RIGHT", new_y="TOP")
            pdf.set_font("sheet", size=9)
            pdf.set_text_color(*_MUTED)
            count = len(graphemes(line))
            counted = RULES.localized_plural("{n} character", "{n} characters", count).get(language)
            pdf.c_margin = 3
            pdf.cell(text=counted, h=10, new_x="LMARGIN", new_y="NEXT")
            pdf.c_margin = 0
            if any(ord(char) > 0x7E for char in line):
                pdf.set_x(MARGIN + LABEL_WIDTH)
                codes = " ".join(f"U+{ord(char):04X}" for char in line[:60])
                pdf.multi_cell(self.width - LABEL_WIDTH, 4.5, codes, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("sheet", size=9)
        pdf.set_text_color(*_INK)
        font = f"{item.font_option} ({item.font_path})" if item.font_option else item.font_path
        size = "?" if item.size_pt is None else _spoken(item.size_pt, language)
        details = [
            self.localized(
                "font {font}, {size} pt, colour {colour}", font=font, size=size, colour=item.colour
            )
        ]
        if item.arc:
            details.append(
                self.localized(
                    "along an arc of {degrees}°: part of the picture in the print file", degrees=item.arc
                )
            )
        if missing:
            details.append(self.localized("not in the font: {characters}", characters=missing))
        pdf.set_x(MARGIN + LABEL_WIDTH)
        pdf.multi_cell(
            self.width - LABEL_WIDTH, 4.5, "\n".join(details), align="L", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_y(max(pdf.get_y(), below_label) + 2)

    def view(self, view: View, thumbnail: Image.Image | None) -> None:
        """A view: its thumbnail in the label column, its name and print size beside it."""
        pdf = self.pdf
        area, stated = view.printed()
        lines = [
            f"{view.label.get(self.language)} [{view.key}]",
            self.localized(
                "{width} × {height} mm, bleed {bleed} mm",
                width=_decimal(area.width),
                height=_decimal(area.height),
                bleed=_decimal(area.bleed),
            ),
        ]
        if not stated:
            lines.append(
                self.localized(
                    "derived from {width} × {height} pixels at {dpi} dpi: the view states no print size",
                    width=view.size[0],
                    height=view.size[1],
                    dpi=NOMINAL_DPI,
                )
            )
        text = "\n".join(lines)
        width = self.width - LABEL_WIDTH
        pdf.set_font("sheet", size=10)
        thumb = (0.0, 0.0)
        if thumbnail is not None:
            scale = THUMBNAIL_MM / max(thumbnail.size)
            thumb = (thumbnail.width * scale, thumbnail.height * scale)
        height = max(self._height(width, text), thumb[1])
        if pdf.will_page_break(height):
            pdf.add_page()
        top = pdf.get_y()
        if thumbnail is not None:
            pdf.image(thumbnail, x=MARGIN, y=top, w=thumb[0], h=thumb[1])
        pdf.set_text_color(*_INK)
        pdf.set_xy(MARGIN + LABEL_WIDTH, top)
        pdf.multi_cell(width, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(top + height + 4)


def _missing(fonts: _Fonts, path: str, lines: Sequence[str]) -> str:
    """The characters of the lines the font has no glyph for, once each (a combining mark counts as
    present when the font has its letter precomposed)."""
    try:
        cmap = fonts.cmap(path)
    except a.AssetError:
        return ""
    missing: list[str] = []
    for line in lines:
        for cluster in graphemes(line):
            if cluster.isspace():
                continue
            composed = unicodedata.normalize("NFC", cluster)
            if len(composed) == 1 and ord(composed) in cmap:
                continue
            for char in cluster:
                if ord(char) not in cmap and char not in missing and unicodedata.category(char) != "Cf":
                    missing.append(char)
    return " ".join(f"{char} (U+{ord(char):04X})" for char in missing)


# -- documents and fonts -----------------------------------------------------------------------------


def _document(page: tuple[float, float], title: str, created: datetime | None) -> FPDF:
    """An empty PDF in millimetres, its pages `page` in size, text shaped by HarfBuzz."""
    pdf = FPDF(unit="mm", format=page)
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.c_margin = 0
    pdf.set_creation_date(created or EPOCH)
    pdf.set_creator("Atelier")
    pdf.set_title(title)
    pdf.set_text_shaping(True)
    return pdf


class _Fonts:
    """The product's fonts added to one PDF, by asset path (fpdf2 reads fonts from files)."""

    def __init__(self, pdf: FPDF, source: a.AssetSource) -> None:
        self.pdf = pdf
        self.source = source
        self.families: dict[str, str] = {}

    def family(self, path: str) -> str:
        """The PDF font family of a font asset, added on first use; AssetError when it cannot be."""
        found = self.families.get(path)
        if found is not None:
            return found
        file = _font_file(self.source, path)
        family = f"font{len(self.families)}"
        try:
            self.pdf.add_font(family, "", str(file))
        except (FPDFException, TTLibError, OSError, ValueError, KeyError) as error:
            raise a.AssetError(path, f"it cannot be embedded in a PDF ({error})") from None
        self.families[path] = family
        return family

    def cmap(self, path: str) -> Mapping[int, str]:
        """The font's characters (code point -> glyph name)."""
        return _cmap(_font_file(self.source, path))


def _font_file(source: a.AssetSource, path: str) -> Path:
    """A font asset as a file on disk, written once per process and content; Pillow's built-in font
    (DEFAULT_FONT) as the very font previews draw with."""
    if path == DEFAULT_FONT:
        data = _builtin_font()
        return _spill(f"{hashlib.sha256(data).hexdigest()}.ttf", lambda: data)
    suffix = PurePosixPath(path).suffix.lower()
    return _spill(
        source.digest(path) + (suffix if suffix in (".ttf", ".otf") else ".ttf"), lambda: source.read(path)
    )


_spill_lock = threading.Lock()
_spill_folder: Path | None = None


def _spill(name: str, read: Callable[[], bytes]) -> Path:
    """The file `name` in the font folder, written from `read()` the first time. Files are named by
    their content's digest, so processes share them: one copy per font, whatever reads it."""
    with _spill_lock:
        target = _fonts_folder() / name
        if not target.exists():
            partial = target.with_name(f"{name}.{os.getpid()}.{threading.get_ident()}.part")
            partial.write_bytes(read())
            partial.replace(target)  # atomic: a reader sees the whole file or none
    return target


def _fonts_folder() -> Path:
    """This user's font folder in the temporary directory; a private one of this process when that
    folder belongs to someone else or others may write to it."""
    global _spill_folder
    if _spill_folder is None:
        shared = Path(tempfile.gettempdir()) / f"atelier-fonts-{os.getuid()}"
        try:
            shared.mkdir(mode=0o700, exist_ok=True)
            status = shared.lstat()
            trusted = (
                stat.S_ISDIR(status.st_mode)
                and status.st_uid == os.getuid()
                and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
            )
        except OSError:
            trusted = False
        if not trusted:
            shared = Path(tempfile.mkdtemp(prefix="atelier-fonts-"))
            atexit.register(shutil.rmtree, shared, True)
        _spill_folder = shared
    return _spill_folder


@cache
def _builtin_font() -> bytes:
    font = ImageFont.load_default(size=12)
    data = getattr(font, "font_bytes", None)
    if not isinstance(data, bytes):
        raise a.AssetError(DEFAULT_FONT, "this Pillow does not hold its built-in font as a file")
    return data


_cmaps: dict[Path, Mapping[int, str]] = {}


def _cmap(file: Path) -> Mapping[int, str]:
    found = _cmaps.get(file)
    if found is None:
        try:
            with TTFont(io.BytesIO(file.read_bytes())) as font:
                found = _cmaps[file] = dict(font.getBestCmap() or {})
        except (TTLibError, OSError) as error:
            raise a.AssetError(file.name, f"its characters cannot be read ({error})") from None
    return found


def _source(model: ProductModel) -> a.AssetSource | None:
    try:
        return default_assets(model)
    except a.AssetError:
        return None


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _decimal(value: float) -> Decimal:
    """A length as people write it: to the tenth, without trailing zeros."""
    return Decimal(str(round(value, 1))).normalize()


def _spoken(value: int | Decimal, language: str) -> str:
    return spoken(value, language)
