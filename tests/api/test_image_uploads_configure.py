"""A shopper's photo on the demo cake: uploaded through the API, picked by id, checked, warned about when
it is too small to print sharply, and drawn in the cake's top view."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

DEMO = Path(__file__).resolve().parents[2] / "catalog"


@pytest.fixture
def demo(test_config: dict[str, Any]) -> Flask:
    from configurator import create_app

    return create_app({**test_config, "ATELIER_CATALOG": str(DEMO)})


@pytest.fixture
def client(demo: Flask) -> FlaskClient:
    return demo.test_client()


def upload(client: FlaskClient, width: int, height: int, colour: tuple[int, int, int] = (20, 90, 200)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=90)
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(buffer.getvalue()), "photo.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    upload_id: str = response.get_json()["id"]
    return upload_id


def configure(client: FlaskClient, picks: dict[str, Any]) -> Any:
    return client.post("/api/v1/products/celebration-cake/configure", json={"picks": picks})


def top_view(client: FlaskClient, answer: dict[str, Any]) -> Image.Image:
    url = next(v["url"] for v in answer["preview"]["views"] if v["key"] == "top")
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return Image.open(io.BytesIO(response.data)).convert("RGBA")


def test_an_uploaded_photo_is_priced_and_drawn_on_the_cake(client: FlaskClient) -> None:
    # Given a large photo, uploaded through the API
    photo = upload(client, 1800, 1800)
    # When the shopper picks it for the cake's photo
    response = configure(client, {"photo": photo})
    # Then the design is valid, costs the photo's price, carries no warning and draws the photo
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["valid"] is True
    assert answer["warnings"] == []
    assert any(line["attribute"] == "photo" and line["amount"] == "6.00" for line in answer["price"]["lines"])
    with_photo = top_view(client, answer)
    without = top_view(client, configure(client, {}).get_json())
    centre = (with_photo.width // 2, with_photo.height // 2)
    assert with_photo.getpixel(centre) != without.getpixel(centre)
    red, green, blue, _ = with_photo.getpixel(centre)  # type: ignore[misc]
    assert blue > 150
    assert red < 80
    # outside the photo zone, nothing changes
    assert with_photo.getpixel((5, 5)) == without.getpixel((5, 5))


def test_a_low_resolution_photo_is_warned_about(client: FlaskClient) -> None:
    photo = upload(client, 320, 240)
    answer = configure(client, {"photo": f"{photo}@50,0"}).get_json()
    assert answer["valid"] is True  # warned, never refused
    assert answer["warnings"] == [
        {
            "attribute": "photo",
            "code": "print-quality",
            "message": "This photo is 320×240 px; for a 15 cm print it needs at least 1,181 px tall "
            "(200 dpi). It will look blurry.",
        }
    ]


@pytest.mark.parametrize("value", ["k3J9x0T2mQ8vYb1LcR5sWp4A", "nope@10,10"])
def test_an_unknown_upload_id_is_an_invalid_pick(client: FlaskClient, value: str) -> None:
    response = configure(client, {"photo": value})
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid-pick"
    assert [e["field"] for e in body["errors"]] == ["picks.photo"]


def test_an_unknown_upload_is_said_to_the_shopper_in_their_language_without_its_path(
    client: FlaskClient,
) -> None:
    response = client.post(
        "/api/v1/products/celebration-cake/configure",
        json={"picks": {"photo": "k3J9x0T2mQ8vYb1LcR5sWp4A"}},
        headers={"Accept-Language": "fr"},
    )
    problem = response.get_json()
    said = "Nous n'avons plus cette image : envoyez-la de nouveau."
    assert problem["detail"] == said
    assert problem["errors"][0]["detail"] == said
    assert problem["errors"][0]["technical_detail"] == "No upload k3J9x0T2mQ8vYb1LcR5sWp4A."


def test_a_malformed_image_value_is_an_invalid_pick(client: FlaskClient) -> None:
    response = configure(client, {"photo": "../../secret.png"})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["picks.photo"]


def test_the_product_describes_its_image_attribute(client: FlaskClient) -> None:
    described = client.get("/api/v1/products/celebration-cake").get_json()
    photo = next(a for a in described["attributes"] if a["key"] == "photo")
    assert photo["kind"] == "image"
    assert photo["required"] is False
    assert photo["image"] == {
        "formats": ["png", "jpeg", "webp"],
        "min_dpi": 200,
        "print_size": ["150", "150"],
        "price": {"EUR": "6.00", "USD": "7.00"},
    }


def test_a_photo_of_a_format_the_attribute_refuses_is_said_in_the_shoppers_language(
    test_config: dict[str, Any], tmp_path: Path
) -> None:
    from configurator import create_app

    # Given a cake whose photo takes PNG and WebP only, and a JPEG uploaded
    catalog = tmp_path / "catalog"
    shutil.copytree(DEMO, catalog)
    cake = catalog / "celebration-cake.yaml"
    cake.write_text(
        cake.read_text(encoding="utf-8").replace("formats: [png, jpeg, webp]", "formats: [png, webp]")
    )
    client = create_app({**test_config, "ATELIER_CATALOG": str(catalog)}).test_client()
    photo = upload(client, 1600, 1600)
    # Then configure refuses it, naming the formats the way the language lists them
    response = client.post(
        "/api/v1/products/celebration-cake/configure",
        json={"picks": {"photo": photo}},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert error["field"] == "picks.photo"
    assert error["detail"] == (
        "« Photo sur le dessus » n’accepte que des images PNG ou WEBP : "
        "envoyez de nouveau la photo dans l’un de ces formats."
    )
    assert error["technical_detail"].endswith("is jpeg: not one of png, webp")
