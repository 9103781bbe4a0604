"""The production proof of one order line: every choice with its label, texts exactly as they will be
made (with their font and size), colours with their hex, and a preview of each view."""

from __future__ import annotations

import io
from collections.abc import Mapping

from PIL import Image, ImageDraw

from rules.model import AttributeKind, ProductModel, TextLayer, Value
from rules.preview import assets as a
from rules.preview.renderer import (
    _HasModel,
    chosen_font,
    clean_design,
    compose,
    default_assets,
    model_of,
    text_lines,
)
from rules.preview.text import fit_size

SHEET_WIDTH = 1240  # A4 at 150 dpi
MARGIN = 60
THUMBNAIL = 360
_INK = (20, 20, 20, 255)
_MUTED = (110, 110, 110, 255)


def _describe(model: ProductModel, key: str, value: Value, locale: str) -> tuple[str, str | None]:
    """How a value reads on the sheet, and the hex of a colour."""
    attribute = model.attribute(key)
    assert attribute is not None
    if value is None:
        return "— (does not apply)", None
    if attribute.kind in (AttributeKind.CHOICE, AttributeKind.COLOUR):
        option = attribute.option(str(value))
        label = option.label.get(locale) if option is not None else str(value)
        hex_value = option.hex if option is not None else None
        return f"{label} [{value}]" + (f"  {hex_value}" if hex_value else ""), hex_value
    if attribute.kind is AttributeKind.MULTI:
        chosen = [o for o in attribute.options if isinstance(value, frozenset) and o.key in value]
        return (", ".join(f"{o.label.get(locale)} [{o.key}]" for o in chosen) or "none"), None
    if attribute.kind is AttributeKind.BOOLEAN:
        return ("yes" if value else "no"), None
    if attribute.kind is AttributeKind.NUMBER:
        return f"{value}{' ' + attribute.unit if attribute.unit else ''}", None
    text = str(value)
    return (f"“{text}”".replace("\n", " ⏎ ") if text else "(none)"), None


def spec_sheet(
    product: ProductModel | _HasModel,
    design: Mapping[str, object],
    order_info: Mapping[str, str],
    *,
    fmt: str = "png",
    locale: str = "en",
    assets: a.AssetSource | None = None,
) -> bytes:
    """A one-page proof (PNG, or PDF with fmt="pdf") of a design for the workshop."""
    model = model_of(product)
    values = clean_design(model, design)
    title_font = a.open_font(None, 40, "default")
    head_font = a.open_font(None, 26, "default")
    body_font = a.open_font(None, 22, "default")
    rows: list[tuple[str, str, str | None]] = []
    for attribute in model.attributes:
        text, hex_value = _describe(model, attribute.key, values[attribute.key], locale)
        rows.append((attribute.label.get(locale), text, hex_value))
    texts: list[tuple[str, list[str], str, int]] = []  # attribute label, lines, font, size in view pixels
    source = assets or _source(model)
    for view in model.views:
        for layer in view.layers:
            if not isinstance(layer, TextLayer):
                continue
            owner = model.attribute(layer.attribute)
            lines = text_lines(owner, values.get(layer.attribute)) if owner is not None else []
            if not lines:
                continue
            option, path = chosen_font(layer, model, values)
            size = layer.min_size
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
                except a.AssetError:
                    pass  # the proof still lists the text; the size is the smallest allowed
            label = owner.label.get(locale) if owner is not None else layer.attribute
            texts.append((f"{label} ({view.key})", lines, f"{option or 'font'}: {path}", size))
    previews: list[Image.Image] = []
    for view in model.views:
        try:
            image = compose(model, values, view.key, 512, source)
        except (a.AssetError, ValueError):
            continue
        image.thumbnail((THUMBNAIL, THUMBNAIL))
        previews.append(image)
    height = MARGIN * 2 + 60 + 34 * len(order_info) + 40 + 36 * len(rows) + 40
    height += sum(50 + 34 * len(lines) for _, lines, _, _ in texts)
    height += (THUMBNAIL + 40) if previews else 0
    sheet = Image.new("RGB", (SHEET_WIDTH, height), "white")
    draw = ImageDraw.Draw(sheet)
    y = MARGIN
    draw.text((MARGIN, y), f"{model.label.get(locale)} — production proof", font=title_font, fill=_INK)
    y += 60
    for key, value in order_info.items():
        draw.text((MARGIN, y), f"{key}: {value}", font=body_font, fill=_INK)
        y += 34
    y += 20
    draw.text((MARGIN, y), "Choices", font=head_font, fill=_INK)
    y += 40
    for label, text, hex_value in rows:
        draw.text((MARGIN, y), label, font=body_font, fill=_MUTED)
        x = MARGIN + 380
        if hex_value:
            draw.rectangle((x, y + 2, x + 24, y + 26), fill=hex_value, outline=_INK)
            x += 36
        draw.text((x, y), text, font=body_font, fill=_INK)
        y += 36
    for label, lines, font_name, size in texts:
        y += 14
        draw.text(
            (MARGIN, y), f"{label}, exactly as made — {font_name}, {size} px", font=head_font, fill=_INK
        )
        y += 36
        for line in lines:
            draw.text((MARGIN + 20, y), f"|{line}|  ({len(line)} characters)", font=body_font, fill=_INK)
            y += 34
    if previews:
        y += 20
        x = MARGIN
        for image in previews:
            sheet.paste(image.convert("RGB"), (x, y), image.getchannel("A"))
            x += image.width + 20
    buffer = io.BytesIO()
    if fmt == "pdf":
        sheet.save(buffer, "PDF", resolution=150.0)
    else:
        sheet.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def _source(model: ProductModel) -> a.AssetSource | None:
    try:
        return default_assets(model)
    except a.AssetError:
        return None
