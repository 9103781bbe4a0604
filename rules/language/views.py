"""Lowering a product's `views:` (preview pictures) into `View`s, with every mistake reported in place.

Only names and shapes are judged here; whether the files exist, open and have the right size is for
`rules.preview.check` (a stored version is loaded without its asset files).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from rules import expr as x
from rules.errors import Code
from rules.language import fields as f
from rules.language.check import Fields, Report, article, check_table, suggestion
from rules.language.names import Resolver, parse_expression
from rules.language.values import amount, default_label, localized
from rules.language.yamlsafe import Mapping, Node, Scalar
from rules.language.yamlsafe import Sequence as YSequence
from rules.model import (
    DEFAULT_FONT,
    Attribute,
    AttributeKind,
    ImageLayer,
    Layer,
    OverlayLayer,
    PhotoLayer,
    PrintArea,
    TextLayer,
    TintLayer,
    View,
)

_OPTIONED = (AttributeKind.CHOICE, AttributeKind.COLOUR, AttributeKind.MULTI)
MAX_PRINT_MM = f.MAX_PRINT_MM
MAX_BLEED_MM = f.MAX_BLEED_MM
# How far a print area's proportions may stray from its view's before the picture would look stretched.
PROPORTION_TOLERANCE = Decimal("0.01")


def asset_path(text: str) -> tuple[str | None, str | None]:
    """A written asset path made canonical ("a//b/./c.png" -> "a/b/c.png"), or why it is refused."""
    text = text.strip()
    if text.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", text):
        return None, "an absolute path"
    if "\\" in text:
        return None, "a path with \\ between folders"
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None, "a path that leaves the catalog folder (`..`)"
    return "/".join(parts), None


class ViewLowering:
    """Lowers the `views:` mapping of one product against its lowered attributes."""

    def __init__(
        self, attributes: Sequence[Attribute], resolver: Resolver, report: Report, silent: Iterable[str] = ()
    ) -> None:
        self.by_key = {a.key: a for a in attributes}
        self.resolver = resolver
        self.report = report
        # Attributes written but not lowered (their own errors are reported): no cascade on their names.
        self.silent = frozenset(silent)

    def lower(self, node: Node | None) -> tuple[View, ...]:
        """The views, leaving out those with errors (each reported)."""
        if not isinstance(node, Mapping):
            return ()
        views: list[View] = []
        for key, value in node.items:
            if self.report.is_bad(value):
                continue
            before = self.report.error_count()
            view = self._view(key, value)
            if view is not None and self.report.error_count() == before:
                views.append(view)
        return tuple(views)

    def _view(self, key: Scalar, node: Node) -> View | None:
        context = f"view {key.text!r}"
        checked = check_table(node, f.VIEW, self.report, context, anchor=key)
        if checked is None:
            return None
        size_node = checked.get("size")
        layers_node = checked.get("layers")
        size: tuple[int, int] | None = None
        if isinstance(size_node, YSequence):
            width, height = (int(item.value) for item in size_node.items if isinstance(item, Scalar))  # type: ignore[arg-type]
            size = (width, height)
        layers: list[Layer] = []
        if isinstance(layers_node, YSequence):
            for index, item in enumerate(layers_node.items, start=1):
                layer = self._layer(item, f"layer {index} of {context}", size)
                if layer is not None:
                    layers.append(layer)
        print_area = self._print_area(checked, context, size)
        if size is None or not isinstance(layers_node, YSequence):
            return None
        label_node = checked.get("label")
        label = localized(label_node) if label_node is not None else default_label(key.text)
        return View(key.text, label, size, tuple(layers), key.source, print_area)

    def _print_area(self, fields: Fields, context: str, size: tuple[int, int] | None) -> PrintArea | None:
        """The view's `print:` (width and height in mm, bleed), or None when it is not written or wrong."""
        node = fields.get("print")
        if node is None:
            return None
        where = f"`print` of {context}"
        checked = check_table(node, f.PRINT_AREA, self.report, where, anchor=fields.key("print"))
        if checked is None:
            return None
        width_node, height_node = checked.scalar("width"), checked.scalar("height")
        if width_node is None or height_node is None:
            return None  # reported by check_table
        bleed_node = checked.scalar("bleed")
        width, height = amount(width_node), amount(height_node)
        bleed = amount(bleed_node) if bleed_node is not None else None
        before = self.report.error_count()
        for name, value, scalar in (("width", width, width_node), ("height", height, height_node)):
            if not f.PRINT_LENGTH.holds(value):
                self.report.error(
                    Code.BAD_VALUE,
                    f"the {name} in the {where} is {value} mm; a print is more than 0 and at most "
                    f"{MAX_PRINT_MM} mm wide or high",
                    scalar,
                    f"write the {name} of the trimmed print in millimetres, e.g. `{name}: 90`",
                )
        if bleed is not None and bleed_node is not None and not f.BLEED.holds(bleed):
            self.report.error(
                Code.BAD_VALUE,
                f"the bleed in the {where} is {bleed} mm; it is from 0 to {MAX_BLEED_MM} mm",
                bleed_node,
                "printers usually ask for `bleed: 3`; write `bleed: 0` for none",
            )
        if self.report.error_count() != before:
            return None
        if size is not None:
            fitting = width * size[1] / size[0]
            if abs(height - fitting) > fitting * PROPORTION_TOLERANCE:
                self.report.error(
                    Code.BAD_VALUE,
                    f"the {where} is {width}×{height} mm but the view is {size[0]}×{size[1]} pixels: "
                    "the picture would be printed stretched",
                    height_node,
                    f"keep the view's proportions: `height: {_tenths(fitting)}` for a width of {width} mm, "
                    "or change the view's `size`",
                )
                return None
        if bleed is None:
            return PrintArea(float(width), float(height))
        return PrintArea(float(width), float(height), float(bleed))

    def _layer(self, node: Node, context: str, size: tuple[int, int] | None) -> Layer | None:
        checked = check_table(node, f.LAYER, self.report, context)
        if (
            checked is None
            or len([n for n in ("image", "tint", "overlay", "text", "photo") if n in checked.written]) != 1
        ):
            return None  # reported by check_table
        image = checked.scalar("image")
        if image is not None:
            path = self._asset(image, f"the image of {context}")
            return ImageLayer(path, node.source) if path is not None else None
        painters = (
            ("tint", self._tint),
            ("overlay", self._overlay),
            ("text", self._text),
            ("photo", self._photo),
        )
        for name, lower in painters:
            inner = checked.get(name)
            if inner is not None:
                fields = check_table(
                    inner, _TABLES[name], self.report, f"the {name} of {context}", anchor=checked.key(name)
                )
                return lower(fields, context, node, size) if fields is not None else None
        return None

    # -- kinds of layers -------------------------------------------------------------------------

    def _tint(self, fields: Fields, context: str, node: Node, size: tuple[int, int] | None) -> Layer | None:
        before = self.report.error_count()
        mask_node = fields.scalar("mask")
        mask = self._asset(mask_node, f"the mask of {context}") if mask_node is not None else None
        colour_node = fields.scalar("colour")
        colour = (
            self._attribute(colour_node, (AttributeKind.COLOUR,), f"`colour` of the tint of {context}")
            if colour_node is not None
            else None
        )
        when = self._when(fields, f"the tint of {context}")
        neutral_node = fields.scalar("neutral")
        if mask is None or colour is None or self.report.error_count() != before:
            return None
        neutral = int(neutral_node.value) if neutral_node is not None else 128  # type: ignore[arg-type]
        return TintLayer(mask, colour.key, when, neutral, node.source)

    def _overlay(
        self, fields: Fields, context: str, node: Node, size: tuple[int, int] | None
    ) -> Layer | None:
        before = self.report.error_count()
        where = f"the overlay of {context}"
        when = self._when(fields, where)
        attribute_node = fields.scalar("attribute")
        image_node = fields.scalar("image")
        images_node = fields.get("images")
        if image_node is not None:
            if attribute_node is not None:
                self.report.error(
                    Code.CONFLICT,
                    f"{where} has one `image` and an `attribute`; `attribute` goes with `images`",
                    fields.key("attribute"),
                    "remove `attribute`, or give an image per option: `images: {option: file.png}`",
                )
                return None
            path = self._asset(image_node, f"the image of {where}")
            if path is None or self.report.error_count() != before:
                return None
            return OverlayLayer({"": path}, None, when, node.source)
        if not isinstance(images_node, Mapping):
            return None
        if attribute_node is None:
            self.report.error(
                Code.MISSING_KEY,
                f"{where} has `images` but no `attribute` saying whose options they show",
                fields.key("images"),
                "add `attribute: <choice or multi attribute>`",
            )
            return None
        attribute = self._attribute(attribute_node, _OPTIONED, f"`attribute` of {where}")
        images: dict[str, str] = {}
        for key, value in images_node.items:
            if self.report.is_bad(value) or not isinstance(value, Scalar):
                continue
            path = self._asset(value, f"the image of option {key.text!r} in {where}")
            if attribute is not None and attribute.option(key.text) is None:
                options = [o.key for o in attribute.options]
                self.report.error(
                    Code.UNKNOWN_NAME,
                    f"{key.text!r} in the `images` of {where} is not an option of `{attribute.key}`",
                    key,
                    suggestion(key.text, options, f"options of `{attribute.key}`"),
                )
            elif path is not None:
                images[key.text] = path
        if attribute is None or self.report.error_count() != before:
            return None
        return OverlayLayer(images, attribute.key, when, node.source)

    def _text(self, fields: Fields, context: str, node: Node, size: tuple[int, int] | None) -> Layer | None:
        before = self.report.error_count()
        where = f"the text of {context}"
        attribute_node = fields.scalar("attribute")
        attribute = (
            self._attribute(attribute_node, (AttributeKind.TEXT,), f"`attribute` of {where}")
            if attribute_node is not None
            else None
        )
        box = self._box(fields, where, size)
        fonts, font_attribute = self._fonts(fields, where)
        low, high = (fields.scalar(name) for name in ("min_size", "max_size"))
        min_size = int(low.value) if low is not None else 12  # type: ignore[arg-type]
        max_size = int(high.value) if high is not None else max(96, min_size)  # type: ignore[arg-type]
        if min_size > max_size:
            self.report.error(
                Code.BAD_VALUE,
                f"`min_size` ({min_size}) of {where} is more than `max_size` ({max_size})",
                high or low,
                f"write `max_size: {min_size}` or more",
            )
        colour, colour_attribute = "#000000", None
        colour_node = fields.get("colour")
        if isinstance(colour_node, Scalar):
            colour = colour_node.text.upper()
        elif colour_node is not None:
            ref = check_table(
                colour_node, f.COLOUR_REF, self.report, f"`colour` of {where}", anchor=fields.key("colour")
            )
            name = ref.scalar("attribute") if ref is not None else None
            found = (
                self._attribute(name, (AttributeKind.COLOUR,), f"`colour` of {where}")
                if name is not None
                else None
            )
            colour_attribute = found.key if found is not None else None
        align_node = fields.scalar("align")
        arc_node = fields.scalar("arc")
        when = self._when(fields, where)
        if attribute is None or box is None or fonts is None or self.report.error_count() != before:
            return None
        return TextLayer(
            attribute=attribute.key,
            box=box,
            fonts=fonts,
            font_attribute=font_attribute,
            min_size=min_size,
            max_size=max_size,
            colour=colour,
            colour_attribute=colour_attribute,
            align=align_node.text if align_node is not None else "center",
            arc=int(arc_node.value) if arc_node is not None else 0,  # type: ignore[arg-type]
            when=when,
            source=node.source,
        )

    def _photo(self, fields: Fields, context: str, node: Node, size: tuple[int, int] | None) -> Layer | None:
        before = self.report.error_count()
        where = f"the photo of {context}"
        attribute_node = fields.scalar("attribute")
        attribute = (
            self._attribute(attribute_node, (AttributeKind.IMAGE,), f"`attribute` of {where}")
            if attribute_node is not None
            else None
        )
        box = self._box(fields, where, size, room="an image")
        fit_node = fields.scalar("fit")
        when = self._when(fields, where)
        if attribute is None or box is None or self.report.error_count() != before:
            return None
        fit = fit_node.text if fit_node is not None else "cover"
        return PhotoLayer(attribute.key, box, fit, when, node.source)

    def _box(
        self, fields: Fields, where: str, size: tuple[int, int] | None, room: str = "text"
    ) -> tuple[int, int, int, int] | None:
        node = fields.get("box")
        if not isinstance(node, YSequence):
            return None
        x0, y0, width, height = (int(item.value) for item in node.items if isinstance(item, Scalar))  # type: ignore[arg-type]
        if width < 1 or height < 1:
            self.report.error(
                Code.BAD_VALUE,
                f"the box of {where} is {width}×{height}: it has no room for {room}",
                node,
                "give it a width and a height of at least 1: `box: [x, y, width, height]`",
            )
            return None
        if size is None:
            return (x0, y0, width, height)  # the view's missing size is reported
        view_w, view_h = size
        if x0 + width > view_w or y0 + height > view_h:
            fitted = [min(x0, view_w - 1), min(y0, view_h - 1)]
            fitted += [min(width, view_w - fitted[0]), min(height, view_h - fitted[1])]
            self.report.error(
                Code.BAD_VALUE,
                f"the box of {where} goes outside the {view_w}×{view_h} view: it reaches "
                f"x={x0 + width}, y={y0 + height}",
                node,
                f"keep x + width ≤ {view_w} and y + height ≤ {view_h}, "
                f"e.g. `box: [{', '.join(map(str, fitted))}]`",
            )
            return None
        return (x0, y0, width, height)

    def _fonts(self, fields: Fields, where: str) -> tuple[dict[str, str] | None, str | None]:
        font_node = fields.scalar("font")
        fonts_node = fields.get("fonts")
        attribute_node = fields.scalar("font_attribute")
        if font_node is not None and (fonts_node is not None or attribute_node is not None):
            other = "fonts" if fonts_node is not None else "font_attribute"
            self.report.error(
                Code.CONFLICT,
                f"{where} has both `font` and `{other}`; write only one",
                fields.key(other),
                "one font for every text: `font:`; a font per option: `font_attribute:` with `fonts:`",
            )
            return None, None
        if font_node is not None:
            path = self._font(font_node, f"the font of {where}")
            return ({"": path} if path is not None else None), None
        if fonts_node is None and attribute_node is None:
            return {"": DEFAULT_FONT}, None
        if attribute_node is None:
            self.report.error(
                Code.MISSING_KEY,
                f"{where} has `fonts` but no `font_attribute` saying which option picks which font",
                fields.key("fonts"),
                "add `font_attribute: <choice attribute>`",
            )
            return None, None
        attribute = self._attribute(attribute_node, (AttributeKind.CHOICE,), f"`font_attribute` of {where}")
        if fonts_node is None:
            example = (
                ", ".join(f"{o.key}: default" for o in attribute.options[:3]) if attribute else "...: default"
            )
            self.report.error(
                Code.MISSING_KEY,
                f"{where} has a `font_attribute` but no `fonts`",
                fields.key("font_attribute"),
                f"add `fonts: {{{example}}}`",
            )
            return None, None
        if attribute is None or not isinstance(fonts_node, Mapping):
            return None, None
        fonts: dict[str, str] = {}
        ok = True
        for key, value in fonts_node.items:
            if self.report.is_bad(value) or not isinstance(value, Scalar):
                ok = False
                continue
            if attribute.option(key.text) is None:
                self.report.error(
                    Code.UNKNOWN_NAME,
                    f"{key.text!r} in the `fonts` of {where} is not an option of `{attribute.key}`",
                    key,
                    suggestion(key.text, [o.key for o in attribute.options], f"options of `{attribute.key}`"),
                )
                ok = False
                continue
            path = self._font(value, f"the font of option {key.text!r} in {where}")
            if path is None:
                ok = False
            else:
                fonts[key.text] = path
        missing = [o.key for o in attribute.options if fonts_node.get(o.key) is None]
        if missing:
            self.report.error(
                Code.MISSING_KEY,
                f"the `fonts` of {where} have no font for option{'s' if len(missing) > 1 else ''} "
                + ", ".join(repr(m) for m in missing)
                + f" of `{attribute.key}`",
                fields.key("fonts"),
                "add " + ", ".join(f"`{m}: default`" for m in missing) + " (or a font file)",
            )
            ok = False
        return (fonts if ok else None), attribute.key

    # -- names, paths and conditions -------------------------------------------------------------

    def _attribute(self, node: Scalar, kinds: tuple[AttributeKind, ...], what: str) -> Attribute | None:
        attribute = self.by_key.get(node.text)
        fitting = [a.key for a in self.by_key.values() if a.kind in kinds]
        nouns = " or ".join(k.value for k in kinds)
        if attribute is None:
            if node.text not in self.silent:
                self.report.error(
                    Code.UNKNOWN_NAME,
                    f"unknown attribute `{node.text}` in {what}",
                    node,
                    suggestion(node.text, fitting or list(self.by_key), f"{nouns} attributes"),
                )
            return None
        if attribute.kind not in kinds:
            self.report.error(
                Code.TYPE_MISMATCH,
                f"{what} must be {article(nouns)} {nouns} attribute, "
                f"but `{node.text}` is {article(attribute.kind.value)} {attribute.kind.value} attribute",
                node,
                suggestion(node.text, fitting, f"{nouns} attributes")
                if fitting
                else f"add {article(kinds[0].value)} {kinds[0].value} attribute to the product",
            )
            return None
        return attribute

    def _asset(self, node: Scalar, what: str) -> str | None:
        path, problem = asset_path(node.text)
        if problem is not None:
            self.report.error(
                Code.BAD_VALUE,
                f"{what} is {problem}: {node.text!r}",
                node,
                "write the path relative to the catalog folder, with / between folders, "
                "e.g. `assets/engraved-mug/body.png`",
            )
        return path

    def _font(self, node: Scalar, what: str) -> str | None:
        return DEFAULT_FONT if node.text == DEFAULT_FONT else self._asset(node, what)

    def _when(self, fields: Fields, what: str) -> x.Expr | None:
        node = fields.scalar("when")
        if node is None:
            return None
        parsed = parse_expression(node, self.report)
        return self.resolver.condition(parsed, f"`when` of {what}") if parsed is not None else None


def _tenths(value: Decimal) -> str:
    """A length to the tenth of a millimetre, without trailing zeros: 40, 42.5."""
    return f"{value.quantize(Decimal('0.1')).normalize():f}"


_TABLES = {"tint": f.TINT, "overlay": f.OVERLAY, "text": f.TEXT_ZONE, "photo": f.PHOTO_ZONE}
