"""Drawing a view of a design: layers composited at the output size, then encoded.

Assets are resized once per output size and cached (see `rules.preview.assets`), so a render is a few
composites over cropped regions plus the encoder. Any design the product accepts draws; values a
product would refuse are read as "not chosen" rather than raising.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal, Protocol

from PIL import Image

from rules.errors import EvaluationError
from rules.expr import Expr
from rules.model import (
    Attribute,
    AttributeKind,
    ImageLayer,
    Layer,
    OverlayLayer,
    PhotoLayer,
    ProductModel,
    TextLayer,
    TintLayer,
    Value,
    View,
    image_pick,
)
from rules.preview import assets as a
from rules.preview.text import MAX_TEXT_GRAPHEMES, draw_coverage, fit_size
from rules.text import graphemes

PREVIEW_SIZES = (256, 512, 1024)
PRODUCTION = "production"
FORMATS = ("png", "webp")
RENDERER_VERSION = "2"  # part of every render key: bump it when the same inputs draw differently
PNG_COMPRESS_LEVEL = 6
WEBP_QUALITY = 90
WEBP_METHOD = 4

Size = int | Literal["production"]
Design = Mapping[str, object]
# The bytes of a shopper's upload by id, or None when there is no such upload.
Uploads = Callable[[str], bytes | None]


class _HasModel(Protocol):
    @property
    def model(self) -> ProductModel: ...


def model_of(product: ProductModel | _HasModel) -> ProductModel:
    """The model of a `Product` (or the model itself)."""
    return product if isinstance(product, ProductModel) else product.model


def default_assets(model: ProductModel) -> a.AssetSource:
    """The catalog folder the product file was read from."""
    if model.source is None:
        raise a.AssetError("", "the product was not read from a file: pass `assets=`")
    return a.folder_assets(Path(model.source.file).parent)


def output_size(view: View, size: Size) -> tuple[int, int]:
    """The pixel size of a render: the view's own, or scaled so its longest side is `size`."""
    width, height = view.size
    if size == PRODUCTION:
        return width, height
    if size not in PREVIEW_SIZES:
        raise ValueError(f"size must be one of {PREVIEW_SIZES} or {PRODUCTION!r}, not {size!r}")
    scale = int(size) / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


# -- the design as layers see it ------------------------------------------------------------------


def clean_design(model: ProductModel, design: Design) -> dict[str, Value]:
    """The design with every value of the wrong type or not an option read as not chosen (None)."""
    result: dict[str, Value] = {}
    for attribute in model.attributes:
        result[attribute.key] = _clean(attribute, design.get(attribute.key))
    return result


def _clean(attribute: Attribute, value: object) -> Value:
    kind = attribute.kind
    if kind in (AttributeKind.CHOICE, AttributeKind.COLOUR):
        return value if isinstance(value, str) and attribute.option(value) is not None else None
    if kind is AttributeKind.MULTI:
        if isinstance(value, str) or not isinstance(value, frozenset | set | list | tuple):
            return frozenset()
        return frozenset(v for v in value if isinstance(v, str) and attribute.option(v) is not None)
    if kind is AttributeKind.NUMBER:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind is AttributeKind.BOOLEAN:
        return value if isinstance(value, bool) else None
    return value if isinstance(value, str) else ""


def _env(model: ProductModel, design: Mapping[str, Value]) -> dict[str, object]:
    # As the engine sees a design: texts by their length, multis as sets.
    env: dict[str, object] = {}
    for attribute in model.attributes:
        value = design.get(attribute.key)
        if attribute.kind is AttributeKind.TEXT:
            env[attribute.key] = len(graphemes(value)) if isinstance(value, str) else 0
        elif attribute.kind is AttributeKind.IMAGE:
            env[attribute.key] = 1 if image_pick(value) is not None else 0
        else:
            env[attribute.key] = value
    return env


def _holds(when: Expr | None, env: Mapping[str, object]) -> bool:
    if when is None:
        return True
    try:
        return bool(when.evaluate(env))
    except (EvaluationError, TypeError, ArithmeticError):
        return False


def text_lines(attribute: Attribute, value: object) -> list[str]:
    """The lines a text attribute's value draws: within its length and line limits, never empty lines only."""
    if not isinstance(value, str):
        return []
    limits = attribute.text
    most = min(limits.max_length, MAX_TEXT_GRAPHEMES) if limits is not None else MAX_TEXT_GRAPHEMES
    kept = "".join(graphemes(value.replace("\r\n", "\n"))[:most])
    lines = [line.strip() for line in kept.split("\n")]
    lines = lines[: limits.max_lines if limits is not None else 1]
    return lines if any(lines) else []


