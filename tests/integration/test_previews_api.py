"""Preview URLs in the configure answer, and the images behind them, on the demo catalog."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageChops

from configurator.catalog import versions
from configurator.catalog.models import AssetBlob, ProductVersion
from configurator.extensions import db
from configurator.previews import services as previews
from configurator.previews.services import encode_design
from tests.support.catalogs import BAD_IMAGES, POSTER_IMAGE, png, with_poster_view

DEMO = Path(__file__).resolve().parents[2] / "catalog"


@pytest.fixture
def demo(test_config: dict[str, Any]) -> Flask:
    from configurator import create_app

    return create_app({**test_config, "ATELIER_CATALOG": str(DEMO)})


@pytest.fixture
def client(demo: Flask) -> FlaskClient:
    return demo.test_client()


def configure(client: FlaskClient, product: str, picks: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/api/v1/products/{product}/configure", json={"picks": picks})
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def image(client: FlaskClient, url: str, **headers: str) -> Image.Image:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return Image.open(io.BytesIO(response.data))


@pytest.mark.parametrize("product", ["engraved-mug", "celebration-cake", "custom-sneaker", "name-bottle"])
def test_every_demo_product_answers_with_a_working_preview(client: FlaskClient, product: str) -> None:
    answer = configure(client, product, {})
    preview = answer["preview"]
    assert preview is not None
    for view in preview["views"]:
        picture = image(client, view["url"])
        assert picture.format == "PNG"
        assert max(picture.size) == 512
    assert image(client, preview["url"]).size == (preview["width"], preview["height"])


def test_the_image_is_cached_forever_and_negotiated(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = configure(client, "engraved-mug", {"colour": "sage"})["preview"]["url"]
    drawn: list[str] = []
    real = previews.render
    monkeypatch.setattr(previews, "render", lambda request, fmt: drawn.append(fmt) or real(request, fmt))
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert first.headers["ETag"].startswith('"')
    assert "Accept" in first.vary
    again = client.get(url)
    assert again.data == first.data
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    webp = client.get(url, headers={"Accept": "image/avif,image/webp,*/*"})
    assert webp.headers["Content-Type"] == "image/webp"
    assert webp.headers["ETag"] != first.headers["ETag"]
    assert drawn == ["png", "webp"]  # each drawn once, then served from the cache


def test_a_colour_change_recolours_the_mug_and_nothing_else(client: FlaskClient) -> None:
    sage = image(client, configure(client, "engraved-mug", {"colour": "sage"})["preview"]["url"]).convert(
        "RGB"
    )
    ink = image(client, configure(client, "engraved-mug", {"colour": "ink"})["preview"]["url"]).convert("RGB")
    difference = ImageChops.difference(sage, ink).convert("L").point(lambda v: 255 if v > 24 else 0)
    box = difference.getbbox()
    assert box is not None  # the glaze changed
    changed = difference.histogram()[255]
    assert 0.05 < changed / (512 * 512) < 0.8  # the body, not the whole picture
    assert sage.getpixel((2, 2)) == ink.getpixel((2, 2))  # the background is untouched


def test_an_engraving_appears(client: FlaskClient) -> None:
    plain = image(client, configure(client, "engraved-mug", {"colour": "snow"})["preview"]["url"]).convert(
        "RGB"
    )
    named = image(
        client,
        configure(client, "engraved-mug", {"colour": "snow", "engraving": "For Sam"})["preview"]["url"],
    ).convert("RGB")
    assert ImageChops.difference(plain, named).getbbox() is not None


def test_an_impossible_design_has_no_preview(client: FlaskClient) -> None:
    answer = configure(client, "engraved-mug", {"colour": "gold", "material": "enamel"})
    assert answer["valid"] is False
    assert answer["preview"] is None
    url = configure(client, "engraved-mug", {})["preview"]["url"].split("?")[0]
    response = client.get(f"{url}?design={encode_design({'colour': 'gold', 'material': 'enamel'})}")
    assert response.status_code == 422
    assert response.get_json()["code"] == "design-invalid"
    assert response.get_json()["errors"][0]["code"] == "enamel-not-gold"


DEEP_DESIGN = base64.urlsafe_b64encode(b'{"colour": ' + b"[" * 2_000 + b"]" * 2_000 + b"}").decode()
LONG_NUMBER_DESIGN = base64.urlsafe_b64encode(b'{"colour": ' + b"1" * 4_400 + b"}").decode()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/previews/999/front?design=e30", 404),
        ("/api/v1/previews/{version}/back?design=e30", 404),
        ("/api/v1/previews/{version}/front?design=e30&size=300", 422),
        ("/api/v1/previews/{version}/front?design=%25%25", 422),
        ("/api/v1/previews/{version}/front?design=WzFd", 422),  # a list, not an object
        ("/api/v1/previews/{version}/front", 422),
        # JSON past the limits of every body: 2,000 levels deep, a 4,400-digit number
        ("/api/v1/previews/{version}/front?design=" + DEEP_DESIGN, 422),
        ("/api/v1/previews/{version}/front?design=" + LONG_NUMBER_DESIGN, 422),
    ],
)
def test_bad_preview_requests_are_problems(client: FlaskClient, path: str, status: int) -> None:
    version = configure(client, "engraved-mug", {})["preview"]["url"].split("/")[4]
    response = client.get(path.format(version=version))
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"


def test_uncached_renders_are_rate_limited(test_config: dict[str, Any]) -> None:
    from configurator import create_app

    app = create_app({**test_config, "ATELIER_CATALOG": str(DEMO), "ATELIER_RATELIMITS": "previews=2"})
    client = app.test_client()
    urls = [
        configure(client, "engraved-mug", {"colour": c})["preview"]["url"]
        for c in ("sage", "ink", "charcoal")
    ]
    assert [client.get(u).status_code for u in urls] == [200, 200, 429]
    assert client.get(urls[0]).status_code == 200  # a cached image costs nothing


@pytest.mark.parametrize("kind", sorted(BAD_IMAGES))
def test_a_version_published_with_an_unusable_image_answers_a_problem_not_a_500(
    app: Flask, tmp_path: Path, kind: str
) -> None:
    # Given a poster version stored before publishing checked its images: its view draws a GIF, an SVG
    # or a 30000×30000 PNG named .png
    with app.app_context():
        versions.publish_folder(with_poster_view(tmp_path, png()))
        drawn = versions.live_versions()["poster"]
        bad = BAD_IMAGES[kind]
        digest = hashlib.sha256(bad).hexdigest()
        db.session.add(AssetBlob(sha256=digest, data=bad, size=len(bad)))
        db.session.add(
            ProductVersion(
                product_key="poster",
                content_hash=hashlib.sha256(f"before image checks {kind}".encode()).hexdigest(),
                brand_version=drawn.brand_version,
                sources=drawn.sources,
                assets={POSTER_IMAGE: digest},
                design_count=drawn.design_count,
            )
        )
        db.session.commit()
    client = app.test_client()
    # When a shopper's preview of it is asked for
    url = configure(client, "poster", {})["preview"]["url"]
    response = client.get(url)
    # Then the answer is a problem document saying the picture cannot be drawn, and nothing is cached
    assert response.status_code == 409, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == "preview-unavailable"
    assert "assets/poster/paper.png" not in problem["detail"]  # the shopper's sentence
    assert problem["errors"][0]["field"] == "view"
    assert "assets/poster/paper.png" in problem["errors"][0]["detail"]  # the integrator's
    assert client.get(url).status_code == 409
