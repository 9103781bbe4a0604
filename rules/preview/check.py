"""What `atelier rules check` says about a product's views: the files behind them, and text that fits.

- every asset exists and opens as what it is declared (PNG images and masks, TrueType/OpenType fonts);
- images and masks have their view's size; masks are greyscale (mode L);
- a text attribute at its longest allowed length fits its zone at `min_size`, in every font;
- every font draws the letters of the scripts its text accepts (the text policy's `scripts`) and the
  characters it lists: a letter the shop accepts but the font lacks would be made as an empty box.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Final

import regex

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
FONT_LACKS_LETTERS = "font-lacks-letters"
# The letters a script's text is checked against: those of its main Unicode block (for Latin, the
# European alphabets: Basic Latin to Latin Extended-A). Han and Hangul are checked on their most
# frequent syllables' block start, a sample: no font is expected to hold every ideograph.
_SCRIPT_RANGES: Final = {
    "Latin": ((0x41, 0x17F),),
    "Greek": ((0x386, 0x3CE),),
    "Cyrillic": ((0x400, 0x45F),),
    "Armenian": ((0x531, 0x586),),
    "Hebrew": ((0x5D0, 0x5EA),),
    "Arabic": ((0x621, 0x63A), (0x641, 0x64A)),
    "Devanagari": ((0x904, 0x939),),
    "Bengali": ((0x985, 0x9B9),),
    "Tamil": ((0xB85, 0xBB9),),
    "Thai": ((0xE01, 0xE2E),),
    "Georgian": ((0x10D0, 0x10FA),),
    "Ethiopic": ((0x1200, 0x1248),),
    "Hiragana": ((0x3041, 0x3096),),
    "Katakana": ((0x30A1, 0x30FA),),
    "Hangul": ((0xAC00, 0xAC00 + 400),),
    "Han": ((0x4E00, 0x4E00 + 400),),
}
_SHOWN_MISSING: Final = 12  # letters quoted in a message; the count says the rest
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

    def picture(self, path: str, what: str, where: SourceRef | None) -> None:
        data = self.read(path, what, where)
        if data is None:
            return
        try:
            a.open_picture(data, path)
        except a.AssetError as error:
            self.error(
                Code.FILE_UNREADABLE,
                f"{what} ({path!r}) does not open: {error.reason}",
                where,
                "save it as a PNG, JPEG or WebP image of at most 4096×4096 pixels",
            )

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

    def coverage(self, layer: TextLayer, font: a.Font, named: str, context: str) -> None:
        """Warn when the font lacks letters of a script the text accepts, or a character it lists."""
        attribute = self.model.attribute(layer.attribute)
        if attribute is None or attribute.text is None:
            return
        limits = attribute.text
        wanted = [(script, _letters(script)) for script in limits.scripts]
        if limits.characters:
            wanted.append(("", tuple(dict.fromkeys(limits.characters))))
        for script, letters in wanted:
            missing = missing_glyphs(font, letters)
            if not missing:
                continue
            what = f"{len(missing)} of the {len(letters)} {script} letters" if script else "characters"
            shown = " ".join(missing[:_SHOWN_MISSING]) + (" …" if len(missing) > _SHOWN_MISSING else "")
            hint = (
                f"use a font that covers {script}, or take {script} out of the text's `scripts`"
                if script
                else "use a font that has them, or take them out of the text's `characters`"
            )
            self.found.append(
                Diagnostic(
                    "warning",
                    FONT_LACKS_LETTERS,
                    f"{named} of {context} has no glyph for {what} that {layer.attribute!r} accepts: {shown}",
                    layer.source or self.model.source,
                    hint,
                )
            )

    def text(self, layer: TextLayer, view: View, context: str) -> None:
        attribute = self.model.attribute(layer.attribute)
        lines = attribute.text.max_lines if attribute is not None and attribute.text is not None else 1
        box = (layer.box[2], layer.box[3])
        for option, font in self.fonts(layer, context).items():
            path = layer.fonts[option]
            named = f"font {option!r} ({path})" if option else f"font {path}"
            self.coverage(layer, font, named, context)
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


@cache
def _letters(script: str) -> tuple[str, ...]:
    """The letters a font used for `script` must draw (empty for a script we hold no sample of)."""
    pattern = regex.compile(rf"[\p{{Script={script}}}&&\p{{L}}]", flags=regex.V1)
    return tuple(
        chr(code)
        for start, stop in _SCRIPT_RANGES.get(script, ())
        for code in range(start, stop + 1)
        if pattern.fullmatch(chr(code))
    )


def missing_glyphs(font: a.Font, characters: tuple[str, ...]) -> list[str]:
    """The characters `font` has no glyph for: each drawn as the font's "missing glyph" box (.notdef,
    what a code point outside every font's range draws) is missing. Blank characters draw nothing and
    are never counted."""
    notdef = _drawn(font, "\U0010fffd")
    return [char for char in characters if not char.isspace() and _drawn(font, char) == notdef]


def _drawn(font: a.Font, char: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


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
    pictured = [
        (attribute, option) for attribute in model.attributes for option in attribute.options if option.image
    ]
    if not model.views and not pictured:
        return []
    try:
        source = assets or default_assets(model)
    except a.AssetError:
        return []
    checker = _Checker(model, source, None if isinstance(product, ProductModel) else product)
    for attribute, option in pictured:
        assert option.image is not None
        checker.picture(
            option.image, f"the picture of option {option.key!r} of {attribute.key!r}", option.source
        )
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