def chosen_font(layer: TextLayer, model: ProductModel, design: Mapping[str, Value]) -> tuple[str, str]:
    """(option key, font path) of the font a design draws a text layer in."""
    if layer.font_attribute is None:
        return "", next(iter(layer.fonts.values()))
    picked = design.get(layer.font_attribute)
    if isinstance(picked, str) and picked in layer.fonts:
        return picked, layer.fonts[picked]
    attribute = model.attribute(layer.font_attribute)
    fallback = attribute.default if attribute is not None else None
    if isinstance(fallback, str) and fallback in layer.fonts:
        return fallback, layer.fonts[fallback]
    key = next(iter(layer.fonts))
    return key, layer.fonts[key]


def colour_of(model: ProductModel, key: str, design: Mapping[str, Value]) -> str | None:
    """The hex of a colour attribute's pick (its default when nothing valid is picked)."""
    attribute = model.attribute(key)
    if attribute is None:
        return None
    for candidate in (design.get(key), attribute.default):
        option = attribute.option(candidate) if isinstance(candidate, str) else None
        if option is not None and option.hex:
            return option.hex
    return None


# -- painters -------------------------------------------------------------------------------------


class _Frame:
    """One render in progress: the canvas, the scale, and what the layers read."""

    def __init__(
        self,
        model: ProductModel,
        view: View,
        target: tuple[int, int],
        design: Mapping[str, Value],
        source: a.AssetSource,
        uploads: Uploads | None = None,
    ) -> None:
        self.model = model
        self.uploads = uploads
        self.view = view
        self.target = target
        self.scale = target[0] / view.size[0]
        self.design = design
        self.env = _env(model, design)
        self.source = source
        self.canvas = Image.new("RGBA", target, (0, 0, 0, 0))

    def asset(self, path: str, kind: str) -> a.Prepared:
        return a.prepared(self.source, path, kind, self.view.size, self.target)

    def over(self, prepared: a.Prepared) -> None:
        if prepared.image is not None:
            self.canvas.alpha_composite(prepared.image, prepared.offset)


def _paint_image(frame: _Frame, layer: ImageLayer) -> None:
    frame.over(frame.asset(layer.path, "image"))


def _paint_overlay(frame: _Frame, layer: OverlayLayer) -> None:
    if not _holds(layer.when, frame.env):
        return
    if layer.attribute is None:
        frame.over(frame.asset(layer.images[""], "image"))
        return
    picked = frame.design.get(layer.attribute)
    attribute = frame.model.attribute(layer.attribute)
    if attribute is None:
        return
    chosen = (
        picked if isinstance(picked, frozenset) else frozenset([picked] if isinstance(picked, str) else [])
    )
    for option in attribute.options:  # option order: the same picks always stack alike
        if option.key in chosen and option.key in layer.images:
            frame.over(frame.asset(layer.images[option.key], "image"))


