"""What `atelier rules check` says about a product's views: the files behind them, and text that fits.

- every asset exists and opens as what it is declared (PNG images and masks, TrueType/OpenType fonts);
- images and masks have their view's size; masks are greyscale (mode L);
- a text attribute at its longest allowed length fits its zone at `min_size`, in every font.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rules import expr as x
from rules.errors import Code, Diagnostic
from rules.model import (
    DEFAULT_FONT,
    ImageLayer,
    OverlayLayer,
    ProductModel,
    SourceRef,
    TextLayer,
    TintLayer,
    Value,
    View,
)
from rules.preview import assets as a
from rules.preview.renderer import default_assets
from rules.preview.text import characters_that_fit, measure

if TYPE_CHECKING:
    from rules.product import Product

ASSET_SIZE = "asset-size"
MASK_NOT_GREYSCALE = "mask-not-greyscale"
TEXT_DOES_NOT_FIT = "text-does-not-fit"
WIDE_CHARACTER = "W"  # the widest capital of most Latin fonts: the worst case a shopper can type


@dataclass
class _Checker:
    model: ProductModel
    source: a.AssetSource
    product: Product | None
    found: list[Diagnostic] = field(default_factory=list)
    seen: set[tuple[str, str, tuple[int, int]]] = field(default_factory=set)

    def error(self, code: str, message: str, where: SourceRef | None, hint: str) -> None:
        self.found.append(Diagnostic("error", code, message, where or self.model.source, hint))

    def read(self, path: str, what: str, where: SourceRef | None) -> bytes | None:
        try:
            return self.source.read(path)
        except a.AssetError as error:
            folder = getattr(self.source, "folder", None)
            shown = f"{folder}/{path}" if folder is not None else path
            self.error(
                Code.FILE_MISSING,
                f"{what} {path!r} cannot be read: {error.reason}",
                where,
                f"create {shown}, or fix the path (it is relative to the catalog folder)",
            )
            return None

    def png(self, path: str, kind: str, view: View, context: str, where: SourceRef | None) -> None:
        if (path, kind, view.size) in self.seen:
            return
        self.seen.add((path, kind, view.size))
        what = "mask" if kind == "mask" else "image"
        data = self.read(path, f"the {what} of {context}", where)
        if data is None:
            return
        width, height = view.size
        try:
            image = a.open_png(data, path)
        except a.AssetError as error:
            self.error(
                Code.FILE_UNREADABLE,
                f"the {what} {path!r} of {context} does not open: {error.reason}",
                where,
                f"save it as a PNG of {width}×{height} pixels, the size of view {view.key!r}"
                if error.too_large
                else "save it as a PNG file",
            )
            return
        if image.size != view.size:
            self.error(
                ASSET_SIZE,
                f"the {what} {path!r} of {context} is {image.width}×{image.height}, "
                f"but view {view.key!r} is {width}×{height}",
                where,
                f"resize it to {width}×{height}, or write `size: [{image.width}, {image.height}]` "
                f"in view {view.key!r} if that is the size you mean",
            )
        if kind == "mask" and image.mode != "L":
            self.error(
                MASK_NOT_GREYSCALE,
                f"the mask {path!r} of {context} is in mode {image.mode}, not greyscale",
                where,
                "save it as 8-bit greyscale (mode L): white where the colour goes, black elsewhere",
            )

    def fonts(self, layer: TextLayer, context: str) -> dict[str, a.Font]:
        """Each font option's font at min_size (those that open)."""
        result: dict[str, a.Font] = {}
        for option, path in layer.fonts.items():
            if path != DEFAULT_FONT:
                data = self.read(path, f"the font of {context}", layer.source)
                if data is None:
                    continue
                try:
                    result[option] = a.open_font(data, layer.min_size, path)
                except a.AssetError as error:
                    self.error(
                        Code.FILE_UNREADABLE,
                        f"the font {path!r} of {context} does not open: {error.reason}",
                        layer.source,
                        "use a .ttf or .otf font file, or `default`",
                    )
                    continue
            else:
                result[option] = a.open_font(None, layer.min_size, path)
        return result

    def longest(self, layer: TextLayer, option: str) -> int:
        """The longest text the rules allow in this font: the attribute's limit, or lower under its rules."""
        attribute = self.model.attribute(layer.attribute)
        limit = attribute.text.max_length if attribute is not None and attribute.text is not None else 0
        picks: dict[str, Value] = dict(_picks_of(layer.when)) if layer.when is not None else {}
        if layer.font_attribute is not None:
            picks[layer.font_attribute] = option
        if self.product is None or not picks:
            return limit
        domains = self.product.domains(picks, explain=False)
        state = domains.attributes.get(layer.attribute)
        if not domains.consistent or state is None or state.text is None:
            return limit
        return min(limit, state.text.max_length)

    def text(self, layer: TextLayer, view: View, context: str) -> None:
        attribute = self.model.attribute(layer.attribute)
        lines = attribute.text.max_lines if attribute is not None and attribute.text is not None else 1
        box = (layer.box[2], layer.box[3])
        for option, font in self.fonts(layer, context).items():
            path = layer.fonts[option]
            named = f"font {option!r} ({path})" if option else f"font {path}"
            count = self.longest(layer, option)
            if count <= 0:
                continue
            width, height = measure(font, [WIDE_CHARACTER * count], layer.arc)
            if width > box[0] or height > box[1]:
                fit = characters_that_fit(font, WIDE_CHARACTER, count, box, layer.arc)
                self.error(
                    TEXT_DOES_NOT_FIT,
                    f"{count} characters of {layer.attribute!r} do not fit the text box of {context} "
                    f"in {named} at min_size {layer.min_size}: only {fit} fit",
                    layer.source,
                    f"widen the box, lower `min_size`, or allow at most {fit} characters in this font",
                )
                continue
            if lines > 1:
                _, tall = measure(font, [WIDE_CHARACTER] * lines, 0)
                if tall > box[1]:
                    self.error(
                        TEXT_DOES_NOT_FIT,
                        f"{lines} lines of {layer.attribute!r} do not fit the {box[1]}-pixel-high "
                        f"text box of {context} in {named} at min_size {layer.min_size}",
                        layer.source,
                        f"make the box at least {int(tall) + 1} pixels high, "
                        "or lower `min_size` or `max_lines`",
                    )


