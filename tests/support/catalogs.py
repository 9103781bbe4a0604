"""Variants of the test catalog, written to a temporary folder."""

from __future__ import annotations

import io
import shutil
import struct
import zlib
from pathlib import Path

from PIL import Image

TEST_CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"


def without_gold(folder: Path) -> Path:
    """The test catalog with gold mugs withdrawn, in `folder / "catalog"`."""
    catalog = folder / "catalog"
    shutil.copytree(TEST_CATALOG, catalog)
    mug = catalog / "mug.yaml"
    text = mug.read_text().replace("options: [white, ink, gold]", "options: [white, ink]")
    text = text.replace("    when: colour == gold\n", "    when: colour == ink\n")
    mug.write_text(text.replace("colour != gold", "colour != ink"))
    return catalog


POSTER_VIEW = """
views:
  front:
    size: [64, 48]
    layers:
      - image: assets/poster/paper.png
"""
POSTER_IMAGE = "assets/poster/paper.png"


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    """A plain PNG image of this size."""
    buffer = io.BytesIO()
    Image.new("RGBA", size, (240, 236, 228, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares `width`×`height` pixels but whose data holds none: what a
    decompression bomb looks like before anything is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def gif(size: tuple[int, int] = (64, 48)) -> bytes:
    """A GIF image (which a view does not take, whatever its file is called)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (240, 236, 228)).save(buffer, "GIF")
    return buffer.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48"><rect width="64" height="48"/></svg>'

# Image files a view refuses although they are named .png, by what they are.
BAD_IMAGES = {
    "30000x30000 PNG": png_claiming(30000, 30000),
    "GIF named .png": gif(),
    "SVG named .png": SVG,
}


def with_poster_view(folder: Path, image: bytes) -> Path:
    """The test catalog in `folder / "catalog"`, its poster drawn in one view from `image` (named
    assets/poster/paper.png whatever it holds)."""
    catalog = folder / "catalog"
    shutil.copytree(TEST_CATALOG, catalog)
    poster = catalog / "poster.yaml"
    poster.write_text(poster.read_text(encoding="utf-8") + POSTER_VIEW, encoding="utf-8")
    target = catalog / POSTER_IMAGE
    target.parent.mkdir(parents=True)
    target.write_bytes(image)
    return catalog


def rebranded(brand_source: str, brand_key: str, *, prices_include_tax: bool = True) -> str:
    """The test brand file under another brand key, saying whether its prices include tax."""
    text = brand_source.replace("brand: test-atelier", f"brand: {brand_key}")
    return text + f"\nprices_include_tax: {str(prices_include_tax).lower()}\n"


def rebrand(catalog: Path, brand_key: str, *, prices_include_tax: bool = True) -> Path:
    """Give the catalog in `catalog` another brand key and say whether its prices include tax."""
    brand = catalog / "brand.yaml"
    brand.write_text(
        rebranded(brand.read_text(encoding="utf-8"), brand_key, prices_include_tax=prices_include_tax),
        encoding="utf-8",
    )
    return catalog


def other_brand(folder: Path, brand_key: str = "other-atelier") -> Path:
    """The test catalog under another brand whose prices include tax, in `folder / "catalog"`."""
    catalog = folder / "catalog"
    shutil.copytree(TEST_CATALOG, catalog)
    return rebrand(catalog, brand_key)
