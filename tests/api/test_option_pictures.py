"""Pictures of options (woods, stones, fabrics) that are no palette colour: written in the product
file, checked where written, published with the version, and served as square swatches the pages
show beside each option."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from configurator import create_app
from rules import load_catalog
from rules.analysis import analyse

BRAND = 'brand: b\nlabel: B\ncurrencies: [GBP]\npalette: {white: "#FFFFFF"}\n'
TABLE = """\
product: table
label: Table
price: {GBP: "900.00"}
attributes:
  wood:
    type: choice
    options:
      oak: {image: assets/woods/oak.jpg}
      walnut: {image: assets/woods/walnut.png}
      ash: {}
    default: oak
"""


def picture(path: Path, colour: tuple[int, int, int], size: tuple[int, int], fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, fmt)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (folder / "table.yaml").write_text(TABLE, encoding="utf-8")
    picture(folder / "assets/woods/oak.jpg", (196, 160, 110), (640, 400), "JPEG")
    picture(folder / "assets/woods/walnut.png", (92, 64, 51), (300, 300), "PNG")
    return folder


@pytest.fixture
def shop(test_config: dict[str, Any], catalog: Path) -> Iterator[FlaskClient]:
    app: Flask = create_app({**test_config, "ATELIER_CATALOG": str(catalog)})
    with app.app_context():
        yield app.test_client()


def test_the_product_gives_each_pictured_option_a_swatch(shop: FlaskClient) -> None:
    spec = shop.get("/api/v1/products/table").get_json()
    (wood,) = spec["attributes"]
    images = {o["key"]: o["image"] for o in wood["options"]}
    assert images["ash"] is None
    response = shop.get(images["oak"], headers={"Accept": "image/webp,image/png"})
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    swatch = Image.open(io.BytesIO(response.data))
    assert swatch.size == (96, 96)  # the middle of a 640x400 picture, square
    assert swatch.convert("RGB").getpixel((48, 48)) == pytest.approx((196, 160, 110), abs=6)
    # the same URL is the same bytes: a client that has them gets 304
    again = shop.get(
        images["oak"], headers={"Accept": "image/webp", "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    sharp = shop.get(images["walnut"].replace("size=96", "size=384"))
    assert Image.open(io.BytesIO(sharp.data)).size == (300, 300)  # never scaled up


def test_an_option_without_a_picture_has_none(shop: FlaskClient) -> None:
    spec = shop.get("/api/v1/products/table").get_json()
    url = spec["attributes"][0]["options"][0]["image"]
    response = shop.get(url.replace("/oak?", "/ash?"))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_missing_or_unreadable_picture_is_located(catalog: Path) -> None:
    (catalog / "assets/woods/walnut.png").write_bytes(b"GIF89a not really")
    (catalog / "assets/woods/oak.jpg").unlink()
    product = load_catalog(catalog).products["table"]
    found = {d.code: d for d in analyse(product) if d.severity == "error"}
    assert "cannot be read" in found["file-missing"].message
    assert "oak" in found["file-missing"].message
    unreadable = found["file-unreadable"]
    assert "a GIF image, not a PNG, JPEG or WebP image" in unreadable.message
    assert unreadable.source is not None
    assert unreadable.source.line == 9