def _picks_of(when: x.Expr) -> dict[str, Value]:
    """The options a condition fixes when it is `a == x and b == y ...` (other conditions fix none)."""
    if isinstance(when, x.Compare) and when.op == "==":
        if isinstance(when.left, x.Name) and isinstance(when.right, x.OptionKey):
            return {when.left.key: when.right.key}
        return {}
    if isinstance(when, x.Logic) and when.op == "and":
        picks: dict[str, Value] = {}
        for part in when.children():
            picks.update(_picks_of(part))
        return picks
    return {}


def check_views(product: Product | ProductModel, assets: a.AssetSource | None = None) -> list[Diagnostic]:
    """Errors about the files behind a product's views and its text zones, at each layer's position."""
    model = product if isinstance(product, ProductModel) else product.model
    if not model.views:
        return []
    try:
        source = assets or default_assets(model)
    except a.AssetError:
        return []
    checker = _Checker(model, source, None if isinstance(product, ProductModel) else product)
    for view in model.views:
        for index, layer in enumerate(view.layers, start=1):
            context = f"layer {index} of view {view.key!r}"
            if isinstance(layer, ImageLayer):
                checker.png(layer.path, "image", view, context, layer.source)
            elif isinstance(layer, TintLayer):
                checker.png(layer.mask, "mask", view, context, layer.source)
            elif isinstance(layer, OverlayLayer):
                for path in layer.images.values():
                    checker.png(path, "image", view, context, layer.source)
            elif isinstance(layer, TextLayer):
                checker.text(layer, view, context)
    return checker.found
