"""Preview URLs in the configure answer, and the images behind them, on the demo catalog."""

from __future__ import annotations

import base64
import hashlib
import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageChops

from configurator.catalog import versions
from configurator.catalog.models import AssetBlob, ProductVersion
from configurator.errors import ConfigurationError
from configurator.extensions import db
from configurator.previews import services as previews
from configurator.previews.cache import Budget, sweep
from configurator.previews.services import encode_design
from tests.support.catalogs import BAD_IMAGES, POSTER_IMAGE, png, with_poster_view
from tests.support.services import Postgres, Redis
from tests.support.worker import Worker, flush_broker, worker_environment

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


@pytest.mark.parametrize("extra", ["key=pk_test_abc", "_=1717171717", "v=2", "design_=x"])
def test_a_parameter_a_preview_does_not_take_is_refused_by_name(client: FlaskClient, extra: str) -> None:
    url = configure(client, "engraved-mug", {})["preview"]["url"]
    assert client.get(url).status_code == 200
    response = client.get(f"{url}&{extra}")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.get_json()
    name = extra.split("=")[0]
    assert problem["code"] == "validation-failed"
    assert problem["errors"] == [
        {
            "field": name,
            "pointer": f"/{name}",
            "location": "query",
            "detail": "This request holds information we do not expect; reload the page and try again.",
            "code": "unknown-field",
            "technical_detail": "Preview URLs take `design` and `size` only: use the URL as given.",
        }
    ]


def test_every_preview_url_the_api_gives_takes_design_and_size_only(client: FlaskClient) -> None:
    from urllib.parse import parse_qs, urlsplit

    preview = configure(client, "celebration-cake", {})["preview"]
    for url in [preview["url"], *(view["url"] for view in preview["views"])]:
        assert sorted(parse_qs(urlsplit(url).query)) == ["design", "size"]


def test_a_preview_that_went_is_drawn_again_to_the_same_bytes_under_the_same_etag(
    demo: Flask, client: FlaskClient
) -> None:
    # Given a preview served as PNG and as WebP
    url = configure(client, "engraved-mug", {"colour": "sage", "engraving": "For Sam"})["preview"]["url"]
    as_png = client.get(url)
    as_webp = client.get(url, headers={"Accept": "image/webp"})
    cache = previews.cache(demo)
    assert cache.usage()[0] == 2
    # When the store lets every preview go (a budget of nothing)
    swept = sweep(cache.store, cache.prefix, Budget(0))
    assert (swept.evicted, cache.usage()) == (2, (0, 0))
    # Then a client holding a copy still gets 304 without anything being drawn
    assert client.get(url, headers={"If-None-Match": as_png.headers["ETag"]}).status_code == 304
    assert cache.usage() == (0, 0)
    # And asked afresh, the same URL gives the same bytes under the same ETag, stored again
    for before, accept in ((as_png, "image/png"), (as_webp, "image/webp")):
        again = client.get(url, headers={"Accept": accept})
        assert again.headers["ETag"] == before.headers["ETag"]
        assert again.data == before.data
    assert cache.usage()[0] == 2


