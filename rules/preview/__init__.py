"""Previews of designs drawn with Pillow from a product's `views:` (see docs/previews.md). Pure: no app.

The public API, for the app's previews service:

- ``PREVIEW_SIZES = (256, 512, 1024)``: the longest side of a preview; ``"production"`` is the view's
  own size.
- ``render(product, design, view_key, size, fmt, *, assets=None, uploads=None) -> bytes``: the PNG
  (``fmt="png"``) or WebP (``"webp"``) image of one view of a design. ``product`` is a `rules.Product` or a
  `ProductModel`; ``design`` maps attribute keys to values (as `Product.complete` returns them). The
  same inputs give the same bytes. Raises ValueError for an unknown view, size or format, and
  `AssetError` when an asset is missing or unusable. Callers render only valid designs; any design
  the product accepts draws.
- ``render_key(content_hash, design, view, size, fmt) -> str``: the sha256 key of a render, for a
  cache of rendered bytes. ``content_hash`` must change whenever the product or its assets change:
  `content_hash(product, assets)` gives one.
- ``print_file(product, design, view_key, *, assets=None, uploads=None, title="", created=None) ->
  bytes``: one view of a design as a print-ready PDF page, the view's print area (`View.printed`)
  plus its bleed, with crop marks and a TrimBox; straight texts are real text in the product's font.
- ``summary_sheet(product, design, facts, *, language=None, assets=None, uploads=None, created=None)
  -> bytes``: the workshop's A4 summary of an order line (`LineFacts`), in `workshop_language(product)`
  unless told otherwise (see `rules.preview.printing`).
- ``ProductModel.asset_files() -> tuple[str, ...]``: every file the views read, relative to the
  catalog folder (store them with a published version).
- ``assets``: where files come from. Default: the folder the product file was read from
  (`FolderAssets`); for stored versions pass `MemoryAssets({path: bytes})` or any object with
  ``digest(path) -> str`` and ``read(path) -> bytes`` (`AssetSource`).
- ``uploads``: the bytes of a shopper's image by upload id (``Callable[[str], bytes | None]``), for
  the photo zones of image attributes. Without it, or for an id it does not know (None), or bytes
  that are not a readable still image, the zone is left empty.
- ``check_views(product, assets=None) -> list[Diagnostic]``: what `atelier rules check` reports.

Decoded and resized assets and fonts are cached per process by file digest and output size (an LRU
bounded in bytes); `clear_caches()` empties them.

>>> from pathlib import Path
>>> from rules import load_catalog
>>> mug = load_catalog(Path(__file__).parents[2] / "catalog").products["engraved-mug"]
>>> png = render(mug, mug.complete({"colour": "sage"}), "front", 256, "png")
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> render(mug, mug.defaults(), "front", 256, "png") == render(mug, mug.defaults(), "front", 256, "png")
True
"""

from __future__ import annotations

from rules.preview.assets import AssetError, AssetSource, FolderAssets, MemoryAssets, clear_caches, swatch
from rules.preview.check import check_views
from rules.preview.printing import LineFacts, print_file, summary_sheet, workshop_language
from rules.preview.renderer import (
    FORMATS,
    PREVIEW_SIZES,
    PRODUCTION,
    Size,
    compose,
    content_hash,
    render,
    render_key,
)

__all__ = [
    "FORMATS",
    "PREVIEW_SIZES",
    "PRODUCTION",
    "AssetError",
    "Size",
    "AssetSource",
    "FolderAssets",
    "LineFacts",
    "MemoryAssets",
    "check_views",
    "clear_caches",
    "compose",
    "content_hash",
    "print_file",
    "render",
    "render_key",
    "summary_sheet",
    "swatch",
    "workshop_language",
]