def tint_lut(hex_colour: str, neutral: int) -> list[int]:
    """A 3×256 table from grey to colour: black stays black, `neutral` becomes the colour, white white."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    table: list[int] = []
    for channel in rgb:
        for grey in range(256):
            if grey <= neutral:
                table.append(round(channel * grey / neutral))
            else:
                table.append(round(channel + (255 - channel) * (grey - neutral) / (255 - neutral)))
    return table


def _paint_tint(frame: _Frame, layer: TintLayer) -> None:
    if not _holds(layer.when, frame.env):
        return
    colour = colour_of(frame.model, layer.colour, frame.design)
    mask = frame.asset(layer.mask, "mask")
    if colour is None or mask.image is None:
        return
    x0, y0 = mask.offset
    box = (x0, y0, x0 + mask.image.width, y0 + mask.image.height)
    under = frame.canvas.crop(box)
    # Light and shade come from the layers below; where nothing is drawn yet the colour is flat.
    grey = Image.composite(
        under.convert("L"), Image.new("L", under.size, layer.neutral), under.getchannel("A")
    )
    tinted = grey.convert("RGB").point(tint_lut(colour, layer.neutral)).convert("RGBA")
    frame.canvas.paste(Image.composite(tinted, under, mask.image), box)


def _paint_text(frame: _Frame, layer: TextLayer) -> None:
    if not _holds(layer.when, frame.env):
        return
    attribute = frame.model.attribute(layer.attribute)
    lines = text_lines(attribute, frame.design.get(layer.attribute)) if attribute is not None else []
    if not lines:
        return
    _, path = chosen_font(layer, frame.model, frame.design)
    x, y, width, height = layer.box
    size, _ = fit_size(
        lambda s: a.font(frame.source, path, s),
        lines,
        (width, height),
        layer.min_size,
        layer.max_size,
        layer.arc,
    )
    scale = frame.scale
    left, top = round(x * scale), round(y * scale)
    box = (max(1, round((x + width) * scale) - left), max(1, round((y + height) * scale) - top))
    coverage = draw_coverage(
        a.font(frame.source, path, max(1, round(size * scale))), lines, box, layer.align, layer.arc
    )
    hex_colour = layer.colour
    if layer.colour_attribute is not None:
        hex_colour = colour_of(frame.model, layer.colour_attribute, frame.design) or layer.colour
    ink = Image.new("RGBA", box, hex_colour)
    ink.putalpha(coverage)
    frame.canvas.alpha_composite(ink, (left, top))


def _paint_photo(frame: _Frame, layer: PhotoLayer) -> None:
    if frame.uploads is None or not _holds(layer.when, frame.env):
        return
    pick = image_pick(frame.design.get(layer.attribute))
    data = frame.uploads(pick.upload_id) if pick is not None else None
    if pick is None or not data:
        return
    x, y, width, height = layer.box
    scale = frame.scale
    left, top = round(x * scale), round(y * scale)
    box = (max(1, round((x + width) * scale) - left), max(1, round((y + height) * scale) - top))
    photo = a.upload_photo(data, box, layer.fit)
    if photo is None:
        return
    # The position spreads the room left over (contain) or cut off (cover): 0 one edge, 100 the other.
    offset = (
        round((box[0] - photo.width) * pick.x / 100),
        round((box[1] - photo.height) * pick.y / 100),
    )
    zone = Image.new("RGBA", box, (0, 0, 0, 0))
    zone.paste(photo, offset)  # anything outside the box is clipped by the zone's own edges
    frame.canvas.alpha_composite(zone, (left, top))


_PAINTERS: dict[type, Callable[[_Frame, object], None]] = {
    ImageLayer: _paint_image,  # type: ignore[dict-item]
    TintLayer: _paint_tint,  # type: ignore[dict-item]
    OverlayLayer: _paint_overlay,  # type: ignore[dict-item]
    TextLayer: _paint_text,  # type: ignore[dict-item]
    PhotoLayer: _paint_photo,  # type: ignore[dict-item]
}


def compose(
    model: ProductModel,
    design: Design,
    view_key: str,
    size: Size,
    source: a.AssetSource | None = None,
    uploads: Uploads | None = None,
) -> Image.Image:
    """The view of a design as an RGBA image (not encoded); photo zones stay empty without `uploads`."""
    view = model.view(view_key)
    if view is None:
        known = ", ".join(v.key for v in model.views) or "none"
        raise ValueError(f"product {model.key!r} has no view {view_key!r} (views: {known})")
    frame = _Frame(
        model,
        view,
        output_size(view, size),
        clean_design(model, design),
        source or default_assets(model),
        uploads,
    )
    layer: Layer
    for layer in view.layers:
        _PAINTERS[type(layer)](frame, layer)
    return frame.canvas


def encode(image: Image.Image, fmt: str) -> bytes:
    """PNG or WebP bytes, the same for the same image: fixed settings and no timestamps."""
    buffer = io.BytesIO()
    if fmt == "png":
        image.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    elif fmt == "webp":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    else:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return buffer.getvalue()


def render(
    product: ProductModel | _HasModel,
    design: Design,
    view_key: str,
    size: Size,
    fmt: str,
    *,
    assets: a.AssetSource | None = None,
    uploads: Uploads | None = None,
) -> bytes:
    """The encoded preview of a design's view (see the package docstring)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return encode(compose(model_of(product), design, view_key, size, assets, uploads), fmt)


# -- keys -----------------------------------------------------------------------------------------


def _canonical(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(_canonical(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if value is None or isinstance(value, str | int | bool | float):
        return value
    return str(value)


def render_key(content_hash: str, design: Design, view: str, size: Size, fmt: str) -> str:
    """sha256 (hex) of the inputs of a render, as canonical JSON: equal designs give equal keys."""
    payload = {
        "renderer": RENDERER_VERSION,
        "content": content_hash,
        "design": {str(k): _canonical(v) for k, v in design.items()},
        "view": view,
        "size": size,
        "format": fmt,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(product: ProductModel | _HasModel, assets: a.AssetSource | None = None) -> str:
    """The product's source hash combined with the digest of every asset it reads."""
    model = model_of(product)
    source = assets or default_assets(model)
    digest = hashlib.sha256(model.source_hash.encode("ascii"))
    for path in model.asset_files():
        try:
            value = source.digest(path)
        except a.AssetError:
            value = "missing"
        digest.update(f"\n{path}\0{value}".encode())
    return digest.hexdigest()