def test_the_store_holds_its_budget_as_shoppers_ask_for_previews(test_config: dict[str, Any]) -> None:
    from configurator import create_app

    # Given a store of 0.2 MB for previews (a few dozen KB each)
    app = create_app({**test_config, "ATELIER_CATALOG": str(DEMO), "ATELIER_PREVIEW_STORE_MB": "0.2"})
    client = app.test_client()
    budget = previews.cache(app).budget
    assert budget == Budget(max_bytes=209_715, max_age=30 * 86400.0)
    # When shoppers ask for more distinct previews than it holds
    drawn = 0
    for engraving in ("A", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo", "Kit", "Lu"):
        for accept in ("image/png", "image/webp"):
            answer = configure(client, "engraved-mug", {"engraving": engraving})
            response = client.get(answer["preview"]["url"], headers={"Accept": accept})
            assert response.status_code == 200
            drawn += len(response.data)
    # Then, once its sweeps are done, it holds at most its budget
    cache = previews.cache(app)
    assert cache.wait_idle(60)
    count, size = cache.usage()
    assert drawn > budget.max_bytes
    assert 0 < size <= budget.max_bytes, (count, size)


def test_a_store_of_zero_keeps_no_preview_and_still_serves_them(test_config: dict[str, Any]) -> None:
    from configurator import create_app

    app = create_app({**test_config, "ATELIER_CATALOG": str(DEMO), "ATELIER_PREVIEW_STORE_MB": "0"})
    client = app.test_client()
    url = configure(client, "engraved-mug", {})["preview"]["url"]
    first, second = client.get(url), client.get(url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.data == second.data
    assert previews.cache(app).usage() == (0, 0)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ATELIER_PREVIEW_STORE_MB": "lots"}, "ATELIER_PREVIEW_STORE_MB must be a number"),
        ({"ATELIER_PREVIEW_STORE_MB": "-1"}, "ATELIER_PREVIEW_STORE_MB must be 0 or more"),
        ({"ATELIER_PREVIEW_STORE_DAYS": "nan"}, "ATELIER_PREVIEW_STORE_DAYS must be 0 or more"),
    ],
)
def test_a_preview_budget_that_means_nothing_refuses_to_start(
    test_config: dict[str, Any], settings: dict[str, str], message: str
) -> None:
    from configurator import create_app

    with pytest.raises(ConfigurationError, match=message):
        create_app({**test_config, **settings})


def test_a_burst_of_requests_for_a_new_preview_draws_it_once(
    test_config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from configurator import create_app

    # Given the app on a database file (threads share it) and a renderer that takes its time
    app = create_app(
        {**test_config, "ATELIER_CATALOG": str(DEMO), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db"}
    )
    url = configure(app.test_client(), "engraved-mug", {"colour": "ink"})["preview"]["url"]
    drawn: list[str] = []
    real = previews.render

    def slow_render(request: previews.PreviewRequest, fmt: str) -> bytes:
        drawn.append(fmt)
        time.sleep(0.3)  # long enough for every other request to arrive and miss
        return real(request, fmt)

    monkeypatch.setattr(previews, "render", slow_render)
    # When six shoppers open the same new preview at the same moment, each through its own request
    start = threading.Barrier(6)
    answers: list[bytes] = []

    def open_preview() -> None:
        client = app.test_client()
        start.wait()
        response = client.get(url)
        assert response.status_code == 200
        answers.append(response.data)

    threads = [threading.Thread(target=open_preview) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then it was drawn once, and every shopper got it
    assert drawn == ["png"]
    assert len(answers) == 6
    assert len(set(answers)) == 1


def test_beats_sweep_on_a_real_worker_holds_the_store_to_its_budget(
    demo: Flask,
    client: FlaskClient,
    postgres: Postgres,
    redis_server: Redis,
    workers: list[Worker],
    tmp_path: Path,
) -> None:
    from celery import Celery

    # Given previews stored by the shop (a budget of 1 GB: no sweep of its own)
    for colour in ("snow", "sage", "ink", "charcoal"):
        assert (
            client.get(configure(client, "engraved-mug", {"colour": colour})["preview"]["url"]).status_code
            == 200
        )
    cache = previews.cache(demo)
    count, size = cache.usage()
    assert count == 4
    # And a worker whose budget holds about half of them
    budget_mb = size / 2 / (1024 * 1024)
    flush_broker(redis_server.url)
    environment = worker_environment(
        postgres.url,
        redis_server.url,
        ATELIER_MEDIA_ROOT=demo.config["ATELIER_MEDIA_ROOT"],
        ATELIER_PREVIEW_STORE_MB=budget_mb,
    )
    worker = Worker(environment, tmp_path).start()
    workers.append(worker)
    # When beat sends its sweep
    sender = Celery(broker=redis_server.url)
    try:
        sender.send_task("previews.sweep")
    finally:
        sender.close()
    # Then the worker runs it, and the store holds at most the worker's budget, the newest kept
    output = worker.wait_for_log("Task previews.sweep[", times=2)
    assert "succeeded" in output
    left, kept = cache.usage()
    assert 0 < kept <= budget_mb * 1024 * 1024
    assert left < count


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
